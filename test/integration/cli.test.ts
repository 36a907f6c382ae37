import { execa } from "execa";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { TEMPLATES } from "../../src/core/project/options.js";
import { runMain } from "../helpers/io.js";
import { BIN, childEnv, runCli, SELF } from "../helpers/run.js";
import { snapshotTree, tempDir } from "../helpers/tmp.js";

const TEMPLATE_NAMES = TEMPLATES.map((t) => t.value);

/** Nothing that needs the network or another program. */
const OFFLINE = ["--no-install", "--no-git", "--no-create-kv"];

describe("create-do-kv without a terminal", () => {
  it("exits 2 at once naming the missing directory when given neither it nor --yes", async () => {
    const cwd = tempDir();
    const result = await runCli(["--class", "ChatRoom"], { cwd, timeout: 10_000 });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("Missing the project directory");
    expect(result.stderr).toContain("create-do-kv <directory>");
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("does not wait for input even when stdin stays open", async () => {
    const cwd = tempDir();
    const result = await runCli([], { cwd, stdin: "pipe", timeout: 10_000 });
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(2);
  });

  it("refuses a non-empty directory with exit 2 and leaves every file as it was", async () => {
    const cwd = tempDir();
    const target = join(cwd, "existing");
    mkdirSync(join(target, "src"), { recursive: true });
    writeFileSync(join(target, "wrangler.toml"), "# mine\n");
    writeFileSync(join(target, "src", "index.ts"), "export const mine = 1;\n");
    const before = snapshotTree(target);
    const result = await runCli(["existing", "--yes"], { cwd });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("is not empty");
    expect(result.stderr).toContain("--force");
    expect(snapshotTree(target)).toEqual(before);
  });

  it("writes into a non-empty directory with --force, keeping unrelated files", async () => {
    const cwd = tempDir();
    const target = join(cwd, "existing");
    mkdirSync(target);
    writeFileSync(join(target, "notes.txt"), "keep me\n");
    const result = await runCli(["existing", "--yes", "--force", ...OFFLINE], { cwd });
    expect(result.exitCode).toBe(0);
    expect(readFileSync(join(target, "notes.txt"), "utf8")).toBe("keep me\n");
    expect(readFileSync(join(target, "wrangler.toml"), "utf8")).toContain('name = "existing"');
  });

  it("--force copies every file it replaces to a sibling backup folder first", async () => {
    const cwd = tempDir();
    const target = join(cwd, "existing");
    mkdirSync(join(target, "src"), { recursive: true });
    writeFileSync(join(target, "wrangler.toml"), "# my own config\n");
    writeFileSync(join(target, "src", "index.ts"), "export default {};\n");
    writeFileSync(join(target, "notes.txt"), "keep me\n");
    const result = await runCli(["existing", "--yes", "--force", ...OFFLINE], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    const backups = readdirSync(cwd).filter((name) => name.startsWith("existing.backup-"));
    expect(backups).toHaveLength(1);
    const backup = join(cwd, backups[0]!);
    expect(snapshotTree(backup)).toEqual({ "wrangler.toml": "# my own config\n", "src/index.ts": "export default {};\n" });
    expect(result.stderr).toContain(`--force replaced 2 existing files (src/index.ts, wrangler.toml); the originals are in ${backup}`);
    expect(readFileSync(join(target, "wrangler.toml"), "utf8")).toContain('name = "existing"');
    expect(readFileSync(join(target, "notes.txt"), "utf8")).toBe("keep me\n");
  });

  it("--force never writes into an earlier backup folder", async () => {
    const cwd = tempDir();
    const target = join(cwd, "existing");
    mkdirSync(target);
    writeFileSync(join(target, "wrangler.toml"), "# mine\n");
    // Earlier backups named for this second and the next, as a run a moment ago would leave.
    const stamp = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace(/:/g, "-");
    const now = Date.now();
    const earlier = [stamp(now), stamp(now + 1000)].map((s) => join(cwd, `existing.backup-${s}`));
    for (const dir of earlier) {
      mkdirSync(dir);
      writeFileSync(join(dir, "wrangler.toml"), "# an older copy\n");
    }
    const result = await runCli(["existing", "--yes", "--force", ...OFFLINE], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    for (const dir of earlier) expect(readFileSync(join(dir, "wrangler.toml"), "utf8")).toBe("# an older copy\n");
    const made = readdirSync(cwd).filter((name) => /^existing\.backup-.*-2$/.test(name));
    expect(made).toHaveLength(1);
    expect(readFileSync(join(cwd, made[0]!, "wrangler.toml"), "utf8")).toBe("# mine\n");
  });

  it("creates into an existing empty directory", async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, "empty"));
    const result = await runCli(["empty", "--yes", ...OFFLINE], { cwd });
    expect(result.exitCode).toBe(0);
    expect(readdirSync(join(cwd, "empty")).sort()).toContain("wrangler.toml");
    expect(readdirSync(cwd)).toEqual(["empty"]); // no staging folder left behind
  });

  it.each([
    [["x", "--name", "Bad_Name"], "--name: "],
    [["x", "--class", "Env"], "--class: "],
    [["x", "--kv", "A", "--kv", "A"], '--kv: The binding name "A" is used twice'],
    [["x", "--format", "yaml"], "Allowed choices are toml, jsonc"],
    [["x", "--template", "chat"], `Allowed choices are ${TEMPLATE_NAMES.join(", ")}`],
    [["x", "--bogus"], "unknown option '--bogus'"],
  ])("exits 2 for %j with a message naming the flag, writing nothing", async (args, message) => {
    const cwd = tempDir();
    const result = await runMain(args, cwd);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("--dry-run prints the files and the config, and writes nothing", async () => {
    const cwd = tempDir();
    const dry = await runCli(["dry", "--yes", "--format", "jsonc", "--kv", "A,B", "--dry-run"], { cwd });
    expect(dry.exitCode).toBe(0);
    expect(dry.stdout).toContain("wrangler.jsonc");
    expect(dry.stdout).toContain("src/durable-object.ts");
    expect(dry.stdout).toContain('{ "binding": "B" }');
    expect(dry.stdout).toContain("Nothing was written.");
    expect(existsSync(join(cwd, "dry"))).toBe(false);
  });

  it("prints help listing every flag, and the version", async () => {
    const cwd = tempDir();
    const help = await runCli(["--help"], { cwd });
    expect(help.exitCode).toBe(0);
    for (const flag of ["--name", "--class", "--do-binding", "--kv", "--format", "--yes", "--force", "--dry-run"]) {
      expect(help.stdout).toContain(flag);
    }
    const version = await runCli(["--version"], { cwd });
    const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(version.stdout.trim()).toBe(pkg.version);
  });
});

describe("a path the project's test runner trips on", () => {
  it.each(["c#/app", "what?/app"])("%s: created, with a warning that names the character, in --json too", async (dir) => {
    const cwd = tempDir();
    const result = await runCli([dir, "--yes", ...OFFLINE, "--name", "app", "--json"], { cwd });
    expect(result.exitCode, result.stderr).toBe(0);
    const char = dir.includes("#") ? "#" : "?";
    expect(result.stderr).toContain(`The project's path holds "${char}"`);
    const report = JSON.parse(result.stdout) as { warnings: string[] };
    expect(report.warnings.some((warning) => warning.includes(`holds "${char}"`))).toBe(true);
  });
});

describe("printed commands are safe to paste", () => {
  it.each(["x$(touch PWNED)", "it's `here`", "a b", "-", "--", "-P"])(
    "the cd of the next steps for %j runs no command and reaches the folder",
    async (dir) => {
      const cwd = tempDir();
      const result = await runCli(["--yes", ...OFFLINE, "--name", "app", "--", dir], { cwd });
      expect(result.exitCode, result.stderr).toBe(0);
      const cdLine = result.stdout
        .split("\n")
        .find((line) => line.trim().startsWith("cd "))!
        .trim();
      const pasted = await execa("sh", ["-c", `${cdLine} && pwd`], { cwd, reject: false });
      expect(pasted.exitCode, pasted.stderr).toBe(0);
      expect(pasted.stdout.trim()).toBe(join(cwd, dir));
      expect(readdirSync(cwd)).toEqual([dir]);
      // The hint that finishes the KV step starts with the same cd.
      expect(result.stderr).toContain(`To create them later: ${cdLine} && ${SELF} sync`);
    },
  );
});

describe("on an old Node", () => {
  /**
   * The first `node` on PATH older than 22.12, outside this repo's node_modules (these machines
   * ship Node 20); where there is none, this Node made to report 20.11.1 before the bin runs,
   * so the check is exercised on every machine rather than skipped.
   */
  function oldNode(): { file: string; args: string[]; what: string } {
    for (const dir of (process.env.PATH ?? "").split(delimiter)) {
      const candidate = join(dir, "node");
      if (dir.includes("node_modules") || !existsSync(candidate)) continue;
      const version = execFileSync(candidate, ["-p", "process.versions.node"], { encoding: "utf8" }).trim();
      const [major, minor] = version.split(".").map(Number) as [number, number];
      if (major < 22 || (major === 22 && minor < 12)) return { file: candidate, args: [], what: version };
    }
    const pretend = 'Object.defineProperty(process, "versions", { value: { ...process.versions, node: "20.11.1" } });';
    const preload = join(tempDir(), "old-node.cjs");
    writeFileSync(preload, pretend);
    return { file: process.execPath, args: ["--require", preload], what: "20.11.1" };
  }

  it("says what it needs in one line and exits 1 before doing anything", async () => {
    const cwd = tempDir();
    const node = oldNode();
    const result = await execa(node.file, [...node.args, BIN, "app", "--yes"], { cwd, reject: false });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toContain(`needs Node.js 22.12 or newer (as wrangler does); this is Node.js ${node.what}.`);
    expect(readdirSync(cwd)).toEqual([]);
  });
});

describe("small things a first run meets", () => {
  it("`help` is a command, not a project named help", async () => {
    const cwd = tempDir();
    const result = await runCli(["help"], { cwd });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain("Usage: create-do-kv");
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("--json names what was wrong with the command line", async () => {
    const result = await runCli(["x", "--json", "--template", "nope"], { cwd: tempDir() });
    expect(result.exitCode).toBe(2);
    expect(JSON.parse(result.stdout).error).toContain(`Allowed choices are ${TEMPLATE_NAMES.join(", ")}`);
  });

  it("says what ruled out asking for a missing value", async () => {
    const result = await runCli([], { cwd: tempDir() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Missing the project directory: nothing can be asked: CI is set to "true".');
  });

  it("a reader that goes away early is no crash", async () => {
    // `true` exits without reading: every write of the help meets a closed pipe.
    const result = await execa(`${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} --help | true`, {
      shell: "/bin/bash",
      reject: false,
      env: childEnv(),
    });
    expect(result.stderr).not.toContain("EPIPE");
    expect(result.exitCode).toBe(0);
  });
});

describe("creating into a folder that exists", () => {
  it("`.` writes into the current folder in place: the same folder, not a new one in its stead", async () => {
    const parent = tempDir();
    const dir = join(parent, "here-app");
    mkdirSync(dir);
    const inode = statSync(dir).ino;
    const result = await runCli([".", "--yes", "--no-install", "--no-git", "--no-create-kv"], { cwd: dir });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(statSync(dir).ino).toBe(inode);
    expect(readFileSync(join(dir, "wrangler.toml"), "utf8")).toContain('name = "here-app"');
    expect(readdirSync(dir).filter((entry) => entry.startsWith(".create-do-kv"))).toEqual([]);
    expect(result.stdout).not.toContain("cd .");
  });

  it("a folder holding only .git counts as empty", async () => {
    const dir = join(tempDir(), "repo-app");
    mkdirSync(join(dir, ".git"), { recursive: true });
    const result = await runCli([dir, "--yes", "--no-install", "--no-git", "--no-create-kv"], { cwd: tempDir() });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(existsSync(join(dir, "src", "index.ts"))).toBe(true);
    expect(existsSync(join(dir, ".git"))).toBe(true);
  });
});
