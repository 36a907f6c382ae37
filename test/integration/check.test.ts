/** `check` through the built CLI, on projects as users have them: committed in git, outside git, or made by hand. */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { Report } from "../../src/core/project/report.js";
import { runCli, SELF } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const OFFLINE = ["--yes", "--no-install", "--no-create-kv"];

async function project(...args: string[]) {
  const cwd = tempDir();
  const made = await runCli(["app", ...OFFLINE, ...args], { cwd });
  expect(made.exitCode, made.stderr).toBe(0);
  return join(cwd, "app");
}
const check = (dir: string, ...args: string[]) => runCli(["check", ...args], { cwd: dir });
const edit = (dir: string, file: string, from: string, to: string) => {
  const text = readFileSync(join(dir, file), "utf8");
  if (!text.includes(from)) throw new Error(`${from} not in ${file}`);
  writeFileSync(join(dir, file), text.replace(from, to));
};

describe("create-do-kv check", () => {
  it("a new project (committed by create): exit 0, says it is safe", async () => {
    const dir = await project();
    const result = await check(dir);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("The next deploy is safe for the Durable Objects and KV of app.");
  });

  it("a committed step edited: exit 1 with file:line and what to do, in --json too", async () => {
    const dir = await project();
    edit(dir, "wrangler.toml", 'new_sqlite_classes = ["Room"]', 'new_sqlite_classes = ["Room", "Log"]');
    const result = await check(dir, "--json");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/wrangler\.toml:\d+ The migration step "v1" was changed since the last commit/);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ command: "check", status: "failed", exitCode: 1 });
    expect(report.findings?.map((f) => f.message)).toEqual(
      expect.arrayContaining([expect.stringContaining('The migration step "v1" was changed'), expect.stringContaining('The class "Log" is live')]),
    );
  });

  it("a class renamed in the config with a new class instead of a renamed_classes step: the data-loss finding names the rename to run", async () => {
    const dir = await project("--format", "jsonc");
    edit(dir, "wrangler.jsonc", '"class_name": "Room"', '"class_name": "Chat"');
    edit(
      dir,
      "wrangler.jsonc",
      '"migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room"] }]',
      '"migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room"] }, { "tag": "v2", "new_sqlite_classes": ["Chat"] }]',
    );
    const result = await check(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('"Chat" would start empty and the objects of "Room" stay behind');
    expect(result.stderr).toContain(`${SELF} rename --class Room=Chat`);
  });

  it("outside git, create-do-kv.json is the reference for earlier steps", async () => {
    const dir = await project("--no-git");
    expect((await check(dir)).exitCode).toBe(0);
    edit(dir, "wrangler.toml", 'tag = "v1"', 'tag = "first"');
    const result = await check(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain('The migration step "v1" was changed since create-do-kv.json');
  });

  it("a Worker made by hand (no record, no git): the class must be bound, live and exported", async () => {
    const dir = tempDir("cdk-hand-");
    mkdirSync(join(dir, "src"));
    writeFileSync(
      join(dir, "src", "index.ts"),
      'import { DurableObject } from "cloudflare:workers";\nexport class Counter extends DurableObject {}\nexport default { fetch: () => new Response("ok") };\n',
    );
    const config = (bound: string) =>
      `{\n  "name": "hand",\n  "main": "src/index.ts",\n  "durable_objects": { "bindings": [{ "name": "COUNTER", "class_name": "${bound}" }] },\n  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Counter"] }]\n}\n`;
    writeFileSync(join(dir, "wrangler.jsonc"), config("Counter"));
    expect((await check(dir)).exitCode).toBe(0);
    writeFileSync(join(dir, "wrangler.jsonc"), config("Counters"));
    const result = await check(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toMatch(/wrangler\.jsonc:4 The binding "COUNTER" \(the top level\) uses the class "Counters", which no migration creates/);
  });

  it("a correct change the record has not caught up with: a notice, exit 0; --strict fails on it; --json gives the level", async () => {
    const dir = await project("--kv-id", "CACHE=0123456789abcdef0123456789abcdef");
    // A KV binding renamed by hand, its id kept: safe, only the record and types are behind.
    edit(dir, "wrangler.toml", 'binding = "CACHE"', 'binding = "STORE"');
    const code = join(dir, "src", "durable-object.ts");
    writeFileSync(code, readFileSync(code, "utf8").replaceAll("this.env.CACHE", "this.env.STORE"));
    const result = await check(dir, "--json");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/▲ wrangler\.toml:\d+ The bindings in wrangler\.toml differ from create-do-kv\.json/);
    expect(result.stderr).toContain("1 notice above: out of date, nothing at risk");
    const report = JSON.parse(result.stdout) as Report;
    expect(report.findings?.map((f) => f.level)).toEqual(["notice"]);
    const strict = await check(dir, "--strict");
    expect(strict.exitCode).toBe(1);
    expect(strict.stderr).toContain("1 notice, and --strict fails on notices.");
  });

  it("a KV namespace id changed since the last commit: an error in Cloudflare's terms, with a fix", async () => {
    const dir = await project("--kv-id", "CACHE=0123456789abcdef0123456789abcdef");
    edit(dir, "wrangler.toml", "0123456789abcdef0123456789abcdef", "fedcba9876543210fedcba9876543210");
    const result = await check(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("the Worker would read and write the other namespace, and its data would stay behind");
    expect(result.stderr).toContain("Rule: A KV binding reads and writes the namespace its id names");
  });

  it("a binding removed while the code reads it: an error until the code or the binding follows; the advice ends it", async () => {
    const dir = await project();
    edit(dir, "wrangler.toml", '[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n', "");
    const result = await check(dir);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("The code reads env.ROOM, which the last commit binds and wrangler.toml no longer does.");
    // Bound again, as the fix says: safe.
    edit(dir, "wrangler.toml", "[[migrations]]", '[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n\n[[migrations]]');
    expect((await check(dir)).exitCode).toBe(0);
  });

  it("no config: exit 2, not a finding", async () => {
    const result = await check(tempDir());
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("No wrangler.toml or wrangler.jsonc");
  });
});
