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
  /**
   * Why there is no exit code to go by, in words: the program could not start (not found), it
   * printed more than the cap, or a signal stopped it. Not set for a time limit (timedOut says so).
   */
  problem?: string;
}

/** How long a program that ignored SIGTERM after its time limit gets before SIGKILL. */
const KILL_GRACE_MS = 2_000;
/** Output kept per stream: a program that floods its output is stopped, not held in memory. */
export const MAX_OUTPUT_CHARS = 8_000_000;

/** The end of a long output, for a message: what a program said last is what explains its failure. */
export function tailOf(text: string, chars = 4_000): string {
  return text.length <= chars ? text : `[... ${text.length - chars} characters before ...]\n${text.slice(-chars)}`;
}

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
    maxBuffer: MAX_OUTPUT_CHARS,
  });
  const text = (value: unknown) => (typeof value === "string" ? value : "");
  // execa reports a program that could not start with a system error code and no exit code.
  const notStarted = result.exitCode === undefined && !result.timedOut && !result.isCanceled && result.signal === undefined && !result.isMaxBuffer;
  const problem = notStarted
    ? `${file}: ${result.originalMessage || result.shortMessage}`
    : result.isMaxBuffer
      ? `${file} printed more than ${MAX_OUTPUT_CHARS / 1_000_000} million characters and was stopped.`
      : result.signal !== undefined && !result.timedOut
        ? `${file} was stopped by ${result.signal}.`
        : undefined;
  return {
    exitCode: result.isMaxBuffer ? undefined : result.exitCode,
    stdout: text(result.stdout),
    stderr: text(result.stderr),
    all: text(result.all),
    timedOut: result.timedOut,
    ...(problem ? { problem } : {}),
  };
}
