/**
 * The one path for a run that a signal ends: Ctrl-C, SIGINT, SIGTERM or SIGHUP, to our pid or
 * our process group. The first signal stops every child process tree (each child runs in a group
 * of its own, so a grandchild holding the output open goes too), lets no new program start, and
 * ends the current step with a cancellation carrying the signal's exit code (130, 143, 129); the
 * command's own error path then keeps what was written valid and prints how to finish, and
 * `--json` still prints its object. A second signal ends the process at once.
 *
 * Children get their own group because the terminal's Ctrl-C goes to the foreground group: with
 * it, wrangler caught SIGINT, exited 0, and the next wrangler call started. Now the signal comes
 * to us alone and we decide.
 */
import { CancelledError, EXIT, type ExitCode } from "../errors.js";

const CODES = { SIGINT: EXIT.cancelled, SIGTERM: EXIT.terminated, SIGHUP: EXIT.hangup } as const satisfies Record<string, ExitCode>;
export type StopSignal = keyof typeof CODES;
const SIGNALS = Object.keys(CODES) as StopSignal[];

/** How long a process group gets between SIGTERM and SIGKILL. */
export const KILL_GRACE_MS = 2_000;

/** Live child process groups, by leader pid (POSIX only). */
const groups = new Set<number>();
let received: StopSignal | undefined;
let controller = new AbortController();

/** Aborted when a signal arrives: prompts close on it. */
export function stopSignal(): AbortSignal {
  return controller.signal;
}

/**
 * The cancellation for the signal received, if any: `doing` names what it interrupted, `kept`
 * what became of the work (by default, that what was done is kept).
 */
export function interruption(doing?: string, kept = "What was done before it was kept."): CancelledError | undefined {
  if (!received) return undefined;
  // Ctrl-C is the user's own cancel; another signal came from something else, so it is named.
  const how = received === "SIGINT" ? "Cancelled" : `Stopped by ${received}`;
  const what = doing ? `${how} during: ${doing}.` : `${how}.`;
  return new CancelledError(`${what} ${kept}`, undefined, CODES[received]);
}

/**
 * A Ctrl-C that was the answer to a program holding the terminal (`wrangler login` waiting for
 * the browser) cancels that program, not the run: the caller takes it as such, and the work
 * after it (git) goes on. Other signals are never forgotten.
 */
export function forgetCtrlC(): boolean {
  if (received !== "SIGINT") return false;
  received = undefined;
  controller = new AbortController();
  return true;
}

export function throwIfInterrupted(doing?: string, kept?: string): void {
  const error = interruption(doing, kept);
  if (error) throw error;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
}

/** SIGTERM to the whole group, SIGKILL to whatever of it is left after the grace period. */
export function stopGroup(pid: number): void {
  signalGroup(pid, "SIGTERM");
  setTimeout(() => signalGroup(pid, "SIGKILL"), KILL_GRACE_MS).unref();
}

/** Registers a child's process group while it runs; the returned function forgets it. */
export function trackGroup(pid: number): () => void {
  groups.add(pid);
  if (received) stopGroup(pid); // started in the instant after the signal
  return () => groups.delete(pid);
}

function killAll(): void {
  for (const pid of groups) signalGroup(pid, "SIGKILL");
}

/**
 * Listens for the signals for one run of a command; the returned function stops listening.
 * While it listens, no signal ends the process by Node's default, so a listener elsewhere (execa's
 * clean-up re-raises a signal nobody else waits for) cannot end it without the message either.
 */
function onSignal(signal: StopSignal): void {
  if (received) {
    killAll();
    process.exit(CODES[received]);
  }
  received = signal;
  controller.abort();
  for (const pid of groups) stopGroup(pid);
}

/**
 * For the terminal prompts read from. When it goes away (a closed window, a dropped ssh), the end
 * of its input is a hangup, as SIGHUP would be; and putting a gone terminal back out of raw mode
 * fails with EIO, which Node reports as an 'error' event that the prompt library's readline does
 * not handle (a crash with a stack trace). So raw mode is set straight on the terminal's handle,
 * as Node's own setRawMode does, and a failure there means only that there is nothing to restore.
 */
export function guardTerminal(input: NodeJS.ReadStream | { isTTY?: boolean; once?: unknown }): void {
  const tty = input as NodeJS.ReadStream & { _handle?: { setRawMode?(flag: boolean): number | undefined }; guarded?: boolean };
  if (!tty.isTTY || tty.guarded || typeof tty.once !== "function") return;
  tty.guarded = true;
  tty.once("end", () => {
    if (!received) onSignal("SIGHUP");
  });
  const handle = tty._handle;
  if (!handle?.setRawMode) return;
  tty.setRawMode = (flag: boolean) => {
    if (!handle.setRawMode!(flag)) tty.isRaw = flag;
    return tty;
  };
}

export function watchSignals(): () => void {
  received = undefined;
  controller = new AbortController();
  // One listener per signal, each knowing its own name (a listener is not always told it).
  const listeners = SIGNALS.map((signal) => [signal, () => onSignal(signal)] as const);
  for (const [signal, listener] of listeners) process.on(signal, listener);
  process.on("exit", killAll);
  return () => {
    for (const [signal, listener] of listeners) process.removeListener(signal, listener);
    process.removeListener("exit", killAll);
  };
}
