/** Installing the new project's dependencies with the chosen package manager. */
import { commandText, type CommandLine } from "../core/project/package-manager.js";
import { CliError } from "../errors.js";
import { run, tailOf } from "./process.js";

/**
 * An install that has not finished in 30 minutes is not going to: a registry that accepts and
 * never answers, a lifecycle script waiting for input. A slow first install here takes 1 to 3.
 */
export const INSTALL_TIMEOUT_MS = 30 * 60_000;

/** Runs `line` (from installCommand) in the project. */
export async function installDependencies(
  projectDir: string,
  line: CommandLine,
  options: { env: NodeJS.ProcessEnv; retry: string; timeoutMs?: number },
): Promise<void> {
  const limit = options.timeoutMs ?? INSTALL_TIMEOUT_MS;
  const result = await run(line.command, line.args, { cwd: projectDir, env: options.env, timeoutMs: limit });
  if (result.timedOut) {
    const within = limit >= 60_000 ? `${Math.round(limit / 60_000)} minutes` : `${limit / 1000} s`;
    throw new CliError(
      `\`${commandText(line)}\` did not finish within ${within} and was stopped; the project files were kept.\n${tailOf(result.all.trim())}`,
      undefined,
      `To finish: ${options.retry}`,
    );
  }
  if (result.exitCode !== 0) {
    const output = [result.problem, tailOf(result.all.trim())].filter(Boolean).join("\n");
    throw new CliError(
      `\`${commandText(line)}\` failed${result.exitCode === undefined ? "" : ` (exit ${result.exitCode})`}; the project files were kept.\n${output}`,
      undefined,
      `To finish: ${options.retry}`,
    );
  }
}
