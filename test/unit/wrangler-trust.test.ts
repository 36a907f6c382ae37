/** Which wrangler runs: never one whose code other users could have changed. */
import { chmodSync, mkdirSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { findWrangler } from "../../src/effects/wrangler.js";
import { tempDir } from "../helpers/tmp.js";

/** A package folder laid out as npm installs wrangler: bin/wrangler.js starting wrangler-dist/cli.js. */
function wranglerPackage(modules: string): string {
  const pkg = join(modules, "wrangler");
  mkdirSync(join(pkg, "bin"), { recursive: true });
  mkdirSync(join(pkg, "wrangler-dist"), { recursive: true });
  writeFileSync(join(pkg, "package.json"), '{ "name": "wrangler" }');
  writeFileSync(join(pkg, "bin", "wrangler.js"), "#!/usr/bin/env node\n", { mode: 0o755 });
  writeFileSync(join(pkg, "wrangler-dist", "cli.js"), "");
  return pkg;
}

/** A project with wrangler and one of its dependencies installed, and a PATH folder with none. */
function project(): { dir: string; modules: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir("cdk-wrangler-");
  const modules = join(dir, "node_modules");
  wranglerPackage(modules);
  mkdirSync(join(modules, "miniflare", "dist"), { recursive: true });
  mkdirSync(join(modules, ".bin"));
  symlinkSync("../wrangler/bin/wrangler.js", join(modules, ".bin", "wrangler"));
  const empty = join(dir, "..", `${dir.split("/").pop()}-path`);
  mkdirSync(empty);
  return { dir, modules, env: { PATH: empty } };
}

describe.runIf(process.getuid !== undefined)("findWrangler", () => {
  it("runs the project's own by its real file, so a link swapped after the check changes nothing", () => {
    const { dir, modules, env } = project();
    expect(findWrangler(dir, env)).toEqual({
      file: realpathSync(join(modules, "wrangler", "bin", "wrangler.js")),
      prefix: [],
      source: "the project's node_modules",
    });
  });

  it.each([
    ["wrangler's own code (wrangler-dist)", "wrangler/wrangler-dist"],
    ["a file of it", "wrangler/wrangler-dist/cli.js"],
    ["a dependency it loads", "miniflare/dist"],
    ["the folder of its link", ".bin"],
    ["node_modules itself", "."],
  ])("passes over the project's when other users can write %s, and says so", (_, path) => {
    const { dir, modules, env } = project();
    chmodSync(join(modules, path), 0o777);
    const open = join(realpathSync(modules), path).replace(/\/\.$/, "");
    // A project being created may take the version it pins through npx, said so...
    const found = findWrangler(dir, env, undefined, "wrangler@4.157.0");
    expect(found.file).toBe("npx");
    expect(found.prefix).toEqual(["--yes", "wrangler@4.157.0"]);
    expect(found.source).toBe(`npx wrangler@4.157.0, the version the project pins; passed over the project's, as other users can write ${open}`);
    // ...a project that exists gets a refusal naming the fix, never a download.
    expect(() => findWrangler(dir, env)).toThrow(/No wrangler to run in .*as other users can write .*create-do-kv does not download a wrangler/);
  });

  it("a folder others can write with the sticky bit (as /tmp) is not open to them", () => {
    const { dir, modules, env } = project();
    chmodSync(join(modules, "miniflare"), 0o1777);
    expect(findWrangler(dir, env).source).toBe("the project's node_modules");
  });

  it("on PATH: the real file of a wrangler in a folder only we can write; one in a folder others can write is passed over", () => {
    const { dir, env } = project();
    const safe = tempDir("cdk-path-");
    const pkg = wranglerPackage(join(safe, "lib", "node_modules"));
    mkdirSync(join(safe, "bin"));
    symlinkSync(join(pkg, "bin", "wrangler.js"), join(safe, "bin", "wrangler"));
    const open = tempDir("cdk-path-open-");
    writeFileSync(join(open, "wrangler"), "#!/bin/sh\n", { mode: 0o755 });
    chmodSync(open, 0o777);
    const path = `${open}:${safe}/bin:${env.PATH}`;
    chmodSync(join(dir, "node_modules", "wrangler"), 0o777);
    expect(findWrangler(dir, { PATH: path })).toEqual({
      file: realpathSync(join(pkg, "bin", "wrangler.js")),
      prefix: [],
      source: `PATH; passed over the project's, as other users can write ${realpathSync(join(dir, "node_modules", "wrangler"))} and ${open}/wrangler, as other users can write ${open}`,
    });
    chmodSync(join(pkg, "wrangler-dist"), 0o777);
    expect(() => findWrangler(dir, { PATH: path })).toThrow(/No wrangler to run/);
  });

  it("--wrangler is taken as given", () => {
    const { dir, env } = project();
    expect(findWrangler(dir, env, "/opt/wrangler").file).toBe("/opt/wrangler");
  });
});
