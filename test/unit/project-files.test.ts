/** Reading a project's files as a stranger may have made them: nothing there may hang us or fill memory. */
import { mkdirSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { MAX_READ_BYTES, readRegularFile, refuseOddManifests } from "../../src/effects/project-files.js";
import { UsageError } from "../../src/errors.js";
import { tempDir } from "../helpers/tmp.js";

describe("readRegularFile", () => {
  it("refuses (exit 2) a file larger than it reads, before reading any of it", () => {
    const file = join(tempDir("cdk-pf-"), "wrangler.toml");
    writeFileSync(file, "");
    truncateSync(file, 3 * 1024 ** 3); // sparse: no disk used; read whole it cannot be one string
    let error: unknown;
    try {
      readRegularFile(file);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toBe(`${file} is 3072 MB, more than the 32 MB create-do-kv reads of one file; nothing was written.`);
  });

  it("reads a file of exactly the limit", () => {
    const file = join(tempDir("cdk-pf-"), "main.ts");
    writeFileSync(file, "");
    truncateSync(file, MAX_READ_BYTES);
    expect(readRegularFile(file)).toHaveLength(MAX_READ_BYTES);
  });
});

describe.runIf(process.platform !== "win32")("refuseOddManifests", () => {
  // /dev/null stands in for a FIFO or /dev/zero: a device that cannot hang the test if the check is gone.
  it("refuses a package.json Node's resolver would read on its way up to the project, at any depth", () => {
    const project = tempDir("cdk-pf-");
    const from = join(project, "node_modules", "typescript");
    mkdirSync(join(from, "node_modules", "@typescript", "native"), { recursive: true });
    writeFileSync(join(project, "package.json"), "{}");
    writeFileSync(join(from, "package.json"), "{}");
    expect(() => refuseOddManifests(project, from, "@typescript/native")).not.toThrow();
    symlinkSync("/dev/null", join(from, "node_modules", "@typescript", "native", "package.json"));
    expect(() => refuseOddManifests(project, from, "@typescript/native")).toThrow(
      `${join(from, "node_modules", "@typescript", "native", "package.json")} is not a regular file (a device)`,
    );
  });

  it("looks no higher than the project: the folders above it are not the project's to answer for", () => {
    const parent = tempDir("cdk-pf-");
    const project = join(parent, "app");
    mkdirSync(project);
    symlinkSync("/dev/null", join(parent, "package.json"));
    expect(() => refuseOddManifests(project, project, "typescript")).not.toThrow();
  });
});
