/**
 * Every package manager, the way its users start a project: the packed tarball is published as
 * `create-do-kv` to a real registry on 127.0.0.1 (verdaccio; everything else proxied to npm's),
 * each manager (installed from the npm registry here, at the exact versions below, nothing
 * global assumed) runs it through its own `create` command, and the project it made passes its
 * own tests, type-check and `deploy --dry-run` through that same manager.
 */
import { execa } from "execa";
import { existsSync, readFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { managerWords, type PackageManager } from "../../src/core/project/package-manager.js";
import { installTool } from "../helpers/installed.js";
import { packAs, startRegistry, type Registry } from "../helpers/registry.js";
import { childEnv } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const STEP = 600_000;

interface Manager {
  /** What `npm install` takes, pinned: the README lists these versions. */
  spec: string;
  name: PackageManager["name"];
  version: string;
  lockfile: string;
  /** Points the manager at the test registry (each reads its own variables). */
  env(registry: string, home: string): Record<string, string>;
}

const MANAGERS: Manager[] = [
  {
    spec: "npm@11.21.2",
    name: "npm",
    version: "11.21.2",
    lockfile: "package-lock.json",
    // npm 11 asks before it runs a package it has not cached, CI or not; a user answers y. A cache
    // of its own, as a new machine has: npx would otherwise run a create-do-kv an earlier run cached.
    env: (url, home) => ({ npm_config_registry: url, npm_config_yes: "true", npm_config_cache: join(home, "npm-cache") }),
  },
  {
    // npm 12 blocks dependencies' install scripts that package.json's allowScripts does not approve.
    spec: "npm@12.2.3",
    name: "npm",
    version: "12.2.3",
    lockfile: "package-lock.json",
    env: (url, home) => ({ npm_config_registry: url, npm_config_yes: "true", npm_config_cache: join(home, "npm-cache") }),
  },
  {
    spec: "pnpm@12.21.0",
    name: "pnpm",
    version: "12.21.0",
    lockfile: "pnpm-lock.yaml",
    // pnpm 12 reads pnpm_config_*, not npm_config_* (measured: npm_config_registry is ignored).
    env: (url) => ({ pnpm_config_registry: url, npm_config_registry: url }),
  },
  {
    spec: "pnpm@11.28.10",
    name: "pnpm",
    version: "11.28.10",
    lockfile: "pnpm-lock.yaml",
    env: (url) => ({ pnpm_config_registry: url, npm_config_registry: url }),
  },
  {
    spec: "yarn@1.22.22",
    name: "yarn",
    version: "1.22.22",
    lockfile: "yarn.lock",
    // `yarn create` in yarn 1 is a global add: kept in the test's own folders.
    env: (url, home) => ({
      npm_config_registry: url,
      YARN_REGISTRY: url,
      YARN_GLOBAL_FOLDER: join(home, "global"),
      YARN_PREFIX: join(home, "prefix"),
      YARN_CACHE_FOLDER: join(home, "cache"),
    }),
  },
  {
    spec: "@yarnpkg/cli-dist@4.18.1",
    name: "yarn",
    version: "4.18.1",
    lockfile: "yarn.lock",
    env: (url, home) => ({
      YARN_NPM_REGISTRY_SERVER: url,
      YARN_UNSAFE_HTTP_WHITELIST: "127.0.0.1",
      // yarn 4 holds back versions younger than a day (npmMinimalAgeGate); the build under test is minutes old.
      YARN_NPM_PREAPPROVED_PACKAGES: "create-do-kv",
      YARN_GLOBAL_FOLDER: join(home, "global"),
      YARN_ENABLE_TELEMETRY: "0",
    }),
  },
  {
    spec: "bun@1.4.5",
    name: "bun",
    version: "1.4.5",
    lockfile: "bun.lock",
    env: (url, home) => ({ npm_config_registry: url, BUN_CONFIG_REGISTRY: url, BUN_INSTALL_CACHE_DIR: join(home, "cache") }),
  },
];

let registry: Registry;

beforeAll(async () => {
  // A version of its own for each run: a manager that cached an earlier 0.1.0 (npx, pnpm dlx)
  // would otherwise run that instead of this build.
  const version = `0.0.0-matrix.${Date.now()}`;
  registry = await startRegistry(await packAs(version));
  expect(registry.version).toBe(version);
}, STEP);

afterAll(async () => {
  await registry?.close();
});

describe.each(MANAGERS)("$spec create do-kv", (manager) => {
  const workspace = tempDir("cdk-pm-");
  const root = join(workspace, "app");
  const words = managerWords({ name: manager.name, version: manager.version });
  let env: Record<string, string | undefined>;
  let made: { exitCode?: number; all?: string };
  const inFolder =
    (cwd: string) =>
    (command: string, ...args: string[]) =>
      execa(command, args, { cwd, env, extendEnv: false, reject: false, all: true, stdin: "ignore", timeout: STEP });
  const inProject = inFolder(root);
  const inWorkspace = inFolder(workspace);

  beforeAll(async () => {
    const bin = await installTool(manager.spec);
    env = childEnv({ PATH: `${bin}${delimiter}${process.env.PATH}`, ...manager.env(registry.url, tempDir("cdk-pm-home-")) });
    // A user's shell has no npm_config_user_agent; the one `npm test` set must not say "npm"
    // to a manager that only fills it in when it is missing (bun).
    delete env.npm_config_user_agent;
    // npm reads flags after the package name as its own (npm's own --yes); `--` hands them on.
    const args = [...(manager.name === "npm" ? ["--"] : []), "app", "--yes", "--no-create-kv"];
    made = await inWorkspace(manager.name, "create", manager.name === "npm" ? "do-kv@latest" : "do-kv", ...args);
    expect(made.exitCode, made.all).toBe(0);
  }, STEP);

  it("ran this run's build, from the test registry, and pinned it in the project", () => {
    // The version exists only in the test registry: the project pins it, and installed it from there.
    const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.devDependencies["create-do-kv"]).toBe(registry.version);
    expect(manifest.scripts.check).toBe("create-do-kv check");
    const installed = JSON.parse(readFileSync(join(root, "node_modules", "create-do-kv", "package.json"), "utf8")) as { version: string };
    expect(installed.version).toBe(registry.version);
  });

  if (manager.name === "npm") {
    it("`npx create-do-kv` from anywhere runs the published build too", async () => {
      const version = await inWorkspace("npx", "create-do-kv", "--version");
      expect(version.exitCode, version.all).toBe(0);
      expect(version.stdout.trim()).toBe(registry.version);
    });
  }

  it("installs with that manager and speaks it in the next steps and the README", () => {
    const output = made.all ?? "";
    expect(output).toContain(`Installing dependencies with \`${manager.name} `);
    expect(output).toContain(`${words.run} test`);
    expect(existsSync(join(root, manager.lockfile))).toBe(true);
    expect(existsSync(join(root, "package-lock.json"))).toBe(manager.name === "npm");
    const readme = readFileSync(join(root, "README.md"), "utf8");
    expect(readme).toContain(`\`${words.ci} && ${words.run} test && ${words.run} deploy\``);
    expect(readme).not.toMatch(manager.name === "npm" ? /pnpm|yarn|bun/ : /\bnpm (run|ci|test)\b|\bnpx\b(?! create-do-kv)/);
    expect(readFileSync(join(root, "AGENTS.md"), "utf8")).toContain(`\`${words.run} test\``);
  });

  // npm 12 blocks install scripts that allowScripts does not approve (npm 11 only warns).
  if (manager.spec.startsWith("npm@12")) {
    it("approves the install scripts it needs: npm 12 has none left to review", async () => {
      // Without allowScripts this lists esbuild and workerd (measured), whose scripts npm 12 skipped.
      const review = await inProject("npm", "install-scripts", "ls");
      expect(review.exitCode, review.all).toBe(0);
      expect(review.all).toContain("No packages with unreviewed install scripts.");
    });
  }

  it("generates the binding types at creation", () => {
    expect(readFileSync(join(root, "worker-configuration.d.ts"), "utf8")).toContain("interface Env");
  });

  it("commits sources and the lockfile, never the manager's state or installed files", async () => {
    const tracked = (await inProject("git", "ls-files")).stdout.split("\n");
    expect(tracked).toContain(manager.lockfile);
    expect(tracked).toContain("worker-configuration.d.ts");
    expect(tracked.filter((path) => /^(node_modules|\.yarn\/|\.pnp|\.wrangler)/.test(path))).toEqual([]);
  });

  it(
    "passes its own tests, type-check and deploy --dry-run through the same manager",
    async () => {
      const [runCommand, ...runArgs] = words.run.split(" ");
      const [execCommand, ...execArgs] = words.exec.split(" ");
      const test = await inProject(runCommand!, ...runArgs, "test");
      expect(test.exitCode, test.all).toBe(0);
      expect(test.all).toMatch(/Tests\s+\d+ passed/);
      const typecheck = await inProject(runCommand!, ...runArgs, "typecheck");
      expect(typecheck.exitCode, typecheck.all).toBe(0);
      const dry = await inProject(execCommand!, ...execArgs, "wrangler", "deploy", "--dry-run", "--outdir", "dist");
      expect(dry.exitCode, dry.all).toBe(0);
      expect(dry.all).toContain("--dry-run: exiting now.");
      // The deploy script checks first, with this very create-do-kv run the manager's way (from the test registry).
      const deploy = await inProject(runCommand!, ...runArgs, "deploy", ...(manager.name === "npm" ? ["--"] : []), "--dry-run", "--outdir", "dist");
      expect(deploy.exitCode, deploy.all).toBe(0);
      expect(deploy.all).toContain("The next deploy is safe for the Durable Objects and KV of app.");
      expect(deploy.all).toContain("--dry-run: exiting now.");
    },
    STEP,
  );
});
