/**
 * rename and sync on a real installed project, against what a stranger's copy of a project or an
 * unlucky machine brings: a planted journal, links, TypeScript others may write, a full disk, a
 * read-only folder, a signal at each step. The property everywhere: the old project or the new
 * one, byte for byte, never a mix; exit 0 only when the new one checks out.
 */
import { execa } from "execa";
import { execFileSync } from "node:child_process";
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statfsSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PENDING_DIR } from "../../src/effects/transaction.js";
import { copyProject, installedProject } from "../helpers/installed.js";
import { commandLine, descendants, until } from "../helpers/procs.js";
import { otherUser } from "../helpers/other-user.js";
import { inProject } from "../helpers/project.js";
import { BIN, childEnv, runCli, SELF } from "../helpers/run.js";
import { snapshotTree, tempDir } from "../helpers/tmp.js";

const STEP = 600_000;
const ID = "0123456789abcdef0123456789abcdef";
const TYPES = "worker-configuration.d.ts";

let base: string;
beforeAll(async () => {
  base = await installedProject(["--kv-id", `CACHE=${ID}`]);
}, STEP);

const fresh = () => copyProject(base, join(tempDir("cdk-rf-"), "p"));
const cli = (dir: string, args: string[], env: Record<string, string | undefined> = {}) =>
  runCli(args, { cwd: dir, timeout: STEP, env: childEnv(env) });

/** The renamed project, checked the way its user would: names everywhere, and tsc. */
async function expectRenamed(dir: string) {
  const file = (path: string) => readFileSync(join(dir, path), "utf8"); // through links, as tsc reads them
  const tree = Object.fromEntries(["wrangler.toml", "src/durable-object.ts", TYPES].map((path) => [path, file(path)]));
  expect(tree["wrangler.toml"]).toContain('class_name = "Hall"');
  expect(tree["wrangler.toml"]).toContain('binding = "STORE"');
  expect(tree["src/durable-object.ts"]).toContain("export class Hall ");
  expect(tree["src/durable-object.ts"]).toContain("this.env.STORE");
  expect(tree[TYPES]).toContain("\tSTORE: KVNamespace;");
  expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
  const tsc = await inProject(dir).bin("tsc", "--noEmit");
  expect(tsc.exitCode, tsc.all).toBe(0);
}

const RENAME = ["rename", "--class", "Room=Hall", "--kv", "CACHE=STORE"];

describe("a project from a stranger never steers a write outside it", () => {
  it(
    "a planted journal: sync, rename and rename --dry-run refuse with exit 2; nothing inside or outside changes",
    async () => {
      const dir = await fresh();
      const home = tempDir("cdk-victim-home-");
      writeFileSync(join(home, ".bashrc"), "mine\n");
      writeFileSync(join(home, "id_rsa"), "secret\n");
      mkdirSync(join(dir, PENDING_DIR));
      writeFileSync(join(dir, PENDING_DIR, "0"), "echo owned\n");
      writeFileSync(
        join(dir, PENDING_DIR, "journal.json"),
        JSON.stringify({
          files: [
            { path: relative(dir, join(home, ".bashrc")), staged: "0" },
            { path: "stolen.txt", staged: relative(join(dir, PENDING_DIR), join(home, "id_rsa")) },
          ],
        }),
      );
      const before = snapshotTree(dir);
      for (const args of [["sync", "--no-create-kv"], RENAME, [...RENAME, "--dry-run"]]) {
        const result = await cli(dir, args);
        expect(result.exitCode, `${args.join(" ")}\n${result.stderr}`).toBe(2);
        expect(result.stderr).toContain("so it was not replayed and nothing was written");
        expect(readFileSync(join(home, ".bashrc"), "utf8")).toBe("mine\n");
        expect(readFileSync(join(home, "id_rsa"), "utf8")).toBe("secret\n");
        expect(snapshotTree(dir)).toEqual(before);
      }
    },
    STEP,
  );

  it(
    "the types file as a link to a file outside: the rename replaces the link, and the outside file keeps its content",
    async () => {
      const dir = await fresh();
      const outside = join(tempDir("cdk-outside-"), "victim.d.ts");
      writeFileSync(outside, readFileSync(join(dir, TYPES)));
      const victim = readFileSync(outside, "utf8");
      rmSync(join(dir, TYPES));
      symlinkSync(outside, join(dir, TYPES));
      const result = await cli(dir, RENAME);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(readFileSync(outside, "utf8")).toBe(victim);
      await expectRenamed(dir);
    },
    STEP,
  );

  it(
    "a source file that is a link to a file of the project: edited through the link, which stays",
    async () => {
      const dir = await fresh();
      mkdirSync(join(dir, "lib"));
      renameSync(join(dir, "src", "durable-object.ts"), join(dir, "lib", "room.ts"));
      symlinkSync("../lib/room.ts", join(dir, "src", "durable-object.ts"));
      const result = await cli(dir, RENAME);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(readFileSync(join(dir, "lib", "room.ts"), "utf8")).toContain("export class Hall ");
      expect(execFileSync("readlink", [join(dir, "src", "durable-object.ts")], { encoding: "utf8" }).trim()).toBe("../lib/room.ts");
      await expectRenamed(dir);
    },
    STEP,
  );

  it(
    "a source file that is a link out of the project: refused with exit 2, nothing written anywhere",
    async () => {
      const dir = await fresh();
      const outside = join(tempDir("cdk-outside-"), "room.ts");
      renameSync(join(dir, "src", "durable-object.ts"), outside);
      symlinkSync(outside, join(dir, "src", "durable-object.ts"));
      const victim = readFileSync(outside, "utf8");
      const before = snapshotTree(dir);
      const result = await cli(dir, RENAME);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain("leads outside the project");
      expect(readFileSync(outside, "utf8")).toBe(victim);
      expect(snapshotTree(dir)).toEqual(before);
    },
    STEP,
  );

  it(
    "a tsconfig that takes in code outside the project which the rename would change: refused with exit 2",
    async () => {
      const dir = await fresh();
      const shared = tempDir("cdk-shared-");
      writeFileSync(join(shared, "uses.ts"), `import type { Room } from "${join(dir, "src", "durable-object")}";\nexport type Kept = Room;\n`);
      const tsconfig = readFileSync(join(dir, "tsconfig.json"), "utf8").replace(
        '"include": [',
        `"include": [${JSON.stringify(join(relative(dir, shared), "*.ts"))}, `,
      );
      writeFileSync(join(dir, "tsconfig.json"), tsconfig);
      const before = snapshotTree(dir);
      const result = await cli(dir, RENAME);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain(`would change ${join(shared, "uses.ts")}, which is outside the project`);
      expect(readFileSync(join(shared, "uses.ts"), "utf8")).toContain("Kept = Room");
      expect(snapshotTree(dir)).toEqual(before);
    },
    STEP,
  );

  it.runIf(process.getuid !== undefined)(
    "TypeScript in a folder other users can write is not loaded: exit 2, nothing written",
    async () => {
      const dir = await fresh();
      chmodSync(join(dir, "node_modules", "typescript", "lib"), 0o777);
      const before = snapshotTree(dir);
      const result = await cli(dir, RENAME);
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain("can be written by other users, so its code cannot be trusted");
      expect(snapshotTree(dir)).toEqual(before);
    },
    STEP,
  );

  it.runIf(process.getuid !== undefined)(
    "a project folder other users can change: rename and sync refuse (exit 2) before writing anything; a dry run too, as TypeScript would load from there",
    async () => {
      const dir = await fresh();
      chmodSync(dir, 0o777);
      const before = snapshotTree(dir);
      for (const args of [RENAME, ["sync", "--no-create-kv"]]) {
        const result = await cli(dir, args);
        expect(result.exitCode, result.stderr).toBe(2);
        expect(result.stderr).toContain(`${dir} can be changed by other users`);
        expect(snapshotTree(dir)).toEqual(before);
      }
      const dry = await cli(dir, [...RENAME, "--dry-run"]);
      expect(dry.exitCode, dry.stderr).toBe(2);
      expect(dry.stderr).toContain(`but ${dir} can be written by other users, so its code cannot be trusted`);
      expect(snapshotTree(dir)).toEqual(before);
    },
    STEP,
  );
});

describe("a link where wrangler keeps its cache, leading outside the project", () => {
  it.each([".wrangler", "node_modules/.cache"])(
    "%s: rename, sync and add refuse (exit 2) before wrangler runs; nothing inside or outside changes",
    async (link) => {
      const dir = await fresh();
      const outside = tempDir("cdk-rf-outside-");
      rmSync(join(dir, link), { recursive: true, force: true });
      symlinkSync(outside, join(dir, link));
      const before = snapshotTree(dir);
      for (const args of [RENAME, ["sync"], ["add", "--class", "Lobby", "--kv", "STORE"]]) {
        // Credentials, so that without the check wrangler would be run to create namespaces.
        const result = await cli(dir, args, {
          CLOUDFLARE_API_TOKEN: "t",
          CLOUDFLARE_ACCOUNT_ID: "a",
          CLOUDFLARE_API_BASE_URL: "http://127.0.0.1:9/client/v4",
        });
        expect(result.exitCode, `${args.join(" ")}\n${result.stderr}`).toBe(2);
        expect(result.stderr).toContain("a link on the way there leads outside the project; nothing was run");
        expect(snapshotTree(dir)).toEqual(before);
        expect(snapshotTree(outside)).toEqual({});
      }
    },
    STEP,
  );

  it("create --force into a folder whose node_modules is such a link: refused (exit 2) before anything is written or installed", async () => {
    const cwd = tempDir("cdk-rf-");
    const outside = tempDir("cdk-rf-outside-");
    mkdirSync(join(cwd, "app"));
    writeFileSync(join(cwd, "app", "README.md"), "mine\n");
    symlinkSync(outside, join(cwd, "app", "node_modules"));
    const result = await runCli(["app", "--yes", "--force", "--no-git", "--no-create-kv"], { cwd, env: childEnv(), timeout: STEP });
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toContain("node_modules is a symbolic link; --force does not write through links");
    expect(snapshotTree(join(cwd, "app"))).toEqual({ "README.md": "mine\n" });
    expect(lstatSync(join(cwd, "app", "node_modules")).isSymbolicLink()).toBe(true);
    expect(snapshotTree(outside)).toEqual({});
  });
});

describe("a FIFO where the project has a file: refused (exit 2) wherever it must be read, never a hang", () => {
  // sync reads the code, tsconfig.json included, whenever TypeScript is installed (a class renamed
  // in the editor only shows there).
  it.each([
    ["wrangler.toml", [2, 2]],
    ["create-do-kv.json", [2, 2]],
    ["tsconfig.json", [2, 2]],
    ["src/index.ts", [2, 2]],
    [`${PENDING_DIR}/journal.json`, [2, 2]],
    // Read by Node's module resolver (synchronously: no signal gets through) and by npm and wrangler.
    ["package.json", [2, 2]],
    ["node_modules/wrangler/package.json", [2, 2]],
    // sync passes by a TypeScript it cannot load when there is nothing to rename.
    ["node_modules/typescript/package.json", [0, 2]],
  ] as const)(
    "%s",
    async (path, codes) => {
      const dir = await fresh();
      rmSync(join(dir, path), { force: true });
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      execFileSync("mkfifo", [join(dir, path)]);
      for (const [i, args] of [["sync", "--no-create-kv"], RENAME].entries()) {
        const result = await runCli(args, { cwd: dir, timeout: 60_000, env: childEnv() });
        expect(result.timedOut, `${args.join(" ")} hung`).toBe(false);
        expect(result.exitCode, `${args.join(" ")}\n${result.stderr}`).toBe(codes[i]);
        expect(result.stderr).not.toContain("Unexpected");
        if (codes[i] === 2) expect(result.stderr).toContain(`${path} is not a regular file (a FIFO)`);
      }
    },
    STEP,
  );

  it(
    "package.json as a link to /dev/zero: rename, sync and add refuse (exit 2) instead of filling memory; nothing written",
    async () => {
      const dir = await fresh();
      rmSync(join(dir, "package.json"));
      symlinkSync("/dev/zero", join(dir, "package.json"));
      const before = snapshotTree(dir);
      for (const args of [RENAME, ["sync", "--no-create-kv"], ["add", "--class", "Lobby", "--kv", "STORE", "--no-create-kv"]]) {
        const result = await runCli(args, { cwd: dir, timeout: 60_000, env: childEnv() });
        expect(result.timedOut, `${args.join(" ")} hung`).toBe(false);
        expect(result.exitCode, `${args.join(" ")}\n${result.stderr}`).toBe(2);
        expect(result.stderr).toContain("package.json is not a regular file (a device)");
        expect(snapshotTree(dir)).toEqual(before);
      }
    },
    STEP,
  );
});

/** A small file system of our own (needs mount rights, which this machine and CI have as root). */
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
  for (const dir of mounted) execFileSync("umount", ["-l", dir], { stdio: "ignore" });
});

describe("faults in the middle of a rename", () => {
  it.runIf(canMount())(
    "a sweep of free space on a real tmpfs: the old project byte for byte (exit 1, saying why) or the renamed one (exit 0, tsc clean)",
    async () => {
      const outcomes: string[] = [];
      for (const freeKb of [0, 16, 40, 128, 512, 1024, 1400, 2048]) {
        const disk = tempDir("cdk-mount-");
        execFileSync("mount", ["-t", "tmpfs", "-o", "size=3m", "tmpfs", disk]);
        mounted.push(disk);
        const dir = await copyProject(base, join(disk, "p"), "symlink");
        const { bavail, bsize } = statfsSync(disk);
        const fill = bavail * bsize - freeKb * 1024 - 4096;
        if (fill > 0) writeFileSync(join(disk, "filler"), Buffer.alloc(fill));
        const before = snapshotTree(dir);
        const result = await cli(dir, RENAME);
        outcomes.push(`${freeKb}:${result.exitCode}`);
        if (result.exitCode === 0) {
          rmSync(join(disk, "filler"), { force: true }); // room for tsc's own files
          await expectRenamed(dir);
        } else {
          expect(result.exitCode, result.stderr).toBe(1);
          expect(result.stderr).toMatch(/no space|Not enough free space|ENOSPC/);
          expect(result.stderr).not.toContain("Unexpected");
          expect(snapshotTree(dir)).toEqual(before);
        }
      }
      expect(outcomes[0]).toBe("0:1");
      expect(outcomes.at(-1)).toBe("2048:0");
    },
    STEP,
  );

  it(
    "a read-only src/ or project folder, for a user who is not root: exit 1 naming it, nothing written; after chmod the same command finishes",
    async () => {
      // Root writes through any mode: as root this acts as another user, with a CLI it can reach.
      const user = otherUser();
      // The test's folders are root's and private: let the other user through to its own.
      if (user.uid !== undefined) chmodSync(process.env.CDK_TEST_TMP!, 0o711);
      for (const readOnly of ["src", "."]) {
        // node_modules as a link: a hard-linked copy shares its files' owner with the base's.
        const dir = await copyProject(base, join(tempDir("cdk-rf-"), "p"), "symlink");
        const home = tempDir("cdk-nobody-home-");
        for (const path of [dirname(dir), dir, dirname(base), base]) chmodSync(path, 0o755);
        user.own(home, dir);
        chmodSync(join(dir, readOnly), 0o555);
        const asOther = () =>
          execa(user.node, [user.bin, ...RENAME], {
            cwd: dir,
            ...(user.uid === undefined ? {} : { uid: user.uid, gid: user.gid }),
            reject: false,
            stdin: "ignore",
            env: childEnv({ HOME: home, XDG_CACHE_HOME: join(home, "cache"), XDG_CONFIG_HOME: join(home, "config") }),
            timeout: STEP,
          });
        const before = snapshotTree(dir);
        const refused = await asOther();
        expect(refused.exitCode, String(refused.stderr)).toBe(1);
        expect(String(refused.stderr)).toContain(
          `Cannot write in ${join(dir, readOnly === "." ? "" : readOnly).replace(/\/$/, "")} (EACCES), so nothing was written`,
        );
        expect(snapshotTree(dir)).toEqual(before);
        chmodSync(join(dir, readOnly), 0o755);
        const finished = await asOther();
        expect(finished.exitCode, String(finished.stderr)).toBe(0);
        await expectRenamed(dir);
      }
    },
    STEP,
  );
});

/** rename through the built bin, with SIGTERM sent the moment `ready` holds for its processes. */
async function renameUntil(dir: string, ready: (commands: string[]) => boolean, args = RENAME) {
  const child = execa(process.execPath, [BIN, ...args], { cwd: dir, env: childEnv(), reject: false, stdin: "ignore", timeout: STEP });
  await until(() => (ready(descendants(child.pid!).map(commandLine)) ? true : undefined), "the moment to send SIGTERM", 120_000);
  process.kill(child.pid!, "SIGTERM");
  return child;
}

describe.runIf(process.platform === "linux")("a signal during a rename", () => {
  it(
    "before the point of no return (wrangler types for a project without its types file): exit 143, nothing written",
    async () => {
      const dir = await fresh();
      rmSync(join(dir, TYPES));
      const before = snapshotTree(dir);
      const result = await renameUntil(dir, (commands) => commands.some((command) => command.includes(" types .create-do-kv-types-")));
      expect(result.exitCode, String(result.stderr)).toBe(143);
      expect(String(result.stderr)).toContain("Stopped by SIGTERM");
      expect(snapshotTree(dir)).toEqual(before);
      expect(existsSync(join(dir, PENDING_DIR))).toBe(false);
    },
    STEP,
  );

  it(
    "after it (the types of the renamed project): exit 143 saying the types are left, and `sync` finishes them",
    async () => {
      const dir = await fresh();
      const result = await renameUntil(
        dir,
        (commands) =>
          existsSync(join(dir, PENDING_DIR, "journal.json")) && commands.some((command) => command.includes(" types .create-do-kv-types-")),
      );
      expect(result.exitCode, String(result.stderr)).toBe(143);
      expect(String(result.stderr)).toContain("The files were written; worker-configuration.d.ts is not regenerated yet.");
      expect(String(result.stderr)).toContain(`${SELF} sync`);
      expect(readFileSync(join(dir, "wrangler.toml"), "utf8")).toContain('class_name = "Hall"');
      const synced = await cli(dir, ["sync", "--no-create-kv"]);
      expect(synced.exitCode, synced.stderr).toBe(0);
      expect(synced.stdout).toContain(`Finished an interrupted write: ${TYPES}.`);
      await expectRenamed(dir);
    },
    STEP,
  );

  it(
    "add, after its files are written: the command the message names (sync) finishes it with exit 0; add again would refuse the class as taken",
    async () => {
      const dir = await fresh();
      const args = ["add", "--class", "Lobby", "--kv", "STORE", "--no-create-kv"];
      const result = await renameUntil(
        dir,
        (commands) =>
          existsSync(join(dir, PENDING_DIR, "journal.json")) && commands.some((command) => command.includes(" types .create-do-kv-types-")),
        args,
      );
      expect(result.exitCode, String(result.stderr)).toBe(143);
      expect(String(result.stderr)).toContain(`Run \`${SELF} sync\`: it regenerates the types and finishes.`);
      expect(String(result.stderr)).not.toContain("same command again");
      const synced = await cli(dir, ["sync", "--no-create-kv"]);
      expect(synced.exitCode, synced.stderr).toBe(0);
      expect(synced.stdout).toContain(`Finished an interrupted write: ${TYPES}.`);
      expect(readFileSync(join(dir, TYPES), "utf8")).toContain('LOBBY: DurableObjectNamespace<import("./src/index").Lobby>');
      const tsc = await inProject(dir).bin("tsc", "--noEmit");
      expect(tsc.exitCode, tsc.all).toBe(0);
      const again = await cli(dir, args);
      expect(again.exitCode).toBe(2);
      expect(again.stderr).toContain('"Lobby" is already a Durable Object class');
    },
    STEP,
  );
});

describe("sync after an interrupted create", () => {
  it(
    "regenerates a missing types file (the advised recovery after Ctrl-C during the install)",
    async () => {
      const dir = await fresh();
      rmSync(join(dir, TYPES));
      const synced = await cli(dir, ["sync", "--no-create-kv"]);
      expect(synced.exitCode, synced.stderr).toBe(0);
      expect(readFileSync(join(dir, TYPES), "utf8")).toContain("\tCACHE: KVNamespace;");
      const tsc = await inProject(dir).bin("tsc", "--noEmit");
      expect(tsc.exitCode, tsc.all).toBe(0);
    },
    STEP,
  );
});
