/** Installing the new project's dependencies with the chosen package manager. */
import { installCommand, show, type PackageManager } from "../core/package-manager.js";
import { CliError } from "../errors.js";
import { run } from "./process.js";

export async function installDependencies(
  projectDir: string,
  pm: PackageManager,
  options: { env: NodeJS.ProcessEnv; retry: string },
): Promise<void> {
  const line = installCommand(pm, { preferOffline: true });
  const result = await run(line.command, line.args, { cwd: projectDir, env: options.env });
  if (result.exitCode !== 0) {
    const output = result.all.trim() || result.startError || "";
    throw new CliError(
      `\`${show(line)}\` failed${result.exitCode === undefined ? "" : ` (exit ${result.exitCode})`}; the project files were kept.\n${output}`,
      undefined,
      `To retry: ${options.retry}`,
    );
  }
}
