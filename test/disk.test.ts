/**
 * The disk as a hostile or unlucky user has it: long names, links, a file where a folder should
 * be, --force over another format or failing part-way, a full or read-only file system. Each is
 * refused with a clear message and its exit code, and leaves nothing behind.
 */
import { execa } from "execa";
import { execFileSync } from "node:child_process";
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fromSystemError } from "../src/errors.js";
import { findConfig } from "../src/effects/config-file.js";
import { runMain } from "./helpers/io.js";
import { BIN, childEnv } from "./helpers/run.js";
import { snapshotTree, tempDir } from "./helpers/tmp.js";

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

  it("a dangling link is refused with exit 2", async () => {
    const cwd = tempDir();
    symlinkSync(join(cwd, "nowhere"), join(cwd, "link"));
    const result = await create(cwd, "link", "--name", "linked");
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("is a symbolic link to something that does not exist");
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

  it("a failure part-way puts every file back as it was and removes the new ones (exit 1)", async () => {
    const cwd = tempDir();
    const project = join(cwd, "app");
    mkdirSync(join(project, "src", "index.ts"), { recursive: true }); // a folder where a file goes
    writeFileSync(join(project, "src", "index.ts", "keep.txt"), "mine");
    writeFileSync(join(project, "README.md"), "my readme\n");
    writeFileSync(join(project, "wrangler.toml"), 'name = "mine"\n');
    const result = await create(cwd, "app", "--force");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("failed part-way");
    expect(result.stderr).toContain("every file was put back as it was");
    expect(result.stderr).not.toContain("Unexpected");
    expect(snapshotTree(project)).toEqual({
      "README.md": "my readme\n",
      "wrangler.toml": 'name = "mine"\n',
      "src/index.ts/keep.txt": "mine",
    });
  });
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

  it("a read-only file system: exit 1, EROFS in words, nothing written", async () => {
    const cwd = mountTmpfs("size=64k,ro");
    const result = await create(cwd, "app");
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("the file system is read-only (EROFS)");
    expect(readdirSync(cwd)).toEqual([]);
  });
});
