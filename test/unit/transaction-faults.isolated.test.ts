/**
 * The all-or-nothing write of rename and sync with a fault injected at every step: each call
 * that changes the disk (mkdir, write, chmod, rename, remove, copy, unlink) fails in turn, for
 * generated plans. Whatever fails, the project is the old one byte for byte, or the write is past
 * its point of no return and the next run finishes it into the new one; never a mix left as is.
 */
import fc from "fast-check";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { commitWrites, PENDING_DIR, recoverInterrupted, type PlannedWrite } from "../../src/effects/transaction.js";
import { snapshotTree, tempDir } from "../helpers/tmp.js";

const TYPES = "worker-configuration.d.ts";

const fault = { at: -1, calls: 0 };

vi.mock("node:fs", async (importOriginal) => {
  const real = await importOriginal<typeof import("node:fs")>();
  const failing =
    <A extends unknown[], R>(name: string, call: (...args: A) => R) =>
    (...args: A): R => {
      if (fault.calls++ === fault.at)
        throw Object.assign(new Error(`injected fault in ${name}`), { code: "EIO", syscall: name, path: String(args[0]) });
      return call(...args);
    };
  const mutating = ["mkdirSync", "writeFileSync", "chmodSync", "renameSync", "rmSync", "copyFileSync", "unlinkSync"] as const;
  const wrapped = Object.fromEntries(mutating.map((name) => [name, failing(name, real[name] as (...args: unknown[]) => unknown)]));
  return { ...real, ...wrapped, default: { ...real, ...wrapped } };
});

interface Case {
  files: { path: string; before?: string; after: string }[];
  typesFail: boolean;
}

const segment = fc.constantFrom("src", "test", "lib", "a", "b");
const name = fc.constantFrom("index.ts", "room.ts", "x.json", "wrangler.toml", "README.md");
const text = fc.string({ maxLength: 40 });
const caseArb: fc.Arbitrary<Case> = fc.record({
  files: fc.uniqueArray(
    fc.record({
      path: fc.tuple(fc.array(segment, { maxLength: 2 }), name).map(([dirs, file]) => [...dirs, file].join("/")),
      before: fc.option(text, { nil: undefined }),
      after: text,
    }),
    { minLength: 1, maxLength: 5, selector: (file) => file.path },
  ),
  typesFail: fc.boolean(),
});

/** A project holding each planned file's `before` (a file planned as new does not exist). */
function lay(dir: string, files: Case["files"]): PlannedWrite[] {
  return files.map((file) => {
    const path = join(dir, file.path);
    if (file.before !== undefined) {
      mkdirSync(join(path, ".."), { recursive: true });
      writeFileSync(path, file.before);
    }
    return { path, before: file.before, after: file.after };
  });
}

/** What the project holds once every planned file is written. */
function expected(dir: string, files: Case["files"]): Record<string, string> {
  return { ...snapshotTree(dir), ...Object.fromEntries(files.map((file) => [file.path, file.after])) };
}

describe("commitWrites with a fault at every step", () => {
  it("old project byte for byte, or finished by the next run; never a mix left behind", async () => {
    let faultsTried = 0;
    await fc.assert(
      fc.asyncProperty(caseArb, async ({ files, typesFail }) => {
        // Count the steps of a clean run of the same plan, then fail each in turn.
        const clean = tempDir("cdk-txf-");
        const cleanWrites = lay(clean, files);
        fault.at = -1;
        fault.calls = 0;
        await commitWrites(clean, cleanWrites, { typesBytes: 1, typesFile: TYPES, types: async () => {} });
        const steps = fault.calls;
        expect(steps).toBeGreaterThan(0);

        for (let at = 0; at <= steps; at++) {
          const dir = tempDir("cdk-txf-");
          const writes = lay(dir, files);
          const before = snapshotTree(dir);
          const after = expected(dir, files);
          let typesRan = 0;
          const steps = {
            typesBytes: 1,
            typesFile: TYPES,
            types: async () => {
              typesRan++;
              if (typesFail && typesRan === 1) throw new Error("wrangler types failed");
            },
          };
          fault.at = at;
          fault.calls = 0;
          let failed: Error | undefined;
          try {
            await commitWrites(dir, writes, steps);
          } catch (error) {
            failed = error as Error;
          }
          fault.at = -1;
          faultsTried++;
          if (!failed) {
            // Only the staging folder's removal may have failed: the next run clears it.
            await recoverInterrupted(dir, { dryRun: false, steps: { typesBytes: 1, typesFile: TYPES, types: async () => {} } });
            expect(snapshotTree(dir)).toEqual(after);
            expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
            continue;
          }
          if (!existsSync(join(dir, PENDING_DIR, "journal.json"))) {
            // Before the point of no return: nothing changed.
            expect(snapshotTree(dir), failed.message).toEqual(before);
            expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
            continue;
          }
          // After it: the message says how to finish, and the next run does.
          expect(failed.message).toMatch(/part-way|not regenerated yet|injected fault/);
          await recoverInterrupted(dir, { dryRun: false, steps: { typesBytes: 1, typesFile: TYPES, types: async () => void typesRan++ } });
          expect(snapshotTree(dir)).toEqual(after);
          expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
          expect(typesRan).toBeGreaterThan(0);
        }
      }),
      { numRuns: 25 },
    );
    expect(faultsTried).toBeGreaterThan(150);
  }, 120_000);
});
