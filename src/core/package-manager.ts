/**
 * Which package manager to use and how to spell its commands. The agent names and command
 * tables come from package-manager-detector, which tracks the managers' differences (yarn 1 vs
 * berry, pnpm 6, ...); this file only picks one.
 */
import { resolveCommand } from "package-manager-detector/commands";
import { resolveAgent } from "package-manager-detector/detect";

import { PACKAGE_MANAGERS, type PackageManagerName } from "./package-manager-names.js";
export { PACKAGE_MANAGERS, type PackageManagerName };

export interface PackageManager {
  name: PackageManagerName;
  version?: string;
}

/** `npm_config_user_agent` as set by `npm create`, `pnpm create`, `yarn create`, `bunx`: "pnpm/9.1.0 node/v22 ...". */
export function fromUserAgent(userAgent: string | undefined): PackageManager | undefined {
  const [name, version] = (userAgent ?? "").split(" ")[0]!.split("/");
  return (PACKAGE_MANAGERS as readonly string[]).includes(name ?? "")
    ? { name: name as PackageManagerName, version }
    : undefined;
}

/** --pm wins, then the manager that ran us, then npm. */
export function choosePackageManager(flag: string | undefined, userAgent: string | undefined): PackageManager {
  if (flag) return { name: flag as PackageManagerName };
  return fromUserAgent(userAgent) ?? { name: "npm" };
}

function agentOf(pm: PackageManager) {
  return resolveAgent(pm.name, pm.version)?.agent ?? pm.name;
}

export interface CommandLine {
  command: string;
  args: string[];
}

export function installCommand(pm: PackageManager): CommandLine {
  return resolveCommand(agentOf(pm), "install", []) ?? { command: pm.name, args: ["install"] };
}

export function runScriptCommand(pm: PackageManager, script: string): CommandLine {
  return resolveCommand(agentOf(pm), "run", [script]) ?? { command: pm.name, args: ["run", script] };
}

export function show(line: CommandLine): string {
  return [line.command, ...line.args].join(" ");
}
