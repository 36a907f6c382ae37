/** Installing the new project's dependencies with the chosen package manager. */
import type { Writable } from "node:stream";
import { installCommand, show, type PackageManager } from "../core/package-manager.js";
import { CliError } from "../errors.js";

export async function installDependencies(
  projectDir: string,
  pm: PackageManager,
  options: { env: NodeJS.ProcessEnv; progress?: Writable; retry: string },
): Promise<void> {
  const { execa } = await import("execa");
  const line = installCommand(pm);
  const result = await execa(line.command, line.args, {
    cwd: projectDir,
    env: options.env,
    extendEnv: false,
    stdin: "ignore",
    reject: false,
    all: true,
  });
  if (result.exitCode !== 0) {
    const output = String(result.all ?? "").trim() || String(result.message ?? "");
    throw new CliError(
      `\`${show(line)}\` failed${result.exitCode === undefined ? "" : ` (exit ${result.exitCode})`}; the project files were kept.\n${output}`,
      undefined,
      `To retry: ${options.retry}`,
    );
  }
}
