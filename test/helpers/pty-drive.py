"""Runs a command on a real pseudo-terminal of a given width, as a user's terminal would.

Usage: pty-drive.py WAIT_TEXT ACTION COLUMNS COMMAND...
Waits (up to 20 s) until the screen shows WAIT_TEXT, then ACTION: "close" closes the terminal
(a closed window or a dropped ssh), "wait" lets the command run on. Prints the screen as JSON on
stderr's last line and the command's exit code on stdout.
"""
import fcntl, json, os, pty, select, struct, sys, termios, time

wait_text, action, columns, command = sys.argv[1].encode(), sys.argv[2], int(sys.argv[3]), sys.argv[4:]
pid, fd = pty.fork()
if pid == 0:
    os.execvp(command[0], command)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
screen, started = b"", time.time()
while wait_text not in screen and time.time() - started < 20:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if ready:
        try:
            screen += os.read(fd, 65536)
        except OSError:
            break
if action == "close":
    os.close(fd)
else:
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        screen += chunk
_, status = os.waitpid(pid, 0)
sys.stderr.write(json.dumps(screen.decode("utf-8", "replace")) + "\n")
print(os.waitstatus_to_exitcode(status))
