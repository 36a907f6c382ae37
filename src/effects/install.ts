/** Installing the new project's dependencies with the chosen package manager. */
import { commandText, type CommandLine } from "../core/package-manager.js";
import { CliError } from "../errors.js";
import { run, tailOf } from "./process.js";

/** Runs `line` (from installCommand) in the project. */
export async function installDependencies(
  projectDir: string,
  line: CommandLine,
  options: { env: NodeJS.ProcessEnv; retry: string },
): Promise<void> {
  const result = await run(line.command, line.args, { cwd: projectDir, env: options.env });
  if (result.exitCode !== 0) {
    const output = [result.problem, tailOf(result.all.trim())].filter(Boolean).join("\n");
    throw new CliError(
      `\`${commandText(line)}\` failed${result.exitCode === undefined ? "" : ` (exit ${result.exitCode})`}; the project files were kept.\n${output}`,
      undefined,
      `To retry: ${options.retry}`,
    );
  }
}
