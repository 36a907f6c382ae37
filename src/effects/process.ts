/**
 * Running a program, through execa (loaded on the first spawn, bundled on its own as
 * dist/spawn.cjs): argv only, no shell; Windows `.cmd` shims through its cross-spawn; stdin
 * closed unless the user's terminal is handed over; output collected as text. On POSIX each
 * program runs in a process group of its own, so a time limit or a signal stops the whole tree
 * (SIGTERM, then SIGKILL after a grace period), not only the direct child: a wrangler whose own
 * child kept the output open ran on after its time limit. Callers get a plain result, never a
 * thrown error, except the cancellation of a run a signal ended (interrupt.ts).
 */
import { secretsOf, shownText } from "../core/child-text.js";
import { interruption, KILL_GRACE_MS, stopGroup, stopSignal, throwIfInterrupted, trackGroup } from "./interrupt.js";

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Give the program the user's terminal (for `wrangler login`). */
  interactive?: boolean;
  /** Stops the program (SIGTERM) when aborted. */
  signal?: AbortSignal;
  /** Text for the program's stdin (otherwise it gets none). */
  input?: string;
}

export interface RunResult {
  /** undefined when the program could not start or was killed. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came. */
  all: string;
  timedOut: boolean;
  /**
   * Why there is no exit code to go by, in words: the program could not start (not found), it
   * printed more than the cap, or a signal stopped it. Not set for a time limit (timedOut says so).
   */
  problem?: string;
}

/** Output kept per stream: a program that floods its output is stopped, not held in memory. */
export const MAX_OUTPUT_CHARS = 8_000_000;

let fullOutput = false;

/** --verbose: messages carry a failed program's whole output, not its last lines. */
export function showFullOutput(on: boolean): void {
  fullOutput = on;
}

/**
 * The end of a long output, for a message: what a program said last is what explains its
 * failure. The last `lines` lines, at most `chars` characters (a flood is not repeated).
 */
export function tailOf(text: string, lines = 15, chars = 2_000): string {
  if (fullOutput) return text;
  const kept = text.split("\n").slice(-lines).join("\n");
  const tail = kept.length <= chars ? kept : kept.slice(-chars);
  if (tail.length === text.length) return text;
  return `[... ${text.length - tail.length} characters before; --verbose shows all of it ...]\n${tail}`;
}

export async function run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const doing = [file.split(/[\\/]/).pop(), args[0]].filter(Boolean).join(" ");
  throwIfInterrupted(doing); // no new program once a signal came
  const { execa } = await import("../vendor/spawn.js");
  // Not for the terminal's programs (wrangler login): a background group cannot read it.
  const grouped = !options.interactive && process.platform !== "win32";
  const child = execa(file, args, {
    cwd: options.cwd,
    // The caller's environment is the whole of it: a variable it removed stays removed.
    env: options.env,
    extendEnv: false,
    stdio: options.interactive ? "inherit" : [options.input === undefined ? "ignore" : "pipe", "pipe", "pipe"],
    ...(options.input === undefined ? {} : { input: options.input }),
    all: !options.interactive,
    detached: grouped,
    // A group is stopped here; execa would only stop its leader.
    timeout: grouped ? undefined : options.timeoutMs,
    forceKillAfterDelay: KILL_GRACE_MS,
    cancelSignal: options.signal,
    // execa's clean-up skips detached children; interrupt.ts stops the groups when we exit.
    cleanup: !grouped,
    reject: false,
    stripFinalNewline: false,
    maxBuffer: MAX_OUTPUT_CHARS,
  });
  let groupTimedOut = false;
  let timer: NodeJS.Timeout | undefined;
  let forget: (() => void) | undefined;
  // Once the group is told to stop, its output is waited for only a little longer: something it
  // started in a session of its own (`setsid`) is out of the group's reach and may hold the
  // pipes open for as long as it likes.
  let released: NodeJS.Timeout | undefined;
  const release = () => {
    released ??= setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, KILL_GRACE_MS + 1_000);
  };
  if (grouped && child.pid !== undefined) {
    const pid = child.pid;
    forget = trackGroup(pid);
    if (options.timeoutMs !== undefined) {
      timer = setTimeout(() => {
        groupTimedOut = true;
        stopGroup(pid);
        release();
      }, options.timeoutMs);
    }
  }
  const stopping = stopSignal();
  stopping.addEventListener("abort", release);
  const result = await child;
  clearTimeout(timer);
  clearTimeout(released);
  stopping.removeEventListener("abort", release);
  forget?.();
  // execa stopped the leader for its flood of output; what it started goes with it.
  if (grouped && result.isMaxBuffer && child.pid !== undefined) stopGroup(child.pid);
  const stopped = interruption(doing);
  if (stopped) throw stopped;
  const timedOut = result.timedOut || groupTimedOut;
  // Shown in messages and --json: no terminal controls, no credentials a program echoed.
  const secrets = secretsOf(options.env);
  const text = (value: unknown) => (typeof value === "string" ? shownText(value, secrets) : "");
  // execa reports a program that could not start with a system error code and no exit code.
  const notStarted = result.exitCode === undefined && !timedOut && !result.isCanceled && result.signal === undefined && !result.isMaxBuffer;
  const problem = notStarted
    ? `${file}: ${result.originalMessage || result.shortMessage}`
    : result.isMaxBuffer
      ? `${file} printed more than ${MAX_OUTPUT_CHARS / 1_000_000} million characters and was stopped.`
      : result.signal !== undefined && !timedOut
        ? `${file} was stopped by ${result.signal}.`
        : undefined;
  return {
    exitCode: result.isMaxBuffer ? undefined : result.exitCode,
    stdout: text(result.stdout),
    stderr: text(result.stderr),
    all: text(result.all),
    timedOut,
    ...(problem ? { problem: text(problem) } : {}),
  };
}
