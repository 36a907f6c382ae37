/**
 * The bin itself (bin/create-do-kv.cjs): the code cache it keeps beside Node's compile cache,
 * and output written straight to a pipe or file. Each through the built bin, as a user runs it.
 */
import { execa } from "execa";
import { chmodSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, REPO, runCli } from "./helpers/run.js";
import { tempDir } from "./helpers/tmp.js";

const OFFLINE = ["--yes", "--no-install", "--no-git", "--no-create-kv"];
const MAGIC = "create-do-kv code cache 1\n";

/** The build's hash on dist/cli.cjs's first line, which names the cache file. */
const BUILD = /^\/\/ build ([0-9a-f]{16})\n/.exec(readFileSync(join(REPO, "dist", "cli.cjs"), "utf8"))?.[1];

/** A run with a compile cache folder of its own. */
async function run(args: string[], cache: string, extra: Record<string, string> = {}) {
  const cwd = tempDir();
  const result = await runCli(args, { cwd, env: childEnv({ NODE_COMPILE_CACHE: cache, ...extra }) });
  return { ...result, cwd };
}

/** Every code cache file under a compile cache folder (Node adds a folder per Node version). */
function cacheFiles(cache: string): string[] {
  return (readdirSync(cache, { recursive: true }) as string[])
    .filter((path) => /(^|\/)create-do-kv\/cli-[^/]+\.bin$/.test(path))
    .map((path) => join(cache, path));
}

describe("the code cache", () => {
  it("the build stamps dist/cli.cjs with its hash", () => {
    expect(BUILD).toMatch(/^[0-9a-f]{16}$/);
  });

  it("a command's first run writes it (the cache twice after a header), the next run reads it and leaves it", async () => {
    const cache = tempDir("cdk-cc-");
    const first = await run(["app", ...OFFLINE], cache);
    expect(first.exitCode, first.stderr).toBe(0);
    const [file, ...more] = cacheFiles(cache);
    expect(more).toEqual([]);
    expect(file).toContain(`cli-${BUILD}-${process.version}-${process.arch}.bin`);
    const data = readFileSync(file!);
    expect(data.subarray(0, MAGIC.length).toString()).toBe(MAGIC);
    const half = (data.length - MAGIC.length) / 2;
    expect(half).toBeGreaterThan(10_000);
    expect(data.subarray(MAGIC.length, MAGIC.length + half).equals(data.subarray(MAGIC.length + half))).toBe(true);
    const before = statSync(file!);

    const second = await run(["app", ...OFFLINE], cache);
    expect(second.exitCode, second.stderr).toBe(0);
    expect(second.stdout.replaceAll(second.cwd, "<cwd>")).toBe(first.stdout.replaceAll(first.cwd, "<cwd>"));
    const after = statSync(file!);
    expect([after.ino, after.mtimeMs]).toEqual([before.ino, before.mtimeMs]);
  });

  it("--help and --version write none: the cache is made by a command, which runs far more of the code", async () => {
    const cache = tempDir("cdk-cc-");
    for (const flag of ["--help", "--version"]) expect((await run([flag], cache)).exitCode).toBe(0);
    expect(cacheFiles(cache)).toEqual([]);
  });

  it.each([
    ["a flipped byte in one copy", (data: Buffer) => Buffer.concat([data.subarray(0, 5000), Buffer.from([data[5000]! ^ 0xff]), data.subarray(5001)])],
    ["cut short", (data: Buffer) => data.subarray(0, data.length - 1000)],
    ["garbage", () => Buffer.from("not a cache at all")],
    ["empty", () => Buffer.alloc(0)],
    ["the right header and two equal copies of garbage", () => Buffer.concat([Buffer.from(MAGIC), Buffer.alloc(4096, 7), Buffer.alloc(4096, 7)])],
  ])("a damaged cache (%s) is no cache: the run succeeds and writes a good one", async (_, damage) => {
    const cache = tempDir("cdk-cc-");
    const good = await run(["app", ...OFFLINE], cache);
    const [file] = cacheFiles(cache);
    const original = readFileSync(file!);
    writeFileSync(file!, damage(original));
    const result = await run(["app", ...OFFLINE], cache);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.replaceAll(result.cwd, "<cwd>")).toBe(good.stdout.replaceAll(good.cwd, "<cwd>"));
    const rewritten = readFileSync(file!);
    expect(rewritten.subarray(0, MAGIC.length).toString()).toBe(MAGIC);
    expect(rewritten.length).toBeGreaterThan(20_000);
  });

  /** A cache with the same byte flipped in both copies: it passes the comparison, and V8 would stop on it. */
  function poison(file: string): void {
    const data = readFileSync(file);
    const half = (data.length - MAGIC.length) / 2;
    for (const at of [MAGIC.length + 5000, MAGIC.length + half + 5000]) data[at] = data[at]! ^ 0xff;
    writeFileSync(file, data);
  }

  it.runIf(process.getuid !== undefined)("a cache folder others may write is not used, nor written to", async () => {
    const cache = tempDir("cdk-cc-");
    const good = await run(["app", ...OFFLINE], cache);
    const [file] = cacheFiles(cache);
    poison(file!);
    chmodSync(dirname(file!), 0o777);
    const before = readFileSync(file!);
    const result = await run(["app", ...OFFLINE], cache);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.replaceAll(result.cwd, "<cwd>")).toBe(good.stdout.replaceAll(good.cwd, "<cwd>"));
    expect(readFileSync(file!).equals(before)).toBe(true);
  });

  it.runIf(process.getuid?.() === 0)("a cache file of another user's, or writable by others, is not used", async () => {
    const cache = tempDir("cdk-cc-");
    const good = await run(["app", ...OFFLINE], cache);
    const [file] = cacheFiles(cache);
    poison(file!);
    for (const change of [() => chownSync(file!, 65534, 65534), () => (chownSync(file!, 0, 0), chmodSync(file!, 0o666))]) {
      change();
      const result = await run(["app", ...OFFLINE], cache);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout.replaceAll(result.cwd, "<cwd>")).toBe(good.stdout.replaceAll(good.cwd, "<cwd>"));
      poison(cacheFiles(cache)[0]!); // the run replaced it with a good one of its own: poison that too
    }
  });

  it("NODE_DISABLE_COMPILE_CACHE=1 turns it off as well", async () => {
    const cache = tempDir("cdk-cc-");
    const result = await run(["app", ...OFFLINE], cache, { NODE_DISABLE_COMPILE_CACHE: "1" });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(cacheFiles(cache)).toEqual([]);
  });

  it("a cache folder that cannot be made (a file in its place) changes nothing but speed", async () => {
    const cache = tempDir("cdk-cc-");
    const { stdout: directory } = await execa(process.execPath, ["-p", "require('node:module').enableCompileCache().directory"], {
      env: childEnv({ NODE_COMPILE_CACHE: cache }),
    });
    mkdirSync(directory, { recursive: true });
    writeFileSync(join(directory, "create-do-kv"), "a file, not a folder");
    const result = await run(["app", ...OFFLINE], cache);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readdirSync(result.cwd)).toEqual(["app"]);
    expect(cacheFiles(cache)).toEqual([]);
  });

  it("other builds' caches are pruned to the newest few", async () => {
    const cache = tempDir("cdk-cc-");
    await run(["--version"], cache); // makes Node's versioned folder
    const dir = join(readdirSync(cache).map((name) => join(cache, name))[0]!, "create-do-kv");
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < 6; i++) {
      const old = join(dir, `cli-${String(i).repeat(16)}-v0.0.${i}-x64.bin`);
      writeFileSync(old, "old");
      utimesSync(old, 1_000_000 + i * 1000, 1_000_000 + i * 1000);
    }
    writeFileSync(join(dir, "unrelated.txt"), "kept");
    expect((await run(["app", ...OFFLINE], cache)).exitCode).toBe(0);
    expect(readdirSync(dir).sort()).toEqual(
      [`cli-${BUILD}-${process.version}-${process.arch}.bin`, "cli-3333333333333333-v0.0.3-x64.bin", "cli-4444444444444444-v0.0.4-x64.bin", "cli-5555555555555555-v0.0.5-x64.bin", "unrelated.txt"].sort(),
    );
  });
});

describe("output straight to a pipe or file", () => {
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
    expect(text).toMatch(/^✔ Created app in .*\n▲ KV namespaces not created: .*\n\n {2}Durable Object[\s\S]*Next steps:[\s\S]* {2}npm run deploy .*\n$/);
  });

  it("a device that refuses the write (/dev/full): exit 1, said on stderr", async () => {
    const result = await execa(`${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --version > /dev/full`, {
      shell: "/bin/bash",
      env: childEnv(),
      reject: false,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("create-do-kv: the output could not be written: ENOSPC");
  });
});
