/**
 * Which package manager to use and how to spell its commands. The agent names and command
 * tables come from package-manager-detector, which tracks the managers' differences (yarn 1 vs
 * berry, pnpm 6, ...); this file only picks one.
 */
import { resolveCommand } from "package-manager-detector/commands";
import { resolveAgent } from "package-manager-detector/detect";
import { PACKAGE_MANAGERS, type PackageManagerName } from "./package-manager-names.js";

export interface PackageManager {
  name: PackageManagerName;
  version?: string;
}

/** `npm_config_user_agent` as set by `npm create`, `pnpm create`, `yarn create`, `bunx`: "pnpm/9.1.0 node/v22 ...". */
export function fromUserAgent(userAgent: string | undefined): PackageManager | undefined {
  const [name, version] = (userAgent ?? "").split(" ")[0]!.split("/");
  return (PACKAGE_MANAGERS as readonly string[]).includes(name ?? "") ? { name: name as PackageManagerName, version } : undefined;
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

/**
 * Managers whose install takes --prefer-offline: cached metadata is used without asking the
 * registry again, which halves a warm install (BENCHMARKS.md). Safe because the
 * template pins exact versions: a version missing from the cache is still fetched. yarn berry,
 * bun and deno have no such flag (bun is cache-first already).
 */
const PREFER_OFFLINE = new Set(["npm", "pnpm", "pnpm@6", "yarn"]);
/**
 * npm's audit and funding requests after an install: time for a report on the template's pinned devDependencies that the user never sees (the output is
 * hidden). `npm audit` in the project gives it when wanted.
 */
const NPM_QUIET = ["--no-audit", "--no-fund"];

/** The install command; `unattended` for the one this CLI runs itself, not the one it prints. */
export function installCommand(pm: PackageManager, options: { unattended?: boolean } = {}): CommandLine {
  const agent = agentOf(pm);
  const line = resolveCommand(agent, "install", []) ?? { command: pm.name, args: ["install"] };
  if (!options.unattended) return line;
  const extra = [...(PREFER_OFFLINE.has(agent) ? ["--prefer-offline"] : []), ...(agent === "npm" ? NPM_QUIET : [])];
  return { ...line, args: [...line.args, ...extra] };
}

/**
 * Environment for the install this CLI runs. yarn 2+ turns on immutable installs when CI is
 * set, and a new project has no lockfile yet, so its first install would be refused (YN0028).
 */
export function installEnv(pm: PackageManager): Record<string, string> {
  return pm.name === "yarn" ? { YARN_ENABLE_IMMUTABLE_INSTALLS: "false" } : {};
}

export function runScriptCommand(pm: PackageManager, script: string): CommandLine {
  return resolveCommand(agentOf(pm), "run", [script]) ?? { command: pm.name, args: ["run", script] };
}

export function commandText(line: CommandLine): string {
  return [line.command, ...line.args].join(" ");
}

/** A command line without its last `count` arguments: the part a README puts before a name. */
function prefixOf(line: CommandLine, count: number): string {
  return commandText({ command: line.command, args: line.args.slice(0, line.args.length - count) });
}

/**
 * How the generated project's README, AGENTS.md and next steps spell each kind of command for
 * this manager, as prefixes (`pnpm run` + ` test`). `exec` runs a bin the project installed
 * (`yarn wrangler` works in yarn 1 and 4 alike; the detector's yarn 1 form needs a `--`), `dlx`
 * one it did not (create-do-kv itself; yarn 1 has no dlx, so npx).
 */
export interface ManagerWords {
  name: PackageManagerName;
  install: string;
  ci: string;
  run: string;
  exec: string;
  dlx: string;
}

export function managerWords(pm: PackageManager): ManagerWords {
  const agent = agentOf(pm);
  const frozen = resolveCommand(agent, "frozen", []) ?? { command: pm.name, args: ["install"] };
  const local = resolveCommand(agent, "execute-local", ["x"]) ?? { command: "npx", args: ["x"] };
  const remote = resolveCommand(agent, "execute", ["x"]) ?? { command: "npx", args: ["x"] };
  return {
    name: pm.name,
    install: commandText(installCommand(pm)),
    ci: commandText(frozen),
    run: prefixOf(runScriptCommand(pm, "x"), 1),
    exec: pm.name === "yarn" ? "yarn" : prefixOf(local, 1),
    dlx: prefixOf(remote, 1),
  };
}
