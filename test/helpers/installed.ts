/** One installed generated project per test file, copied cheaply for each test that changes it. */
import { execa } from "execa";
import { cpSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import { runCli } from "./run.js";
import { tempDir } from "./tmp.js";

/** Creates an installed project `name` (offline for KV, no git) and returns its folder. */
export async function installedProject(args: string[] = [], name = "installed"): Promise<string> {
  const root = tempDir("cdk-installed-");
  const made = await runCli([name, "--yes", "--no-git", "--no-create-kv", ...args], { cwd: root, timeout: 600_000 });
  expect(made.exitCode, made.stderr).toBe(0);
  return join(root, name);
}

/**
 * A copy of `base` at `dir` without its node_modules, which is hard-linked (same file system:
 * fast, and the project's own) or, across file systems, a symbolic link to the base's.
 */
export async function copyProject(base: string, dir: string, modules: "hard-link" | "symlink" = "hard-link"): Promise<string> {
  cpSync(base, dir, { recursive: true, verbatimSymlinks: true, filter: (source) => source !== join(base, "node_modules") });
  if (modules === "symlink") symlinkSync(join(base, "node_modules"), join(dir, "node_modules"));
  else await execa("cp", ["-al", join(base, "node_modules"), join(dir, "node_modules")]);
  return dir;
}

/** Installs `spec` (a package manager, a Node line) from the registry into a folder of its own; returns its .bin folder. */
export async function installTool(spec: string): Promise<string> {
  const dir = tempDir("cdk-tool-");
  writeFileSync(join(dir, "package.json"), '{ "private": true }');
  const result = await execa("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", spec], { cwd: dir, reject: false, all: true });
  expect(result.exitCode, result.all).toBe(0);
  return join(dir, "node_modules", ".bin");
}
