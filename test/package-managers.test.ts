/**
 * Other package managers, installed from the npm registry by the test itself (nothing global is
 * assumed): the project create-do-kv makes with --pm installs and passes its own checks through
 * that manager. pnpm 11 and 12 refuse a dependency's build script unless the project approves
 * it (ERR_PNPM_IGNORED_BUILDS): the generated pnpm-workspace.yaml does.
 */
import { execa } from "execa";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { childEnv, runCli } from "./helpers/run.js";
import { tempDir } from "./helpers/tmp.js";

const STEP = 600_000;

/** Installs `spec` (e.g. pnpm@12) into a folder of its own; returns its .bin folder. */
async function installTool(spec: string): Promise<string> {
  const dir = tempDir("cdk-tool-");
  writeFileSync(join(dir, "package.json"), '{ "private": true }');
  const result = await execa("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", spec], { cwd: dir, reject: false, all: true });
  expect(result.exitCode, result.all).toBe(0);
  return join(dir, "node_modules", ".bin");
}

describe.each(["pnpm@12", "pnpm@11"])("a project made and checked with %s", (spec) => {
  const workspace = tempDir("cdk-pm-");
  const root = join(workspace, "app");
  let env: Record<string, string | undefined>;
  const pnpm = (...args: string[]) => execa("pnpm", args, { cwd: root, env, reject: false, all: true, stdin: "ignore", timeout: STEP });

  beforeAll(async () => {
    const bin = await installTool(spec);
    env = childEnv({ PATH: `${bin}${delimiter}${process.env.PATH}`, npm_config_user_agent: `${spec.replace("@", "/")}.0.0 npm/? node/${process.version}` });
    mkdirSync(workspace, { recursive: true });
    const made = await runCli(["app", "--yes", "--no-git", "--no-create-kv"], { cwd: workspace, env, timeout: STEP });
    expect(made.exitCode, `${made.stdout}\n${made.stderr}`).toBe(0);
    expect(made.stdout).toContain("Installing dependencies with `pnpm ");
  }, STEP);

  it("approves the builds pnpm would stop the install for", () => {
    expect(existsSync(join(root, "pnpm-workspace.yaml"))).toBe(true);
    expect(existsSync(join(root, "node_modules", ".bin", "wrangler"))).toBe(true);
    expect(existsSync(join(root, "worker-configuration.d.ts"))).toBe(true);
  });

  it("passes its own tests, type-check and deploy --dry-run through pnpm", async () => {
    const test = await pnpm("test");
    expect(test.exitCode, test.all).toBe(0);
    const typecheck = await pnpm("run", "typecheck");
    expect(typecheck.exitCode, typecheck.all).toBe(0);
    const dry = await pnpm("exec", "wrangler", "deploy", "--dry-run", "--outdir", "dist");
    expect(dry.exitCode, dry.all).toBe(0);
  }, STEP);
});
