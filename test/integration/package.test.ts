/**
 * The published form: what `npm pack` puts in the tarball, publint's verdict, and the tarball
 * installed into an empty folder and run, proving the package works, not just the source tree.
 */
import { execa } from "execa";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { childEnv, REPO } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

interface Packed {
  filename: string;
  size: number;
  files: { path: string }[];
}

let packed: Packed;
const packDir = tempDir("cdk-pack-");

beforeAll(async () => {
  const result = await execa("npm", ["pack", "--json", "--pack-destination", packDir], { cwd: REPO, env: childEnv() });
  packed = (JSON.parse(result.stdout) as Packed[])[0]!;
}, 120_000);

describe("the package", () => {
  it("holds the bin, the bundle and the templates, and nothing else", () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "package.json",
        "README.md",
        "LICENSE",
        "bin/create-do-kv.cjs",
        "dist/cli.cjs",
        "dist/prompts.cjs",
        "dist/diff.cjs",
        "dist/spawn.cjs",
        "templates/default/wrangler.toml",
        "templates/default/wrangler.jsonc",
        "templates/default/_gitignore",
        "templates/default/src/durable-object.ts",
        "templates/broadcast/src/durable-object.ts",
        "templates/default/.node-version",
        // The README links into docs/: the package carries them, so the links work where it is read.
        "docs/README.md",
        "docs/check.md",
        "CHANGELOG.md",
      ]),
    );
    const stray = paths.filter(
      (path) =>
        !/^(package\.json|README\.md|CHANGELOG\.md|LICENSE|docs\/[A-Za-z-]+\.md|bin\/create-do-kv\.cjs|dist\/(cli|prompts|diff|spawn|fs|private-folder)\.cjs|templates\/(default|broadcast|package-managers\/[a-z]+)\/.+)$/.test(
          path,
        ) || path.endsWith(".map"),
    );
    expect(stray).toEqual([]);
  });

  // Nothing for npm to resolve at `npx` time, and a budget (why 185 kB: BENCHMARKS.md,
  // "Packed size"). create-vite 9.3.0 packs to 79 kB; create-cloudflare is several MB.
  it("has no runtime dependencies and packs to under 185 kB", () => {
    const pkg = JSON.parse(readFileSync(join(REPO, "package.json"), "utf8"));
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(packed.size).toBeLessThanOrEqual(185_000);
  });

  it("the template pins the wrangler its @cloudflare/vitest-plugin pins (one wrangler, miniflare and workerd)", async () => {
    const pins = JSON.parse(readFileSync(join(REPO, "templates", "default", "package.json"), "utf8")).devDependencies;
    const view = await execa("npm", ["view", `@cloudflare/vitest-plugin@${pins["@cloudflare/vitest-plugin"]}`, "dependencies.wrangler"], {
      env: childEnv(),
    });
    expect(view.stdout.trim()).toBe(pins.wrangler);
  }, 60_000);

  it("passes publint", async () => {
    const result = await execa(join(REPO, "node_modules", ".bin", "publint"), ["--strict"], { cwd: REPO, reject: false, all: true });
    expect(result.exitCode, result.all).toBe(0);
  }, 60_000);

  it("installed from the tarball into an empty folder, scaffolds a project", async () => {
    const cwd = tempDir("cdk-tarball-");
    const tarball = join(packDir, packed.filename);
    const result = await execa(
      "npx",
      ["--yes", "--package", tarball, "--", "create-do-kv", "from-tarball", "--yes", "--no-install", "--no-git", "--no-create-kv"],
      { cwd, env: childEnv({ npm_config_cache: tempDir("cdk-npx-cache-") }), reject: false, all: true, timeout: 120_000 },
    );
    expect(result.exitCode, result.all).toBe(0);
    expect(existsSync(join(cwd, "from-tarball", "wrangler.toml"))).toBe(true);
    expect(existsSync(join(cwd, "from-tarball", ".gitignore"))).toBe(true);
    expect(readFileSync(join(cwd, "from-tarball", "src", "durable-object.ts"), "utf8")).toContain("export class Room");
  }, 120_000);
});
