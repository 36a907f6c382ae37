/**
 * Node 24 (the LTS most people run) and 26 (current), installed from the npm registry as the
 * repository's own Node 22 is; the rest of the suite runs on 22, the floor. On each line: the CLI
 * makes and installs a project with nothing on stderr but what it means to say (no runtime
 * warnings), and the project's own tests, type-check and deploy dry run pass.
 */
import { execa } from "execa";
import { readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { installTool } from "../helpers/installed.js";
import { BIN, childEnv } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const STEP = 600_000;

describe.each(["24", "26"])("Node %s", (line) => {
  const workspace = tempDir("cdk-node-line-");
  const root = join(workspace, "app");
  let env: Record<string, string | undefined>;
  let made: { exitCode?: number; stdout?: unknown; stderr?: unknown };
  const inProject = (command: string, ...args: string[]) =>
    execa(command, args, { cwd: root, env, extendEnv: false, reject: false, all: true, stdin: "ignore", timeout: STEP });

  beforeAll(async () => {
    const bin = await installTool(`node@${line}`);
    // First on PATH, so npm, npx and the project's scripts (wrangler, vitest, tsc) run on it too.
    env = childEnv({ PATH: `${bin}${delimiter}${process.env.PATH}` });
    delete env.npm_config_user_agent;
    made = await execa(join(bin, "node"), [BIN, "app", "--yes", "--no-git", "--no-create-kv", "--pm", "npm"], {
      cwd: workspace,
      env,
      extendEnv: false,
      reject: false,
      stdin: "ignore",
      timeout: STEP,
    });
  }, STEP);

  it("creates and installs a project, and prints no runtime warning", async () => {
    expect(made.exitCode, String(made.stderr)).toBe(0);
    expect(String(made.stderr)).not.toMatch(/Warning|deprecat|\(node:\d+\)/i);
    expect(readFileSync(join(root, "worker-configuration.d.ts"), "utf8")).toContain("interface Env");
    const version = await inProject("node", "--version");
    expect(version.stdout).toMatch(new RegExp(`^v${line}\\.`));
  });

  it(
    "passes the project's own tests, type-check and deploy --dry-run",
    async () => {
      const test = await inProject("npm", "test");
      expect(test.exitCode, test.all).toBe(0);
      expect(test.all).toMatch(/Tests\s+\d+ passed/);
      const typecheck = await inProject("npm", "run", "typecheck");
      expect(typecheck.exitCode, typecheck.all).toBe(0);
      const dry = await inProject("npx", "wrangler", "deploy", "--dry-run", "--outdir", "dist");
      expect(dry.exitCode, dry.all).toBe(0);
      expect(dry.all).toContain("--dry-run: exiting now.");
    },
    STEP,
  );
});
