/** Which TypeScript a rename runs with: the project's own, 5 or newer, or a typed refusal before any work. */
import { chmodSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MIN_TYPESCRIPT, projectTypeScript } from "../../src/effects/code/typescript.js";
import { UsageError } from "../../src/errors.js";
import { tempDir } from "../helpers/tmp.js";

/** A project whose node_modules holds a typescript package of `version` (nothing else needed to tell). */
function projectWith(version: string | undefined): string {
  const dir = tempDir("cdk-ts-");
  writeFileSync(join(dir, "package.json"), "{}");
  if (version !== undefined) {
    mkdirSync(join(dir, "node_modules", "typescript", "lib"), { recursive: true });
    writeFileSync(
      join(dir, "node_modules", "typescript", "package.json"),
      JSON.stringify({ name: "typescript", version, main: "lib/typescript.js" }),
    );
    writeFileSync(join(dir, "node_modules", "typescript", "lib", "typescript.js"), "");
  }
  return dir;
}

describe("projectTypeScript", () => {
  it.each([
    ["5.5.2", 5],
    ["5.9.3", 5],
    ["6.0.3", 6],
    ["7.0.2", 7],
  ])("takes %s (major %i)", (version, major) => {
    expect(projectTypeScript(projectWith(version))).toMatchObject({ version, major });
  });

  it.each([
    [undefined, `needs TypeScript ${MIN_TYPESCRIPT} or newer in the project's own node_modules, and none is installed there`],
    ["4.9.5", "needs TypeScript 5 or newer; the project has 4.9.5"],
    ["next", "needs TypeScript 5 or newer; the project has next"],
    ["5.9.3-without-its-module", "node_modules/typescript is incomplete"],
  ])("refuses %s with exit 2, saying what it found and what is needed", (version, says) => {
    let error: unknown;
    const dir = projectWith(version?.replace("-without-its-module", ""));
    if (version?.endsWith("-without-its-module")) rmSync(join(dir, "node_modules", "typescript", "lib"), { recursive: true });
    try {
      projectTypeScript(dir);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(says);
  });

  // Node's resolver reads these synchronously: a FIFO would block us, signals included; /dev/zero
  // would fill memory. /dev/null stands in for them here (a device that cannot hang the test).
  it.runIf(process.platform !== "win32").each(["package.json", "node_modules/typescript/package.json"])(
    "refuses a %s that is not a regular file before Node's resolver reads it",
    (path) => {
      const dir = projectWith("6.0.3");
      rmSync(join(dir, path));
      symlinkSync("/dev/null", join(dir, path));
      expect(() => projectTypeScript(dir)).toThrow(`${join(dir, path)} is not a regular file (a device)`);
    },
  );

  it.runIf(process.getuid !== undefined)(
    "refuses the module it would load when its folder is writable by others, even if the package folder is not",
    () => {
      const dir = projectWith("5.9.3");
      chmodSync(join(dir, "node_modules", "typescript", "lib"), 0o777);
      expect(() => projectTypeScript(dir)).toThrow(/lib can be written by other users/);
    },
  );

  it.runIf(process.getuid !== undefined)("refuses a package with any file or folder others can write, not only the module's own path", () => {
    const dir = projectWith("6.0.3");
    mkdirSync(join(dir, "node_modules", "typescript", "lib", "cs"));
    chmodSync(join(dir, "node_modules", "typescript", "lib", "cs"), 0o777);
    expect(() => projectTypeScript(dir)).toThrow(/lib\/cs can be written by other users/);
    chmodSync(join(dir, "node_modules", "typescript", "lib", "cs"), 0o755);
    writeFileSync(join(dir, "node_modules", "typescript", "lib", "lib.es5.d.ts"), "", { mode: 0o666 });
    chmodSync(join(dir, "node_modules", "typescript", "lib", "lib.es5.d.ts"), 0o666);
    expect(() => projectTypeScript(dir)).toThrow(/lib\.es5\.d\.ts can be written by other users/);
  });
});
