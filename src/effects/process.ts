/**
 * Running a program, through execa (loaded on the first spawn, bundled on its own as
 * dist/spawn.cjs): argv only, no shell; Windows `.cmd` shims through its cross-spawn; stdin
 * closed unless the user's terminal is handed over; an optional time limit that stops the
 * program (SIGTERM, then SIGKILL after a grace period); children killed if create-do-kv itself
 * exits first; output collected as text. Callers get a plain result, never a thrown error.
 */

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Give the program the user's terminal (for `wrangler login`). */
  interactive?: boolean;
  /** Stops the program (SIGTERM) when aborted. */
  signal?: AbortSignal;
}

export interface RunResult {
  /** undefined when the program could not start or was killed. */
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** stdout and stderr interleaved as they came. */
  all: string;
  timedOut: boolean;
  /** Why the program could not start (e.g. not found). */
  startError?: string;
}

/** How long a program that ignored SIGTERM after its time limit gets before SIGKILL. */
const KILL_GRACE_MS = 2_000;

export async function run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const { execa } = await import("../vendor/spawn.js");
  const result = await execa(file, args, {
    cwd: options.cwd,
    // The caller's environment is the whole of it: a variable it removed stays removed.
    env: options.env,
    extendEnv: false,
    stdio: options.interactive ? "inherit" : ["ignore", "pipe", "pipe"],
    all: !options.interactive,
    timeout: options.timeoutMs,
    forceKillAfterDelay: KILL_GRACE_MS,
    cancelSignal: options.signal,
    cleanup: true,
    reject: false,
    stripFinalNewline: false,
  });
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  // execa reports a program that could not start with a system error code and no exit code.
  const notStarted = result.exitCode === undefined && !result.timedOut && !result.isCanceled && result.signal === undefined;
  return {
    exitCode: result.exitCode,
    stdout: text(result.stdout),
    stderr: text(result.stderr),
    all: text(result.all),
    timedOut: result.timedOut,
    ...(notStarted ? { startError: `${file}: ${result.originalMessage || result.shortMessage}` } : {}),
  };
}
