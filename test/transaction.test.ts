/** All-or-nothing writes: a changed file stops all of them; an interrupted run is finished or discarded. */
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CliError } from "../src/errors.js";
import { commitWrites, PENDING_DIR, recoverInterrupted } from "../src/effects/transaction.js";
import { snapshotTree, tempDir } from "./helpers/tmp.js";

function project() {
  const dir = tempDir("cdk-txn-");
  mkdirSync(join(dir, "src"));
  writeFileSync(join(dir, "a.txt"), "a1");
  writeFileSync(join(dir, "src", "b.ts"), "b1");
  return dir;
}

describe("commitWrites", () => {
  it("writes every file, new ones too, and leaves no staging behind", async () => {
    const dir = project();
    await commitWrites(dir, [
      { path: join(dir, "a.txt"), before: "a1", after: "a2" },
      { path: join(dir, "src", "b.ts"), before: "b1", after: "b2" },
      { path: join(dir, "record.json"), after: "{}" },
    ]);
    expect(snapshotTree(dir)).toEqual({ "a.txt": "a2", "record.json": "{}", "src/b.ts": "b2" });
  });

  it("writes none when any file changed since it was planned, naming it", async () => {
    const dir = project();
    writeFileSync(join(dir, "src", "b.ts"), "edited meanwhile");
    const before = snapshotTree(dir);
    let error: unknown;
    try {
      await commitWrites(dir, [
        { path: join(dir, "a.txt"), before: "a1", after: "a2" },
        { path: join(dir, "src", "b.ts"), before: "b1", after: "b2" },
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(1);
    expect((error as Error).message).toContain("src/b.ts changed on disk while this ran, so nothing was written");
    expect(snapshotTree(dir)).toEqual(before);
  });
});

describe("recoverInterrupted", () => {
  it("finishes a write interrupted after its journal: the rest of the files move into place", async () => {
    const dir = project();
    // As a run leaves it when killed after the first of two moves.
    mkdirSync(join(dir, PENDING_DIR));
    writeFileSync(join(dir, PENDING_DIR, "1"), "b2");
    writeFileSync(join(dir, PENDING_DIR, "journal.json"), JSON.stringify({ files: [{ path: "a.txt", staged: "0" }, { path: "src/b.ts", staged: "1" }] }));
    writeFileSync(join(dir, "a.txt"), "a2");
    expect(await recoverInterrupted(dir)).toEqual(["src/b.ts"]);
    expect(snapshotTree(dir)).toEqual({ "a.txt": "a2", "src/b.ts": "b2" });
  });

  it("discards a write interrupted before its journal: nothing had changed", async () => {
    const dir = project();
    mkdirSync(join(dir, PENDING_DIR));
    writeFileSync(join(dir, PENDING_DIR, "0"), "a2");
    expect(await recoverInterrupted(dir)).toEqual([]);
    expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("a1");
  });

  it("finishes into a folder removed since the interruption (the move makes it)", async () => {
    const dir = project();
    mkdirSync(join(dir, PENDING_DIR));
    writeFileSync(join(dir, PENDING_DIR, "0"), "b2");
    writeFileSync(join(dir, PENDING_DIR, "journal.json"), JSON.stringify({ files: [{ path: "src/b.ts", staged: "0" }] }));
    rmSync(join(dir, "src"), { recursive: true });
    expect(await recoverInterrupted(dir)).toEqual(["src/b.ts"]);
    expect(snapshotTree(dir)).toEqual({ "a.txt": "a1", "src/b.ts": "b2" });
  });

  it("does nothing when nothing was interrupted", async () => {
    const dir = project();
    expect(await recoverInterrupted(dir)).toEqual([]);
  });
});
