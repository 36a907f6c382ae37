/**
 * What a run loads: start-up pays only for what the command uses. Prompts (dist/prompts.cjs)
 * only with a terminal, child processes only when something is spawned, the diff library
 * (dist/diff.cjs) and the rename engine only for rename, stdin only to prompt. Measured on the
 * built bin, by resolving hooks and Node's own list of loaded built-ins.
 */
import { execa } from "execa";
import { spawn } from "node:child_process";
import { closeSync, mkdirSync, openSync, readFileSync, symlinkSync, writeSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, REPO } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const RECORDER = pathToFileURL(join(REPO, "test", "helpers", "record-loads.mjs")).href;
const DIST = pathToFileURL(join(REPO, "dist")).href;

interface Loads {
  /** Files under dist/ loaded on demand, relative to it (not cli.cjs and private-folder.cjs, which every run loads). */
  dist: string[];
  /** Everything else resolved (node_modules and the like), as URLs. */
  other: string[];
  builtins: string[];
}

async function loadsOf(args: string[], cwd = tempDir(), output: "file" | "pipe" = "file"): Promise<Loads> {
  const dir = tempDir("cdk-loads-");
  const out = join(dir, "loads.json");
  const log = openSync(join(dir, "output.txt"), "w");
  // stdin a pipe, as in CI: opening it would load node:net, which shows whether it was touched.
  // stdout and stderr a file (plain spawn: execa pipes even with { file }), or pipes.
  const child = spawn(process.execPath, ["--import", RECORDER, BIN, ...args], {
    cwd,
    env: childEnv({ CDK_LOADS_OUT: out }),
    stdio: ["pipe", output === "file" ? log : "pipe", output === "file" ? log : "pipe"],
  });
  child.stdout?.on("data", (data: Buffer) => writeSync(log, data));
  child.stderr?.on("data", (data: Buffer) => writeSync(log, data));
  const exitCode = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  child.stdin?.destroy();
  closeSync(log);
  expect(exitCode, readFileSync(join(dir, "output.txt"), "utf8")).toBe(0);
  return readLoads(out);
}

function readLoads(out: string): Loads {
  const { files, builtins } = JSON.parse(readFileSync(out, "utf8")) as { files: string[]; builtins: string[] };
  const ours = files.filter(
    (url) =>
      url.startsWith("file:") &&
      !url.endsWith("record-loads.mjs") &&
      !url.endsWith("create-do-kv.cjs") &&
      !url.endsWith("/dist/cli.cjs") &&
      !url.endsWith("/dist/private-folder.cjs"),
  );
  return {
    dist: [...new Set(ours.filter((url) => url.startsWith(DIST)).map((url) => url.slice(DIST.length + 1)))],
    other: ours.filter((url) => !url.startsWith(DIST)),
    builtins,
  };
}

const OFFLINE = ["--yes", "--no-install", "--no-git", "--no-create-kv"];

describe("start-up loads only what the command needs", () => {
  it.each([["--help"], ["--version"]])("%s: the CLI's one file, no library loaded on demand, no child process", async (flag) => {
    const loads = await loadsOf([flag]);
    expect(loads.dist).toEqual([]);
    expect(loads.other).toEqual([]);
    expect(loads.builtins).not.toContain("child_process");
    expect(loads.builtins).not.toContain("readline");
    expect(loads.builtins).not.toContain("net");
  });

  it("a scaffold without network or terminal: no prompts, child process, diff or TypeScript", async () => {
    const loads = await loadsOf(["app", ...OFFLINE]);
    expect(loads.dist).toEqual([]);
    expect(loads.other).toEqual([]);
    expect(loads.builtins).not.toContain("child_process");
    expect(loads.builtins).not.toContain("readline");
    expect(loads.builtins).not.toContain("net"); // stdin was never opened
    expect(loads.builtins).not.toContain("fs/promises"); // all file work is synchronous
    expect(loads.builtins).not.toContain("crypto"); // only the runtime-types cache hashes, after an install
  });

  it("git init does load the spawning library and child_process (the checks above can see them)", async () => {
    const loads = await loadsOf(["app", "--yes", "--no-install", "--no-create-kv"]);
    expect(loads.dist).toEqual(["spawn.cjs"]);
    expect(loads.builtins).toContain("child_process");
  });

  it("rename --dry-run loads the diff library, the project's TypeScript, and the spawning library for `wrangler types`", async () => {
    const cwd = tempDir();
    await execa(process.execPath, [BIN, "app", ...OFFLINE], { cwd, env: childEnv(), stdin: "ignore" });
    // The rename engine is the project's own TypeScript; lend it the repo's instead of installing.
    mkdirSync(join(cwd, "app", "node_modules"));
    symlinkSync(join(REPO, "node_modules", "typescript"), join(cwd, "app", "node_modules", "typescript"));
    const loads = await loadsOf(["rename", "--class", "Room=Lobby", "--dry-run"], join(cwd, "app"));
    expect(loads.dist.sort()).toEqual(["diff.cjs", "spawn.cjs"]);
    expect(loads.other).toEqual([expect.stringMatching(/\/node_modules\/typescript\/lib\/typescript\.js$/)]);
  });

  it("on a terminal: the prompts file loads, and the answers make the project", async () => {
    const cwd = tempDir();
    const out = join(tempDir("cdk-loads-"), "loads.json");
    // script(1) gives the run a real pseudo-terminal; stty gives it a width, as a terminal has.
    const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
    const command = [
      "stty cols 100 rows 40;",
      "exec",
      ...[process.execPath, "--import", RECORDER, BIN, "--no-install", "--no-git", "--no-create-kv"].map(quote),
    ];
    const child = spawn("script", ["-q", "-e", "-c", command.join(" "), "/dev/null"], {
      cwd,
      env: childEnv({ CI: undefined, CDK_LOADS_OUT: out }),
      stdio: ["pipe", "pipe", "pipe"],
    });
    // Answer each question once, as it appears: a directory name, then Enter for every default.
    let screen = "";
    const answered = new Set<string>();
    child.stdout.on("data", (data: Buffer) => {
      screen += stripVTControlCharacters(data.toString());
      for (const [, question] of screen.matchAll(/◆ {2}([^\r\n]+)/g)) {
        if (answered.has(question!)) continue;
        answered.add(question!);
        child.stdin.write(answered.size === 1 ? "\x15app\r" : "\r"); // Ctrl-U clears the offered default
      }
    });
    const exitCode = await new Promise<number | null>((resolve) => child.on("exit", resolve));
    expect(exitCode, screen).toBe(0);
    expect([...answered]).toEqual(expect.arrayContaining(["Where should the project go?", "Durable Object class name"]));
    const loads = readLoads(out);
    expect(loads.dist).toEqual(["prompts.cjs"]);
    expect(loads.builtins).toContain("readline");
    expect(loads.builtins).not.toContain("child_process");
    expect(readFileSync(join(cwd, "app", "wrangler.toml"), "utf8")).toMatch(/^name = "app"$/m);
  }, 30_000);
});
