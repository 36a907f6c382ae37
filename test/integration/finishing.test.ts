/** Install, git, --json, help and colour: what users of scaffolding CLIs take for granted. */
import { execa } from "execa";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { installDependencies } from "../../src/effects/install.js";
import { main, VERSION } from "../../src/cli.js";
import { buildProgram, earlyFlags } from "../../src/program.js";
import { CREATE_INPUTS } from "../../src/core/project/options.js";
import { readConfig } from "../../src/core/config/read.js";
import { choosePackageManager, fromUserAgent, installCommand, runScriptCommand, commandText } from "../../src/core/project/package-manager.js";
import type { Report } from "../../src/core/project/report.js";
import { Capture, makeIo } from "../helpers/io.js";
import { childEnv, runCli, SELF } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const OFFLINE = ["--no-install", "--no-git", "--no-create-kv"];

describe("package manager", () => {
  it.each([
    ["npm/11.19.1 node/v22.23.3 linux x64 workspaces/false", "npm", "npm i", "npm run dev"],
    ["pnpm/9.15.0 npm/? node/v22.12.0 linux x64", "pnpm", "pnpm i", "pnpm run dev"],
    ["yarn/1.22.22 npm/? node/v22.12.0 linux x64", "yarn", "yarn install", "yarn run dev"],
    ["yarn/4.5.0 npm/? node/v22.12.0 linux x64", "yarn", "yarn install", "yarn run dev"],
    ["bun/1.2.0 npm/? node/v22.6.0 linux x64", "bun", "bun install", "bun run dev"],
    [undefined, "npm", "npm i", "npm run dev"],
    ["deno/2.0.0", "npm", "npm i", "npm run dev"],
  ])("user agent %s -> %s", (userAgent, name, install, dev) => {
    const pm = choosePackageManager(undefined, userAgent);
    expect(pm.name).toBe(name);
    expect(commandText(installCommand(pm))).toBe(install);
    expect(commandText(runScriptCommand(pm, "dev"))).toBe(dev);
  });

  it.each([
    ["npm", undefined, "npm i --prefer-offline --no-audit --no-fund"],
    ["pnpm", "9.15.0", "pnpm i --prefer-offline"],
    ["yarn", "1.22.22", "yarn install --prefer-offline"],
    ["yarn", "4.5.0", "yarn install"],
    ["bun", "1.2.0", "bun install"],
  ] as const)("%s %s installs with `%s`", (name, version, command) => {
    expect(commandText(installCommand({ name, version }, { unattended: true }))).toBe(command);
  });

  it("--pm wins over the user agent", () => {
    expect(choosePackageManager("bun", "pnpm/9.0.0 node/v22").name).toBe("bun");
    expect(fromUserAgent("pnpm/9.0.0 node/v22")).toEqual({ name: "pnpm", version: "9.0.0" });
  });

  it.each([
    ["pnpm/9.15.0 npm/? node/v22.12.0 linux x64", [], "pnpm"],
    ["bun/1.2.0 npm/? node/v22.6.0 linux x64", [], "bun"],
    ["yarn/1.22.22 npm/? node/v22.12.0 linux x64", ["--pm", "npm"], "npm"],
  ])("the CLI under %s with %j plans to install with %s", async (userAgent, extra, name) => {
    const result = await runCli(["app", "--yes", "--dry-run", "--json", ...extra], {
      cwd: tempDir(),
      env: childEnv({ npm_config_user_agent: userAgent }),
    });
    const report = JSON.parse(result.stdout) as Report;
    expect(report.packageManager).toBe(name);
    expect(result.stderr).toContain(`Would install dependencies with \`${commandText(installCommand({ name } as never, { unattended: true }))}\``);
  });
});

describe("install", () => {
  it("an install that never ends is stopped at its time limit, with the retry command (exit 1)", async () => {
    const line = { command: process.execPath, args: ["-e", "console.log('resolving...'); setInterval(() => {}, 1000)"] };
    const attempt = installDependencies(tempDir(), line, { env: process.env, retry: "cd app && npm i", timeoutMs: 500 });
    await expect(attempt).rejects.toMatchObject({
      exitCode: 1,
      hint: "To finish: cd app && npm i",
      message: expect.stringMatching(/did not finish within 0.5 s and was stopped; the project files were kept\.\nresolving\.\.\./),
    });
  });

  it("a failed install shows the package manager's error, keeps the files, exits 1; the printed finish, followed as is, makes the whole project", async () => {
    const cwd = tempDir();
    const result = await runCli(["broken", "--yes", "--no-create-kv", "--pm", "npm"], {
      cwd,
      env: childEnv({
        // An empty cache and a registry nobody answers at: npm fails at once.
        npm_config_registry: "http://127.0.0.1:9/",
        npm_config_cache: tempDir("cdk-empty-cache-"),
        npm_config_fetch_retries: "0",
        npm_config_prefer_offline: "false",
      }),
      timeout: 120_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("`npm i --prefer-offline --no-audit --no-fund` failed (exit 1); the project files were kept.");
    expect(result.stderr).toMatch(/ECONNREFUSED|network/i);
    const finish = `cd broken && npm i && ${SELF} sync && git init --quiet && git add --all && git commit --quiet -m "Initial commit"`;
    expect(result.stderr).toContain(`To finish: ${finish}`);
    expect(existsSync(join(cwd, "broken", "wrangler.toml"))).toBe(true);
    expect(existsSync(join(cwd, "broken", "worker-configuration.d.ts"))).toBe(false);
    // Pasted into a shell, with the registry back: what the uninterrupted run would have made.
    const pasted = await execa("sh", ["-c", finish], { cwd, env: childEnv(), reject: false, all: true, timeout: 300_000 });
    expect(pasted.exitCode, pasted.all).toBe(0);
    const root = join(cwd, "broken");
    for (const file of ["worker-configuration.d.ts", "create-do-kv.json", "node_modules"]) expect(existsSync(join(root, file)), file).toBe(true);
    const tracked = (await execa("git", ["ls-files"], { cwd: root, env: childEnv() })).stdout.split("\n");
    expect(tracked).toEqual(expect.arrayContaining(["wrangler.toml", "worker-configuration.d.ts", "create-do-kv.json", "package-lock.json"]));
    const tsc = await execa(join(root, "node_modules", ".bin", "tsc"), ["--noEmit"], { cwd: root, env: childEnv(), reject: false, all: true });
    expect(tsc.exitCode, tsc.all).toBe(0);
  }, 420_000);
});

describe("git", () => {
  const git = (cwd: string, ...args: string[]) => execa("git", args, { cwd, env: childEnv(), reject: false });

  it("creates a repository with a first commit holding every file", async () => {
    const cwd = tempDir();
    const result = await runCli(["repo", "--yes", "--no-install", "--no-create-kv"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Initialized a git repository with a first commit.");
    const log = await git(join(cwd, "repo"), "log", "--oneline");
    expect(log.stdout.trim().split("\n")).toEqual([expect.stringContaining("Initial commit from create-do-kv")]);
    const files = (await git(join(cwd, "repo"), "ls-files")).stdout.split("\n");
    expect(files).toEqual(expect.arrayContaining(["wrangler.toml", "src/index.ts", ".gitignore", "test/index.test.ts"]));
  });

  it.each([
    ["toml, no install", ["--no-install"]],
    ["jsonc, broadcast, pnpm, no install", ["--no-install", "--format", "jsonc", "--template", "broadcast", "--pm", "pnpm"]],
    ["yarn, no install", ["--no-install", "--pm", "yarn", "--kv", "A,B"]],
  ])("--dry-run lists exactly the files the real run commits (%s)", async (_, flags) => {
    const cwd = tempDir();
    const dry = await runCli(["same", "--yes", "--no-create-kv", "--json", "--dry-run", ...flags], { cwd });
    const planned = (JSON.parse(dry.stdout) as Report).files;
    const real = await runCli(["same", "--yes", "--no-create-kv", "--json", ...flags], { cwd });
    expect(real.exitCode, real.stderr).toBe(0);
    const committed = (await git(join(cwd, "same"), "ls-files")).stdout.trim().split("\n");
    expect([...planned].sort()).toEqual([...committed].sort());
    expect((JSON.parse(real.stdout) as Report).files.sort()).toEqual([...planned].sort());
  });

  it("leaves an enclosing repository alone", async () => {
    const cwd = tempDir();
    await git(cwd, "init", "--quiet");
    const result = await runCli(["inner", "--yes", "--no-install", "--no-create-kv"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("inside an existing git repository");
    expect(existsSync(join(cwd, "inner", ".git"))).toBe(false);
    expect((await git(cwd, "log")).exitCode).not.toBe(0); // no commit was made in the outer one
  });

  it("without a git identity: a repository with nothing staged, no commit, and a note that says how to set one", async () => {
    const cwd = tempDir();
    const home = tempDir("cdk-home-");
    // No name or email anywhere, and no guessing from the host name (which some hosts allow).
    writeFileSync(join(home, ".gitconfig"), "[user]\n\tuseConfigOnly = true\n");
    const env = childEnv({ HOME: home, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: join(home, ".gitconfig") });
    for (const name of ["GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL", "EMAIL"]) delete env[name];
    const result = await runCli(["anon", "--yes", "--no-install", "--no-create-kv"], { cwd, env });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toContain("git does not know your name and email yet");
    expect(result.stderr).toContain("git config --global user.email");
    expect(existsSync(join(cwd, "anon", ".git"))).toBe(true);
    const staged = await execa("git", ["ls-files"], { cwd: join(cwd, "anon"), env: childEnv() });
    expect(staged.stdout).toBe("");
    expect((await git(join(cwd, "anon"), "log")).exitCode).not.toBe(0);
  });

  it("without git on PATH, notes it and still succeeds", async () => {
    const cwd = tempDir();
    const result = await runCli(["nogit", "--yes", "--no-install", "--no-create-kv"], {
      cwd,
      env: childEnv({ PATH: dirname(process.execPath) }),
    });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("git was not found; no repository was created.");
    expect(existsSync(join(cwd, "nogit", "wrangler.toml"))).toBe(true);
  });
});

describe("--json", () => {
  it("prints one object on stdout that matches the project on disk", async () => {
    const cwd = tempDir();
    const result = await runCli(
      ["j", "--yes", "--json", "--format", "jsonc", "--kv", "A,B", "--kv-id", "A=0123456789abcdef0123456789abcdef", ...OFFLINE],
      { cwd },
    );
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as Report; // the whole of stdout is the JSON
    const config = readConfig(readFileSync(report.config!.path, "utf8"), "jsonc");
    expect(report).toMatchObject({
      command: "create",
      status: "ok",
      exitCode: 0,
      dryRun: false,
      directory: join(cwd, "j"),
      config: { path: join(cwd, "j", "wrangler.jsonc"), format: "jsonc" },
      worker: config.name,
      durableObjects: [{ binding: "ROOM", class: "Room" }],
      migrations: config.migrations,
      packageManager: "npm",
      installed: false,
      git: null,
      error: null,
    });
    expect(report.kv).toEqual([
      { binding: "A", id: "0123456789abcdef0123456789abcdef", status: "given" },
      { binding: "B", id: null, status: "skipped", reason: "--no-create-kv was given" },
    ]);
    expect(config.kv_namespaces!.map((kv) => kv.id ?? null)).toEqual(report.kv.map((kv) => kv.id));
    expect(report.warnings).toEqual([expect.stringContaining("KV namespaces not created")]);
    for (const file of report.files) expect(existsSync(join(report.directory!, file)), file).toBe(true);
  });

  it("with --dry-run describes the plan and writes nothing", async () => {
    const cwd = tempDir();
    const result = await runCli(["plan", "--yes", "--json", "--dry-run"], { cwd });
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ dryRun: true, status: "ok", packageManager: "npm", installed: false });
    expect(report.files).toContain("wrangler.toml");
    expect(report.kv).toEqual([{ binding: "CACHE", id: null, status: "skipped", reason: expect.any(String) }]);
    expect(existsSync(join(cwd, "plan"))).toBe(false);
  });

  it("reports a refusal with its exit code", async () => {
    const result = await runCli(["x", "--json", "--class", "env", ...OFFLINE], { cwd: tempDir() });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout)).toMatchObject({ status: "invalid", exitCode: 2, error: expect.stringContaining("--class") });
  });

  it("works for sync", async () => {
    const cwd = tempDir();
    expect((await runCli(["s", "--yes", ...OFFLINE], { cwd })).exitCode).toBe(0);
    const result = await runCli(["sync", "--cwd", "s", "--json", "--no-create-kv"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      command: "sync",
      status: "ok",
      directory: join(cwd, "s"),
      kv: [{ binding: "CACHE", id: null, status: "skipped" }],
    });
  });
});

describe("sync's hints speak the manager that ran it", () => {
  it.each([
    ["pnpm/12.21.0 npm/? node/v22.23.3 linux x64", "pnpm dlx create-do-kv sync"],
    ["bun/1.4.5 npm/? node/v22.23.3 linux x64", "bun x create-do-kv sync"],
    [undefined, "npx create-do-kv sync"],
  ])("%s: %s", async (userAgent, command) => {
    const cwd = tempDir();
    const made = makeIo({ argv: ["p", "--yes", ...OFFLINE], cwd });
    expect(await main(made.io)).toBe(0);
    const { io, stderr } = makeIo({ argv: ["sync", "--cwd", "p"], cwd, env: { npm_config_user_agent: userAgent } });
    expect(await main(io), stderr.text).toBe(0);
    expect(stderr.text).toContain(`To create them later: ${command}`);
  });
});

describe("commander's errors, in the tool's one style", () => {
  it.each([
    [["--dryrun"], "✖ unknown option '--dryrun' (did you mean --dry-run?)\n  Run `create-do-kv --help` for usage.\n"],
    [["rename", "--klass", "A=B"], "✖ unknown option '--klass' (did you mean --class?)\n  Run `create-do-kv rename --help` for usage.\n"],
    [["check", "extra"], "✖ too many arguments for 'check'. Expected 0 arguments but got 1: extra.\n  Run `create-do-kv check --help` for usage.\n"],
  ])("%j: the same mark and hint as every refusal, exit 2", async (argv, printed) => {
    const { io, stderr, stdout } = makeIo({ argv, cwd: tempDir() });
    expect(await main(io)).toBe(2);
    expect(stderr.text).toBe(printed);
    expect(stdout.text).toBe("");
  });

  it("with --json: one object naming the command, the error and exit 2", async () => {
    const { io, stdout } = makeIo({ argv: ["rename", "--klass", "A=B", "--json"], cwd: tempDir() });
    expect(await main(io)).toBe(2);
    const report = JSON.parse(stdout.text) as Report;
    expect(report).toMatchObject({ command: "rename", status: "invalid", exitCode: 2 });
    expect(report.error).toContain("unknown option '--klass'");
  });
});

describe("help", () => {
  const io = makeIo({ argv: [], cwd: "/" }).io;
  const program = buildProgram(io, {
    create: async () => {},
    sync: async () => {},
    rename: async () => {},
    check: async () => {},
    add: async () => {},
  });
  const commands = [program, ...program.commands];
  // The reference: the README and every page of docs/.
  const docs = new URL("../../docs/", import.meta.url);
  const readme = [new URL("../../README.md", import.meta.url), ...readdirSync(docs).map((name) => new URL(name, docs))]
    .map((url) => readFileSync(url, "utf8"))
    .join("\n");

  it.each(commands.map((c) => [c.name(), c] as const))("%s --help lists every flag the parser knows, and the examples", async (_name, command) => {
    const flags = command.options.map((option) => option.long!).filter(Boolean);
    expect(flags.length).toBeGreaterThan(2);
    const help = `${command.helpInformation()}`;
    const { io: helpIo, stdout } = makeIo({ argv: [...(command === program ? [] : [command.name()]), "--help"], cwd: tempDir() });
    expect(await main(helpIo)).toBe(0);
    for (const flag of flags) {
      expect(help).toContain(flag);
      expect(stdout.text).toContain(flag);
      expect(readme, `the docs document ${flag}`).toContain(flag);
    }
    expect(stdout.text).toContain("Examples:");
  });

  it("every project input is a flag of create, with its choices, from its one declaration", () => {
    for (const input of CREATE_INPUTS.filter((i) => i.key !== "directory")) {
      const option = program.options.find((o) => o.long === input.flag);
      expect(option, input.flag).toBeDefined();
      expect(option!.argChoices ?? undefined).toEqual(input.choices?.map((c) => c.value));
    }
  });

  it.each([
    [["app", "--json", "--no-color", "--verbose"], { json: true, color: false, verbose: true }],
    [["app"], { json: false, color: true, verbose: false }],
    // After `--` nothing is a flag of ours.
    [["app", "--", "--json"], { json: false, color: true, verbose: false }],
  ])("earlyFlags(%j)", (argv, flags) => {
    expect(earlyFlags(argv)).toEqual(flags);
  });
});

describe("the name and version line", () => {
  async function firstLine(argv: string[], stdout: Capture, env: NodeJS.ProcessEnv = {}) {
    const { io } = makeIo({ argv, cwd: tempDir(), env, stdout });
    await main(io);
    return stdout.text.split("\n")[0];
  }
  it("starts a run in a terminal, as the first line", async () => {
    expect(await firstLine(["app", "--yes", "--dry-run"], new Capture(true))).toBe(`create-do-kv ${VERSION}`);
    expect(await firstLine(["sync", "--cwd", "nowhere"], new Capture(true))).toBe(`create-do-kv ${VERSION}`);
  });
  it("is never in piped output or --json", async () => {
    expect(await firstLine(["app", "--yes", "--dry-run"], new Capture(false))).not.toContain("create-do-kv 0");
    const json = new Capture(true);
    await firstLine(["app", "--yes", "--dry-run", "--json"], json);
    expect(JSON.parse(json.text)).toMatchObject({ command: "create", dryRun: true });
  });
});

describe("colour", () => {
  async function run(env: NodeJS.ProcessEnv, extra: string[] = []) {
    const cwd = tempDir();
    mkdirSync(join(cwd, "taken", "x"), { recursive: true });
    const stderr = new Capture(true);
    const { io } = makeIo({ argv: ["taken", "--yes", ...extra], cwd, env, stderr });
    await main(io);
    return stderr.chunks.join("");
  }
  it("colours a terminal, and not with NO_COLOR, --no-color, or a pipe", async () => {
    expect(await run({})).toContain("\u001b[31m✖");
    expect(await run({ NO_COLOR: "1" })).not.toContain("\u001b[");
    expect(await run({}, ["--no-color"])).not.toContain("\u001b[");
    const piped = new Capture(false);
    const { io } = makeIo({ argv: ["x", "--class", "env"], cwd: tempDir(), env: {}, stderr: piped });
    await main(io);
    expect(piped.text).toContain("--class");
    expect(piped.chunks.join("")).not.toContain("\u001b[");
  });
});
