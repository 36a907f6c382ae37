/**
 * The disk as a hostile or unlucky user has it: long names, links, a file where a folder should
 * be, --force over another format or failing part-way, a full or read-only file system. Each is
 * refused with a clear message and its exit code, and leaves nothing behind.
 */
import { execa } from "execa";
import { execFileSync } from "node:child_process";
import {
  chmodSync,
  existsSync,
  linkSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statfsSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fromSystemError } from "../../src/errors.js";
import { findConfig } from "../../src/effects/config-file.js";
import { runMain } from "../helpers/io.js";
import { BIN, childEnv, runCli } from "../helpers/run.js";
import { snapshotTree, tempDir } from "../helpers/tmp.js";

const OFFLINE = ["--yes", "--no-install", "--no-git", "--no-create-kv"];
const create = (cwd: string, ...args: string[]) => runMain([...args, ...OFFLINE], cwd);

describe("directory names and places", () => {
  it("a folder name of 250 bytes works (the hidden staging folder is not named after it), and nothing else is left", async () => {
    const cwd = tempDir();
    const name = `a${"b".repeat(249)}`;
    const result = await create(cwd, name, "--name", "long-dir");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readdirSync(cwd)).toEqual([name]);
    expect(existsSync(join(cwd, name, "wrangler.toml"))).toBe(true);
  });

  it.each([
    ["a name over 255 bytes", () => "x".repeat(256), "A folder name is at most 255 bytes on most file systems"],
    ["a name of 128 two-byte letters (256 bytes)", () => "é".repeat(128), "has 256"],
  ])("%s is refused with exit 2, nothing written", async (_, name, says) => {
    const cwd = tempDir();
    const result = await create(cwd, name(), "--name", "long-dir");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(says);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("a target under a file is refused with exit 2, not an unexpected error", async () => {
    const cwd = tempDir();
    writeFileSync(join(cwd, "notes.txt"), "mine");
    const result = await create(cwd, "notes.txt/app", "--name", "app");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("is under a file, not a folder");
    expect(result.stderr).not.toContain("Unexpected");
    expect(readFileSync(join(cwd, "notes.txt"), "utf8")).toBe("mine");
  });

  it("a symbolic link to an empty folder is that folder", async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, "real"));
    symlinkSync(join(cwd, "real"), join(cwd, "link"));
    const result = await create(cwd, "link", "--name", "linked");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(existsSync(join(cwd, "real", "wrangler.toml"))).toBe(true);
    expect(lstatSync(join(cwd, "link")).isSymbolicLink()).toBe(true);
  });

  it("a folder name with a backslash is refused with exit 2 (TypeScript reads it as a separator), nothing written", async () => {
    const cwd = tempDir();
    const result = await create(cwd, "a\\b", "--name", "slashed");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("holds a backslash, which TypeScript reads as a path separator");
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("a path with a * is refused with exit 2 (wrangler types takes it for a wildcard; found by the hostile suite)", async () => {
    const cwd = tempDir();
    const result = await create(cwd, "a*)b", "--name", "starred");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('holds a "*", which `wrangler types` takes for a wildcard');
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("a dangling link is refused with exit 2", async () => {
    const cwd = tempDir();
    symlinkSync(join(cwd, "nowhere"), join(cwd, "link"));
    const result = await create(cwd, "link", "--name", "linked");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("is a symbolic link to something that does not exist");
  });
});

describe.runIf(process.getuid !== undefined)("folders other users can change", () => {
  it("a parent writable by others (no sticky bit): exit 2 naming it, nothing written; with the sticky bit, as /tmp, the project is made", async () => {
    const cwd = tempDir();
    const shared = join(cwd, "shared");
    mkdirSync(shared);
    chmodSync(shared, 0o777);
    const result = await create(cwd, "shared/deeper/app");
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${shared} can be changed by other users`);
    expect(readdirSync(shared)).toEqual([]);
    chmodSync(shared, 0o1777);
    const made = await create(cwd, "shared/deeper/app");
    expect(made.exitCode, made.stderr).toBe(0);
    expect(existsSync(join(shared, "deeper", "app", "wrangler.toml"))).toBe(true);
  });

  it("--force into a project whose src/ others can write: exit 2 naming src, every file as it was", async () => {
    const cwd = tempDir();
    expect((await create(cwd, "app")).exitCode).toBe(0);
    chmodSync(join(cwd, "app", "src"), 0o777);
    const before = snapshotTree(join(cwd, "app"));
    const result = await create(cwd, "app", "--force", "--class", "Hall");
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain(`${join(cwd, "app", "src")} can be changed by other users`);
    expect(snapshotTree(join(cwd, "app"))).toEqual(before);
    expect(readdirSync(cwd)).toEqual(["app"]);
  });
});

describe("--force", () => {
  async function existing(format: "toml" | "jsonc") {
    const cwd = tempDir();
    const made = await create(cwd, "app", "--format", format);
    expect(made.exitCode, made.stderr).toBe(0);
    return cwd;
  }

  it.each([
    ["toml", "jsonc", "wrangler.toml"],
    ["jsonc", "toml", "wrangler.jsonc"],
  ] as const)("from %s to %s: the old config is moved to the backup, so wrangler reads the new one", async (from, to, old) => {
    const cwd = await existing(from);
    const before = readFileSync(join(cwd, "app", old), "utf8");
    const result = await create(cwd, "app", "--force", "--format", to);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(existsSync(join(cwd, "app", old))).toBe(false);
    expect(findConfig(join(cwd, "app")).format).toBe(to);
    const backup = readdirSync(cwd).find((entry) => entry.startsWith("app.backup-"))!;
    expect(readFileSync(join(cwd, backup, old), "utf8")).toBe(before);
    expect(result.stderr).toContain(`removed ${old} (wrangler would read it instead of wrangler.${to})`);
  });

  it("refuses to write through a symbolic link (exit 2), changing nothing in or outside the project", async () => {
    const cwd = await existing("toml");
    const outside = tempDir("cdk-outside-");
    writeFileSync(join(outside, "index.ts"), "// someone else's file\n");
    const project = join(cwd, "app");
    execFileSync("rm", ["-r", join(project, "src")]);
    symlinkSync(outside, join(project, "src"));
    const before = snapshotTree(project);
    const result = await create(cwd, "app", "--force", "--class", "Lobby");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${join(project, "src")} is a symbolic link; --force does not write through links`);
    expect(readFileSync(join(outside, "index.ts"), "utf8")).toBe("// someone else's file\n");
    expect(readdirSync(outside)).toEqual(["index.ts"]);
    expect(snapshotTree(project)).toEqual(before);
  });

  it.each<[string, (project: string) => string]>([
    [
      "a folder where a file goes",
      (project) => {
        mkdirSync(join(project, "src", "index.ts"), { recursive: true });
        return join(project, "src", "index.ts");
      },
    ],
    [
      "a file where a folder goes",
      (project) => {
        writeFileSync(join(project, "src"), "a file\n");
        return join(project, "src");
      },
    ],
  ])("%s: refused with exit 2 naming the path, before anything is written", async (_, make) => {
    const cwd = tempDir();
    const project = join(cwd, "app");
    mkdirSync(project);
    writeFileSync(join(project, "README.md"), "my readme\n");
    writeFileSync(join(project, "wrangler.toml"), 'name = "mine"\n');
    const path = make(project);
    const before = snapshotTree(project);
    const result = await create(cwd, "app", "--force");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${path} is a`);
    expect(result.stderr).toContain("nothing was written");
    expect(snapshotTree(project)).toEqual(before);
    expect(readdirSync(cwd)).toEqual(["app"]);
  });

  it("a FIFO where a file goes: refused with exit 2 naming it, never a hang (the built bin, under a time limit)", async () => {
    const cwd = tempDir();
    const project = join(cwd, "t");
    mkdirSync(project);
    execFileSync("mkfifo", [join(project, "package.json")]);
    const result = await runCli(["t", ...OFFLINE, "--force"], { cwd, timeout: 20_000 });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${join(project, "package.json")} is not a regular file`);
    expect(readdirSync(project)).toEqual(["package.json"]);
  });

  it("a file hard-linked to one outside the folder: --force replaces the project's name, and the outside file keeps its content", async () => {
    const cwd = tempDir();
    const outside = tempDir("cdk-outside-");
    writeFileSync(join(outside, "package.json"), '{ "name": "someone else\'s" }\n');
    mkdirSync(join(cwd, "app"));
    linkSync(join(outside, "package.json"), join(cwd, "app", "package.json"));
    const result = await create(cwd, "app", "--force");
    expect(result.exitCode, result.stderr).toBe(0);
    expect(readFileSync(join(outside, "package.json"), "utf8")).toBe('{ "name": "someone else\'s" }\n');
    expect(JSON.parse(readFileSync(join(cwd, "app", "package.json"), "utf8"))).toMatchObject({ name: "app" });
  });
});

describe("two runs into one folder at once", () => {
  /** Two creates of the same folder, started together through the built bin, told apart by their class. */
  async function race(cwd: string, target: string) {
    const runs = await Promise.all(
      ["Alpha", "Bravo"].map((name) => runCli([target, ...OFFLINE, "--class", name, "--name", "race"], { cwd, timeout: 30_000 })),
    );
    return runs.map((run, i) => ({ ...run, name: ["Alpha", "Bravo"][i]! }));
  }

  it.each([
    ["a missing folder", (_cwd: string) => undefined],
    ["an empty folder", (cwd: string) => void mkdirSync(join(cwd, "same"))],
  ])("into %s: one wins whole, the other is refused and touches nothing of the winner's (8 rounds)", async (_, prepare) => {
    for (let round = 0; round < 8; round++) {
      const cwd = tempDir();
      prepare(cwd);
      const runs = await race(cwd, "same");
      const winners = runs.filter((run) => run.exitCode === 0);
      const losers = runs.filter((run) => run.exitCode !== 0);
      expect(winners.length, JSON.stringify(runs.map((r) => [r.exitCode, r.stderr]))).toBe(1);
      for (const loser of losers) {
        expect(loser.exitCode, loser.stderr).toBe(2);
        expect(loser.stderr).toMatch(/is not empty|Another create-do-kv run is writing/);
        expect(loser.stderr).not.toContain("Unexpected");
        expect(loser.stdout + loser.stderr).not.toContain("--force replaced");
      }
      const winner = winners[0]!.name;
      const tree = snapshotTree(join(cwd, "same"));
      expect(tree["wrangler.toml"]).toContain(`class_name = "${winner}"`);
      expect(tree["src/durable-object.ts"]).toContain(`export class ${winner} `);
      expect(Object.keys(tree).sort()).toEqual(Object.keys(REFERENCE).sort());
      expect(readdirSync(cwd).filter((entry) => entry !== "same")).toEqual([]);
    }
  });
});

/** The files of an offline project named `race`, as a run that met no fault writes them. */
let REFERENCE: Record<string, string> = {};
beforeAll(async () => {
  const cwd = tempDir();
  const made = await create(cwd, "same", "--class", "Alpha", "--name", "race");
  expect(made.exitCode, made.stderr).toBe(0);
  REFERENCE = snapshotTree(join(cwd, "same"));
});

describe("system errors", () => {
  it("are named in words with their code and path, exit 1; others stay unexpected", () => {
    const error = Object.assign(new Error("raw"), { code: "ENOSPC", path: "/x/y", syscall: "write" });
    expect(fromSystemError(error)?.message).toBe("Cannot write /x/y: no space left on the device (ENOSPC).");
    expect(fromSystemError(error)?.exitCode).toBe(1);
    expect(fromSystemError(Object.assign(new Error("raw"), { code: "ESOMETHING" }))).toBeUndefined();
    expect(fromSystemError(new Error("plain"))).toBeUndefined();
  });
});

/** A small file system of our own, to be full or read-only for real (needs mount rights). */
function canMount(): boolean {
  if (process.platform !== "linux") return false;
  const dir = tempDir("cdk-mount-probe-");
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=64k", "tmpfs", dir], { stdio: "ignore" });
    execFileSync("umount", [dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const mounted: string[] = [];
afterAll(() => {
  for (const dir of mounted) execFileSync("umount", [dir], { stdio: "ignore" });
});

function mountTmpfs(options: string): string {
  const dir = tempDir("cdk-mount-");
  execFileSync("mount", ["-t", "tmpfs", "-o", options, "tmpfs", dir]);
  mounted.push(dir);
  return dir;
}

describe.runIf(canMount())("a full or read-only disk (a real tmpfs)", () => {
  it("a full disk: exit 1, ENOSPC in words with the path, no staging folder left", async () => {
    const cwd = mountTmpfs("size=8k");
    const result = await create(cwd, "app");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("no space left on the device (ENOSPC)");
    expect(result.stderr).not.toContain("Unexpected");
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("output redirected to a file on a full disk: exit 1, said on stderr, not a silent success", async () => {
    const full = mountTmpfs("size=8k");
    // More than fits: the write fails part-way and leaves the disk full.
    expect(() => writeFileSync(join(full, "filler"), Buffer.alloc(64 * 1024))).toThrow(/ENOSPC/);
    const result = await execa(`${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --help > ${JSON.stringify(join(full, "help.txt"))}`, {
      shell: "/bin/bash",
      env: childEnv(),
      reject: false,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("create-do-kv: the output could not be written: ENOSPC");
  });

  /** A tmpfs with about `free` bytes left, its other space taken by a file outside `dir`. */
  function diskWithFree(free: number): { root: string; dir: string } {
    const root = mountTmpfs("size=512k");
    const dir = join(root, "work");
    mkdirSync(dir);
    const { bavail, bsize } = statfsSync(root);
    const fill = Math.max(0, bavail * bsize - free - 4096); // the filler's own inode block
    if (fill > 0) writeFileSync(join(root, "filler"), Buffer.alloc(fill));
    return { root, dir };
  }

  /** Free space from none to more than a project needs, in steps of a page. */
  const SWEEP = Array.from({ length: 18 }, (_, i) => i * 4096);

  it("a sweep of free space: each create is the whole project (exit 0) or nothing at all (exit 1, the path named)", async () => {
    const outcomes: string[] = [];
    for (const free of SWEEP) {
      const { dir } = diskWithFree(free);
      const result = await create(dir, "same", "--class", "Alpha", "--name", "race");
      outcomes.push(`${free}:${result.exitCode}`);
      if (result.exitCode === 0) {
        expect(snapshotTree(join(dir, "same"))).toEqual(REFERENCE);
      } else {
        expect(result.exitCode, result.stderr).toBe(1);
        expect(result.stderr).toMatch(
          new RegExp(`Cannot \\w+ ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}/\\S+: no space left on the device \\(ENOSPC\\)`),
        );
        expect(readdirSync(dir)).toEqual([]);
      }
    }
    // The sweep crosses the line: the smallest disks fail, the largest succeed.
    expect(outcomes[0]).toBe("0:1");
    expect(outcomes.at(-1)).toBe(`${SWEEP.at(-1)}:0`);
  });

  it("a deeper target on a full disk: every folder the run made is removed", async () => {
    const { dir } = diskWithFree(8192);
    const result = await create(dir, "a/b/c", "--name", "deep");
    expect(result.exitCode).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
  });

  it("--force on a full disk, into a folder of unrelated files or over a project: the folder is as it was", async () => {
    for (const free of SWEEP.slice(0, 12)) {
      const { dir } = diskWithFree(free);
      mkdirSync(join(dir, "notes"));
      writeFileSync(join(dir, "notes", "notes.txt"), "mine\n");
      const result = await create(dir, "notes", "--force", "--name", "race", "--class", "Alpha");
      if (result.exitCode === 0) expect(snapshotTree(join(dir, "notes"))).toEqual({ ...REFERENCE, "notes.txt": "mine\n" });
      else expect(snapshotTree(join(dir, "notes")), result.stderr).toEqual({ "notes.txt": "mine\n" });
    }
    for (const free of SWEEP.slice(0, 12)) {
      const { root, dir } = diskWithFree(512 * 1024);
      const made = await create(dir, "same", "--name", "race", "--class", "Alpha");
      expect(made.exitCode, made.stderr).toBe(0);
      rmSync(join(root, "filler"), { force: true });
      const { bavail, bsize } = statfsSync(root);
      writeFileSync(join(root, "filler"), Buffer.alloc(Math.max(0, bavail * bsize - free - 4096)));
      const result = await create(dir, "same", "--force", "--name", "race", "--class", "Bravo");
      if (result.exitCode === 0) expect(snapshotTree(join(dir, "same"))["wrangler.toml"]).toContain('class_name = "Bravo"');
      else expect(snapshotTree(join(dir, "same")), result.stderr).toEqual(REFERENCE);
    }
  });

  it("a read-only file system: exit 1, EROFS in words, nothing written", async () => {
    const cwd = mountTmpfs("size=64k,ro");
    const result = await create(cwd, "app");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("the file system is read-only (EROFS)");
    expect(readdirSync(cwd)).toEqual([]);
  });
});
