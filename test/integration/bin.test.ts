/**
 * The bin itself (bin/create-do-kv.cjs): Node's compile cache only in a private folder of the
 * user's, and output to a pipe or a file that is whole, in order, and a failure to write it an exit 1. Each through the built bin, as a user runs it.
 */
import { execa } from "execa";
import { chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, runCli } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const OFFLINE = ["--yes", "--no-install", "--no-git", "--no-create-kv"];

/** A run with a cache home and a temporary folder of its own (Node's default cache folder is in the latter). */
async function run(args: string[], home: string, extra: Record<string, string> = {}) {
  const cwd = tempDir();
  const tmp = join(home, "tmp");
  mkdirSync(tmp, { recursive: true });
  const result = await runCli(args, {
    cwd,
    env: childEnv({ XDG_CACHE_HOME: join(home, "cache"), TMPDIR: tmp, NODE_COMPILE_CACHE: undefined, ...extra }),
  });
  return { ...result, cwd };
}

/** Every file under `dir`, recursively, with its size: what a run wrote there. */
function listing(dir: string): Record<string, number> {
  if (!existsSync(dir)) return {};
  const out: Record<string, number> = {};
  for (const path of readdirSync(dir, { recursive: true }) as string[]) out[path] = statSync(join(dir, path)).size;
  return out;
}

/** Makes the folder, then changes it. */
function made(dir: string, change: () => void): void {
  mkdirSync(dir, { recursive: true });
  change();
}

const compileCache = (home: string) => join(home, "cache", "create-do-kv", "compile-cache");

describe("Node's compile cache", () => {
  it("is kept in the user's own cache folder (mode 0700), never in the shared temporary folder", async () => {
    const home = tempDir("cdk-cc-");
    const result = await run(["app", ...OFFLINE], home);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(Object.keys(listing(compileCache(home))).length).toBeGreaterThan(0);
    expect(statSync(compileCache(home)).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(home, "tmp"))).toEqual([]);
  });

  it("a link planted where Node's default cache would go is never followed", async () => {
    const home = tempDir("cdk-cc-");
    const victim = tempDir("cdk-victim-");
    writeFileSync(join(victim, "keep.txt"), "mine");
    mkdirSync(join(home, "tmp", "node-compile-cache"), { recursive: true });
    symlinkSync(victim, join(home, "tmp", "node-compile-cache", "create-do-kv"));
    const result = await run(["app", ...OFFLINE], home);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(listing(victim)).toEqual({ "keep.txt": 4 });
  });

  const unsafe: [string, (dir: string, victim: string) => void][] = [
    ["a link to another folder", (dir, victim) => symlinkSync(victim, dir)],
    ["writable by others", (dir) => made(dir, () => chmodSync(dir, 0o777))],
    ["in a create-do-kv folder writable by others", (dir) => made(dir, () => chmodSync(join(dir, ".."), 0o777))],
    // XDG_CACHE_HOME's parent, above the base: others could rename the base away and bring their own.
    ["two folders below one writable by others", (dir) => made(dir, () => chmodSync(join(dir, "..", "..", ".."), 0o777))],
    ...(process.getuid?.() === 0
      ? [["another user's", (dir: string) => made(dir, () => chownSync(dir, 65534, 65534))] as [string, (dir: string) => void]]
      : []),
  ];
  it.each(unsafe)("a cache folder that is %s is not used: the run succeeds and writes nothing there", async (_, make) => {
    const home = tempDir("cdk-cc-");
    const victim = tempDir("cdk-victim-");
    mkdirSync(join(home, "cache", "create-do-kv"), { recursive: true });
    make(compileCache(home), victim);
    const before = listing(compileCache(home));
    const result = await run(["app", ...OFFLINE], home);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(listing(compileCache(home))).toEqual(before);
    expect(listing(victim)).toEqual({});
    expect(readdirSync(join(home, "tmp"))).toEqual([]);
  });

  it("NODE_DISABLE_COMPILE_CACHE=1 turns it off", async () => {
    const home = tempDir("cdk-cc-");
    const result = await run(["app", ...OFFLINE], home, { NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(listing(compileCache(home))).toEqual({});
  });

  it("a cache folder that cannot be made (a file in its place) changes nothing but speed", async () => {
    const home = tempDir("cdk-cc-");
    mkdirSync(join(home, "cache"), { recursive: true });
    writeFileSync(join(home, "cache", "create-do-kv"), "a file, not a folder");
    const result = await run(["app", ...OFFLINE], home);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readdirSync(result.cwd)).toEqual(["app"]);
    expect(readFileSync(join(home, "cache", "create-do-kv"), "utf8")).toBe("a file, not a folder");
  });
});

describe("output to a pipe or a file", () => {
  it("--json through a pipe is whole, and a second run`s JSON equals the first`s", async () => {
    const cache = tempDir("cdk-cc-");
    const runs = [await run(["app", ...OFFLINE, "--json"], cache), await run(["app", ...OFFLINE, "--json"], cache)];
    const reports = runs.map((r) => JSON.parse(r.stdout.replaceAll(r.cwd, "<cwd>")) as Record<string, unknown>);
    expect(reports[0]).toMatchObject({ status: "ok", exitCode: 0 });
    expect(reports[1]).toEqual(reports[0]);
  });

  it("to a file: the whole output, in order, with stderr in the same file", async () => {
    const cwd = tempDir();
    const log = join(cwd, "log.txt");
    const result = await execa(`${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} app ${OFFLINE.join(" ")} > log.txt 2>&1`, {
      shell: "/bin/bash",
      cwd,
      env: childEnv(),
      reject: false,
    });
    expect(result.exitCode).toBe(0);
    const text = readFileSync(log, "utf8");
    // In the order written: stderr's warning between stdout's lines, none lost at the exit.
    expect(text).toMatch(
      /^✔ Created app in .*\n▲ KV namespaces not created: .*\n\n {2}Durable Object[\s\S]*Next steps:[\s\S]* {2}npm run deploy .*\nDocs: .*flags-and-prompts\.md\n$/,
    );
  });

  it.each([["--version"], ["app", ...OFFLINE], ["app", ...OFFLINE, "--json"]])(
    "a device that refuses the write (/dev/full), for %s: exit 1, said on stderr",
    async (...args) => {
      const cwd = tempDir();
      const result = await execa(`${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} ${args.join(" ")} > /dev/full`, {
        shell: "/bin/bash",
        cwd,
        env: childEnv(),
        reject: false,
      });
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain("create-do-kv: the output could not be written: ENOSPC");
    },
  );
});

describe("a current folder removed under the shell", () => {
  it.each([[["app", ...OFFLINE]], [["sync", "--json"]]])("%s: exit 2 saying so (and a --json report), not a stack trace", async (args) => {
    const parent = tempDir();
    const gone = join(parent, "gone");
    mkdirSync(gone);
    const node = JSON.stringify(process.execPath);
    const result = await execa(
      `cd ${JSON.stringify(gone)} && rmdir ${JSON.stringify(gone)} && exec ${node} ${JSON.stringify(BIN)} ${args.join(" ")}`,
      {
        shell: "/bin/bash",
        env: childEnv(),
        reject: false,
      },
    );
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain("The current folder no longer exists");
    expect(result.stderr).not.toContain("uv_cwd");
    if (args.includes("--json")) expect(JSON.parse(result.stdout)).toMatchObject({ command: "sync", status: "invalid", exitCode: 2 });
    expect(readdirSync(parent)).toEqual([]);
  });
});
