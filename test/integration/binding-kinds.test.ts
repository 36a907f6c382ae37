/**
 * The binding-kind registry against the real wrangler: a Worker with one binding of every kind
 * (test/fixtures/every-binding-kind), its types made by the pinned `wrangler types`, and what
 * the registry says each kind is declared as in Env; then `check` on it as a user runs it.
 */
import { execa } from "execa";
import { cpSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { BINDING_KINDS } from "../../src/core/bindings/kinds.js";
import { readConfig } from "../../src/core/config/read.js";
import { allBindings } from "../../src/core/config/sections.js";
import { ENV_BLOCK, envNames } from "../../src/core/types-env.js";
import { childEnv, REPO, runCli } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const wranglerJs = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "bin", "wrangler.js");
const CONFIG = "wrangler.jsonc";

describe("a Worker with a binding of every kind wrangler knows", () => {
  let dir: string;
  let types: string;

  beforeAll(async () => {
    dir = join(tempDir("cdk-kinds-"), "kinds");
    cpSync(join(REPO, "test", "fixtures", "every-binding-kind"), dir, { recursive: true });
    const made = await execa(process.execPath, [wranglerJs, "types", "--include-runtime=false"], {
      cwd: dir,
      env: childEnv(),
      reject: false,
      all: true,
    });
    expect(made.exitCode, made.all).toBe(0);
    types = readFileSync(join(dir, "worker-configuration.d.ts"), "utf8");
  }, 120_000);

  it("has every kind the registry declares", () => {
    const config = readConfig(readFileSync(join(dir, CONFIG), "utf8"), "jsonc");
    expect(new Set(allBindings(config).map((b) => b.kind))).toEqual(new Set(BINDING_KINDS.map((k) => k.label)));
  });

  it("is typed by wrangler as the registry says, each binding under its own name", () => {
    const config = readConfig(readFileSync(join(dir, CONFIG), "utf8"), "jsonc");
    const block = ENV_BLOCK.exec(types)?.[1] ?? "";
    const declared = envNames(types)!;
    for (const binding of allBindings(config)) {
      const kind = BINDING_KINDS.find((k) => k.label === binding.kind)!;
      expect(declared.has(binding.name), `${binding.kind} ${binding.name}`).toBe(binding.inEnv);
      if (!kind.envType) continue;
      const line = block.split("\n").find((l) => l.startsWith(`\t${binding.name}: `)) ?? "";
      expect(line.slice(`\t${binding.name}: `.length), `${binding.kind} ${binding.name}`).toMatch(
        new RegExp(`^(import\\("[^"]+"\\)\\.)?${kind.envType.replace(/[.{]/g, "\\$&")}(?![\\w$])`),
      );
    }
  });

  it("passes check untouched, and a binding added without new types is a notice that --strict fails on", async () => {
    const untouched = await runCli(["check", "--strict"], { cwd: dir });
    expect(untouched.exitCode, `${untouched.stdout}\n${untouched.stderr}`).toBe(0);
    // Neither git nor a record here: the verdict says what it was judged by.
    expect(untouched.stdout).toContain("(no commit and no create-do-kv.json to compare with: judged by the config and code alone)");
    const path = join(dir, CONFIG);
    writeFileSync(path, readFileSync(path, "utf8").replace('"vars": { ', '"vars": { "ADDED": "x", '));
    const notice = await runCli(["check"], { cwd: dir });
    expect(notice.exitCode, notice.stderr).toBe(0);
    expect(notice.stderr).toContain("ADDED is bound but not declared");
    expect((await runCli(["check", "--strict"], { cwd: dir })).exitCode).toBe(1);
  });
});
