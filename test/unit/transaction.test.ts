/**
 * All-or-nothing writes: a changed file stops all of them; an interrupted run is finished or
 * discarded; a journal from a stranger's copy of a project never steers a write outside it.
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { CancelledError, CliError, UsageError } from "../../src/errors.js";
import { commitWrites, PENDING_DIR, recoverInterrupted, type FinishSteps } from "../../src/effects/transaction.js";
import { snapshotTree, tempDir } from "../helpers/tmp.js";

const TYPES = "worker-configuration.d.ts";

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

  it.runIf(process.getuid !== undefined)(
    "writes none through a folder other users can change (they could swap it for a link meanwhile), naming it; a sticky one is fine",
    async () => {
      const dir = project();
      chmodSync(join(dir, "src"), 0o777);
      const before = snapshotTree(dir);
      const writes = [
        { path: join(dir, "a.txt"), before: "a1", after: "a2" },
        { path: join(dir, "src", "b.ts"), before: "b1", after: "b2" },
      ];
      const error = await commitWrites(dir, writes).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as Error).message).toContain(`${join(dir, "src")} can be changed by other users`);
      expect(snapshotTree(dir)).toEqual(before);
      expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
      chmodSync(join(dir, "src"), 0o1777);
      await commitWrites(dir, writes);
      expect(snapshotTree(dir)).toEqual({ "a.txt": "a2", "src/b.ts": "b2" });
    },
  );
});

describe("recoverInterrupted", () => {
  it("finishes a write interrupted after its journal: the rest of the files move into place", async () => {
    const dir = project();
    // As a run leaves it when killed after the first of two moves.
    mkdirSync(join(dir, PENDING_DIR));
    writeFileSync(join(dir, PENDING_DIR, "1"), "b2");
    writeFileSync(
      join(dir, PENDING_DIR, "journal.json"),
      JSON.stringify({
        files: [
          { path: "a.txt", staged: "0" },
          { path: "src/b.ts", staged: "1" },
        ],
      }),
    );
    writeFileSync(join(dir, "a.txt"), "a2");
    expect(await recoverInterrupted(dir, { dryRun: false })).toEqual(["src/b.ts"]);
    expect(snapshotTree(dir)).toEqual({ "a.txt": "a2", "src/b.ts": "b2" });
  });

  it("discards a write interrupted before its journal: nothing had changed", async () => {
    const dir = project();
    mkdirSync(join(dir, PENDING_DIR));
    writeFileSync(join(dir, PENDING_DIR, "0"), "a2");
    expect(await recoverInterrupted(dir, { dryRun: false })).toEqual([]);
    expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("a1");
  });

  it("finishes into a folder removed since the interruption (the move makes it)", async () => {
    const dir = project();
    mkdirSync(join(dir, PENDING_DIR));
    writeFileSync(join(dir, PENDING_DIR, "0"), "b2");
    writeFileSync(join(dir, PENDING_DIR, "journal.json"), JSON.stringify({ files: [{ path: "src/b.ts", staged: "0" }] }));
    rmSync(join(dir, "src"), { recursive: true });
    expect(await recoverInterrupted(dir, { dryRun: false })).toEqual(["src/b.ts"]);
    expect(snapshotTree(dir)).toEqual({ "a.txt": "a1", "src/b.ts": "b2" });
  });

  it("does nothing when nothing was interrupted", async () => {
    const dir = project();
    expect(await recoverInterrupted(dir, { dryRun: false })).toEqual([]);
  });
});

/** Runs `work` and returns what it threw (failing the test if it threw nothing). */
async function thrown(work: () => Promise<unknown>): Promise<Error> {
  try {
    await work();
  } catch (error) {
    return error as Error;
  }
  throw new Error("expected a failure");
}

/** A journal as a stranger may ship one in a cloned repository, with its staged files. */
function plantJournal(dir: string, files: unknown, staged: Record<string, string> = { "0": "planted" }): void {
  mkdirSync(join(dir, PENDING_DIR));
  for (const [name, text] of Object.entries(staged)) writeFileSync(join(dir, PENDING_DIR, name), text);
  writeFileSync(join(dir, PENDING_DIR, "journal.json"), JSON.stringify({ files }));
}

describe("a journal from someone else's copy of a project", () => {
  it("the issue's journal (a path out of the project, a staged file out of the staging folder) is refused: exit 2, nothing moved anywhere", async () => {
    const root = tempDir("cdk-victim-");
    const home = join(root, "home");
    mkdirSync(home);
    writeFileSync(join(home, ".bashrc"), "mine\n");
    writeFileSync(join(home, "id_rsa"), "secret\n");
    const dir = join(root, "projects", "cloned");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "a.txt"), "a1");
    plantJournal(dir, [
      { path: "../../home/.bashrc", staged: "0" },
      { path: "stolen.txt", staged: "../../../home/id_rsa" },
    ]);
    const error = await thrown(() => recoverInterrupted(dir, { dryRun: false }));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect(error.message).toContain("not replayed and nothing was written");
    expect(readFileSync(join(home, ".bashrc"), "utf8")).toBe("mine\n");
    expect(readFileSync(join(home, "id_rsa"), "utf8")).toBe("secret\n");
    expect(existsSync(join(dir, "stolen.txt"))).toBe(false);
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("a1");
  });

  const outside = () => {
    const other = tempDir("cdk-outside-");
    writeFileSync(join(other, "b.ts"), "theirs");
    return other;
  };
  it.each<[string, (dir: string) => void]>([
    ["an absolute path", (dir) => plantJournal(dir, [{ path: join(outside(), "b.ts"), staged: "0" }])],
    ["a path with .. that comes back inside", (dir) => plantJournal(dir, [{ path: "src/../a.txt", staged: "0" }])],
    [
      "a folder that is a link out of the project",
      (dir) => {
        symlinkSync(outside(), join(dir, "linked"));
        plantJournal(dir, [{ path: "linked/b.ts", staged: "0" }]);
      },
    ],
    [
      "a file that is a link out of the project",
      (dir) => {
        symlinkSync(join(outside(), "b.ts"), join(dir, "link.ts"));
        plantJournal(dir, [{ path: "link.ts", staged: "0" }]);
      },
    ],
    ["a folder where the file would go", (dir) => plantJournal(dir, [{ path: "src", staged: "0" }])],
    ["the staging folder itself", (dir) => plantJournal(dir, [{ path: `${PENDING_DIR}/journal.json`, staged: "0" }])],
    [
      "a staged file that is a link out of the project",
      (dir) => {
        plantJournal(dir, [{ path: "a.txt", staged: "0" }], {});
        symlinkSync(join(outside(), "b.ts"), join(dir, PENDING_DIR, "0"));
      },
    ],
    [
      "a staging folder that is a link",
      (dir) => {
        const other = outside();
        writeFileSync(join(other, "0"), "planted");
        writeFileSync(join(other, "journal.json"), JSON.stringify({ files: [{ path: "a.txt", staged: "0" }] }));
        symlinkSync(other, join(dir, PENDING_DIR));
      },
    ],
    [
      "a journal that is not JSON",
      (dir) => {
        mkdirSync(join(dir, PENDING_DIR));
        writeFileSync(join(dir, PENDING_DIR, "journal.json"), "{");
      },
    ],
  ])("%s: refused with exit 2, nothing moved", async (_, plant) => {
    const dir = project();
    plant(dir);
    const before = snapshotTree(dir);
    const error = await thrown(() => recoverInterrupted(dir, { dryRun: false }));
    expect(error).toBeInstanceOf(UsageError);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it("a dry run never replays a journal, even a valid one: it refuses and leaves it", async () => {
    const dir = project();
    plantJournal(dir, [{ path: "a.txt", staged: "0" }], { "0": "a2" });
    const error = await thrown(() => recoverInterrupted(dir, { dryRun: true }));
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("a dry run does not finish it");
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("a1");
    expect(readdirSync(join(dir, PENDING_DIR)).sort()).toEqual(["0", "journal.json"]);
  });
});

describe("the point of no return", () => {
  const steps = (types: () => Promise<void>): FinishSteps => ({ types, typesBytes: 1, typesFile: TYPES });

  it("a folder where a planned file goes: refused before anything is written", async () => {
    const dir = project();
    mkdirSync(join(dir, "record.json"));
    const before = snapshotTree(dir);
    const error = await thrown(() =>
      commitWrites(dir, [
        { path: join(dir, "a.txt"), before: "a1", after: "a2" },
        { path: join(dir, "record.json"), after: "{}" },
      ]),
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toContain("record.json is not a regular file inside the project");
    expect(snapshotTree(dir)).toEqual(before);
    expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
  });

  it("an edit made while the files are staged (the slow part) is seen right before the point of no return: nothing written, the edit kept", async () => {
    const dir = project();
    const writing = commitWrites(dir, [
      { path: join(dir, "a.txt"), before: "a1", after: "a2" },
      { path: join(dir, "src", "b.ts"), before: "b1", after: "b2" },
    ]);
    // commitWrites has checked and staged every file by now (synchronously); the user saves a file.
    writeFileSync(join(dir, "src", "b.ts"), "edited meanwhile");
    const error = await thrown(() => writing);
    expect(error.message).toContain("src/b.ts changed on disk while this ran, so nothing was written");
    expect(snapshotTree(dir)).toEqual({ "a.txt": "a1", "src/b.ts": "edited meanwhile" });
  });

  it("another run's staging folder: refused, and that folder is left to its owner", async () => {
    const dir = project();
    mkdirSync(join(dir, PENDING_DIR));
    writeFileSync(join(dir, PENDING_DIR, "0"), "theirs");
    const error = await thrown(() => commitWrites(dir, [{ path: join(dir, "a.txt"), before: "a1", after: "a2" }]));
    expect(error.message).toContain("Another create-do-kv run is writing");
    expect(readFileSync(join(dir, PENDING_DIR, "0"), "utf8")).toBe("theirs");
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("a1");
  });

  it("types that fail after the moves: exit 1 saying so, the journal stays, and the next run finishes it", async () => {
    const dir = project();
    const error = await thrown(() =>
      commitWrites(
        dir,
        [{ path: join(dir, "a.txt"), before: "a1", after: "a2" }],
        steps(() => Promise.reject(new Error("wrangler failed"))),
      ),
    );
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(1);
    expect(error.message).toContain("The files were written, but worker-configuration.d.ts is not regenerated yet: wrangler failed");
    expect((error as CliError).hint).toBe("Run `npx create-do-kv sync`: it regenerates the types and finishes.");
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("a2");
    expect(existsSync(join(dir, PENDING_DIR, "journal.json"))).toBe(true);
    let ran = 0;
    const finished = await recoverInterrupted(dir, { dryRun: false, steps: steps(async () => void ran++) });
    expect(ran).toBe(1);
    expect(finished).toEqual(["worker-configuration.d.ts"]);
    expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
  });

  it("a signal during the types step keeps its exit code and says the files were written", async () => {
    const dir = project();
    const cancel = new CancelledError("Stopped by SIGTERM during: wrangler types. What was done before it was kept.", undefined, 143);
    const error = await thrown(() =>
      commitWrites(
        dir,
        [{ path: join(dir, "a.txt"), before: "a1", after: "a2" }],
        steps(() => Promise.reject(cancel)),
      ),
    );
    expect(error).toBeInstanceOf(CancelledError);
    expect((error as CancelledError).exitCode).toBe(143);
    expect(error.message).toBe(
      "Stopped by SIGTERM during: wrangler types. The files were written; worker-configuration.d.ts is not regenerated yet.",
    );
  });

  it("not enough room for the types file: refused before anything is written", async () => {
    const dir = project();
    const error = await thrown(() =>
      commitWrites(dir, [{ path: join(dir, "a.txt"), before: "a1", after: "a2" }], {
        typesBytes: Number.MAX_SAFE_INTEGER,
        typesFile: TYPES,
        types: async () => {},
      }),
    );
    expect(error.message).toContain("Not enough free space");
    expect(readFileSync(join(dir, "a.txt"), "utf8")).toBe("a1");
    expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
  });
});
