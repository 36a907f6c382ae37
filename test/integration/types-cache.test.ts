/**
 * The runtime-types cache on a real installed project with the real wrangler: what create
 * stores is what wrangler wrote, a seeded file is used only when intact and under wrangler's own
 * header, and a failure leaves no seed behind.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CACHE_KEEP, cacheName, runtimeHeader, runtimeSection, seal, unseal } from "../../src/core/runtime-types.js";
import { COMPATIBILITY_DATE } from "../../src/core/project/versions.js";
import { cacheDir } from "../../src/effects/types-cache.js";
import { generateTypes, TYPES_FILE } from "../../src/effects/wrangler.js";
import { childEnv, runCli } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const STEP = 600_000;
const MARK = "// came from the cache";

describe("runtime types cache", () => {
  const cacheHome = tempDir("cdk-cache-");
  const env = childEnv({ XDG_CACHE_HOME: cacheHome }) as NodeJS.ProcessEnv;
  let root: string;
  let types: string;
  let cacheFile: string;
  let header: string;

  beforeAll(async () => {
    const cwd = tempDir("cdk-types-");
    const made = await runCli(["typed", "--yes", "--no-create-kv", "--no-git"], { cwd, env, timeout: STEP });
    expect(made.exitCode, made.stderr).toBe(0);
    root = join(cwd, "typed");
    types = readFileSync(join(root, TYPES_FILE), "utf8");
    const files = readdirSync(cacheDir(env)!);
    expect(files).toHaveLength(1);
    cacheFile = join(cacheDir(env)!, files[0]!);
    const { version } = JSON.parse(readFileSync(join(root, "node_modules", "workerd", "package.json"), "utf8")) as { version: string };
    header = runtimeHeader(version, COMPATIBILITY_DATE);
  }, STEP);

  /** Removes the project's types file, runs our `wrangler types` step, returns the new file. */
  async function regenerate(options: { wrangler?: string } = {}): Promise<{ failure?: string; text?: string }> {
    rmSync(join(root, TYPES_FILE), { force: true });
    const failure = await generateTypes(root, env, options);
    const file = join(root, TYPES_FILE);
    return { failure, text: existsSync(file) ? readFileSync(file, "utf8") : undefined };
  }

  it("create keeps the runtime section wrangler wrote, under the header create-do-kv predicts", () => {
    const section = runtimeSection(types);
    expect(section?.header).toBe(header);
    expect(unseal(readFileSync(cacheFile, "utf8"))).toBe(section!.text);
  });

  it(
    "a new types file starts from the cache, and wrangler keeps what it finds there",
    async () => {
      const original = readFileSync(cacheFile, "utf8");
      try {
        writeFileSync(cacheFile, seal(`${unseal(original)}\n${MARK}`));
        const { failure, text } = await regenerate();
        expect(failure).toBeUndefined();
        expect(text).toContain(MARK);
      } finally {
        writeFileSync(cacheFile, original);
      }
      const { text } = await regenerate();
      expect(text).toBe(types);
    },
    STEP,
  );

  it(
    "storing keeps the newest few headers, by last use: a seed marks its file used, old ones go",
    async () => {
      const dir = cacheDir(env)!;
      const original = readFileSync(cacheFile, "utf8");
      const olds = Array.from({ length: CACHE_KEEP + 2 }, (_, i) => join(dir, cacheName(`an older header ${i}`)));
      olds.forEach((file, i) => {
        writeFileSync(file, original);
        utimesSync(file, 1_000_000 + i, 1_000_000 + i);
      });
      writeFileSync(join(dir, "unrelated.txt"), "kept");
      // A seed from the cache marks that file used (newer than every old one) ...
      utimesSync(cacheFile, 1, 1);
      expect((await regenerate()).failure).toBeUndefined();
      expect(statSync(cacheFile).mtimeMs).toBeGreaterThan(Date.now() - 600_000);
      // ... and storing a new header prunes: wrangler regenerates when our file is gone.
      rmSync(cacheFile);
      expect((await regenerate()).text).toBe(types);
      const left = readdirSync(dir).sort();
      expect(left).toEqual([cacheName(header), ...olds.slice(-(CACHE_KEEP - 1)).map((file) => file.slice(dir.length + 1)), "unrelated.txt"].sort());
      for (const file of olds) rmSync(file, { force: true });
    },
    STEP,
  );

  it(
    "a damaged cache file is not used: wrangler generates the types again",
    async () => {
      const original = readFileSync(cacheFile, "utf8");
      try {
        writeFileSync(cacheFile, `${original}\n${MARK}`); // the checksum no longer matches
        const { failure, text } = await regenerate();
        expect(failure).toBeUndefined();
        expect(text).toBe(types);
      } finally {
        writeFileSync(cacheFile, original);
      }
    },
    STEP,
  );

  it(
    "a cached section under another workerd's header is not used",
    async () => {
      const original = readFileSync(cacheFile, "utf8");
      try {
        const other = unseal(original)!.replace(header, runtimeHeader("1.20200101.0", COMPATIBILITY_DATE));
        writeFileSync(cacheFile, seal(`${other}\n${MARK}`));
        const { text } = await regenerate();
        expect(text).toBe(types);
      } finally {
        writeFileSync(cacheFile, original);
      }
    },
    STEP,
  );

  it("when wrangler fails after the seed was written, the seed is taken back", async () => {
    const failing = join(tempDir("cdk-fail-"), "wrangler");
    writeFileSync(failing, "#!/bin/sh\necho 'X [ERROR] types failed on purpose' >&2\nexit 1\n", { mode: 0o755 });
    const { failure, text } = await regenerate({ wrangler: failing });
    expect(failure).toContain("types failed on purpose");
    expect(text).toBeUndefined();
  });

  it(
    "a cache that cannot be written is no reason to fail",
    async () => {
      const blocked = tempDir("cdk-blocked-");
      writeFileSync(join(blocked, "file"), "");
      rmSync(join(root, TYPES_FILE), { force: true });
      // XDG_CACHE_HOME under a plain file: every cache read and write fails.
      const failure = await generateTypes(root, { ...env, XDG_CACHE_HOME: join(blocked, "file") });
      expect(failure).toBeUndefined();
      expect(readFileSync(join(root, TYPES_FILE), "utf8")).toBe(types);
    },
    STEP,
  );
});
