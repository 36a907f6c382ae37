/**
 * Running a program: argv only (no shell of ours), stdin closed unless the user's terminal is
 * handed over, an optional time limit that stops the program (SIGTERM, then SIGKILL), and output
 * collected as text. Written on cross-spawn (Node's spawn, plus Windows' `.cmd` shims) rather
 * than execa, which weighed 127 KB of the 300 KB package for these few features. Loaded on the
 * first spawn, with node:child_process: runs that spawn nothing never pay for either.
 */

export interface RunOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs?: number;
  /** Give the program the user's terminal (for `wrangler login`). */
  interactive?: boolean;
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

export async function run(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const { spawn } = await import("../vendor/spawn.js");
  return new Promise((resolve) => {
    const child = spawn(file, args, {
      cwd: options.cwd,
      env: options.env,
      stdio: options.interactive ? "inherit" : ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let all = "";
    let timedOut = false;
    let killer: NodeJS.Timeout | undefined;
    child.stdout?.setEncoding("utf8").on("data", (chunk: string) => ((stdout += chunk), (all += chunk)));
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => ((stderr += chunk), (all += chunk)));
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill("SIGTERM");
            killer = setTimeout(() => child.kill("SIGKILL"), 2_000);
          }, options.timeoutMs);
    const finish = (result: Pick<RunResult, "exitCode" | "startError">) => {
      clearTimeout(timer);
      clearTimeout(killer);
      resolve({ ...result, stdout, stderr, all, timedOut });
    };
    child.once("error", (error) => finish({ exitCode: undefined, startError: `${file}: ${error.message}` }));
    child.once("close", (code) => finish({ exitCode: code ?? undefined }));
  });
}
