/**
 * The README's path, walked in order from this clone: the first command makes a project inside
 * the clone; the second (the test command's own steps) must not read it; the project's scripts
 * and the CLI's printed commands run as printed, whatever Node the shell has.
 */
import { execa } from "execa";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, childEnv, REPO, runCli, SELF } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

/** A `node` on PATH that answers like Node 20 does, whatever Node this machine has. */
function oldNodeOnPath(): string {
  const dir = tempDir("cdk-old-node-");
  writeFileSync(
    join(dir, "node"),
    '#!/bin/sh\nif [ "$1" = "-p" ]; then echo 20.20.2; exit 0; fi\necho "this is Node 20: wrangler refuses it" >&2\nexit 1\n',
  );
  chmodSync(join(dir, "node"), 0o755);
  return `${dir}:/usr/bin:/bin`;
}

const name = `readme-path-${process.pid}`;
const inClone = join(REPO, name);

describe("the README's two commands, in order", () => {
  beforeAll(async () => {
    // The first command's project, inside the clone, as `npm run create -- my-app --yes` makes it.
    const made = await runCli([name, "--yes", "--no-install", "--no-git"], { cwd: REPO });
    expect(made.exitCode, made.stderr).toBe(0);
  }, 60_000);

  afterAll(() => rmSync(inClone, { recursive: true, force: true }));

  it("leaves the test command's lint and type-check steps to the clone's own files", async () => {
    const lint = await execa(join(REPO, "node_modules", ".bin", "biome"), ["check", "."], { cwd: REPO, reject: false, all: true });
    expect(lint.exitCode, lint.all).toBe(0);
    const program = await execa(join(REPO, "node_modules", ".bin", "tsc"), ["--listFilesOnly", "-p", "."], { cwd: REPO, reject: false, all: true });
    expect(program.exitCode, program.all).toBe(0);
    expect(program.stdout).toContain(join(REPO, "src", "cli.ts"));
    expect(program.stdout).not.toContain(name);
    const tests = await execa(join(REPO, "node_modules", ".bin", "vitest"), ["list", "--filesOnly"], { cwd: REPO, reject: false, all: true });
    expect(tests.exitCode, tests.all).toBe(0);
    expect(tests.stdout).toContain("test/unit/plan.test.ts");
    expect(tests.stdout).not.toContain(name);
  }, 120_000);

  it("gives the project a check script that runs on this machine before publication, whatever Node the shell has", async () => {
    const manifest = JSON.parse(readFileSync(join(inClone, "package.json"), "utf8")) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    expect(manifest.scripts.check).toBe(`${SELF} check`);
    expect(manifest.devDependencies["create-do-kv"]).toBeUndefined();
    const check = await execa("npm", ["run", "check"], {
      cwd: inClone,
      env: childEnv({ PATH: `${dirname(process.execPath)}:${oldNodeOnPath()}` }),
      reject: false,
      all: true,
    });
    expect(check.exitCode, check.all).toBe(0);
    expect(check.all).toContain(`The next deploy is safe for the Durable Objects and KV of ${name}`);
  }, 60_000);

  it("gives clean --json through `npm run --silent create --`, as the README says", async () => {
    const made = await execa("npm", ["run", "--silent", "create", "--", join(tempDir(), "x"), "--yes", "--dry-run", "--json"], {
      cwd: REPO,
      env: childEnv(),
      reject: false,
    });
    expect(made.exitCode, made.stderr).toBe(0);
    expect(JSON.parse(made.stdout)).toMatchObject({ command: "create", status: "ok", dryRun: true });
  }, 60_000);
});

describe("a project made from the clone, outside it", () => {
  it("says before the next steps that the shell's Node is too old for wrangler, and prints commands that run on this Node", async () => {
    const cwd = tempDir();
    const made = await runCli(["app", "--yes", "--no-install", "--no-git"], { cwd, env: childEnv({ PATH: oldNodeOnPath() }) });
    expect(made.exitCode, made.stderr).toBe(0);
    expect(made.stderr).toMatch(
      /Your shell's Node \(.*\/node\) is 20\.20\.2; wrangler, and so `npm run dev` and the other scripts of app, needs 22\.12 or newer/,
    );
    // The printed finish command names this very Node and file, not the shell's `node`.
    expect(made.stderr).toContain(`cd app && ${process.execPath} ${BIN} sync`);
    expect(made.stdout.indexOf("Next steps:")).toBeGreaterThan(-1);
  });

  it("never runs a `node` another user could have planted above the project: names it instead", async () => {
    const cwd = tempDir();
    const bin = join(cwd, "node_modules", ".bin");
    mkdirSync(bin, { recursive: true });
    const mark = join(cwd, "ran");
    writeFileSync(join(bin, "node"), `#!/bin/sh\necho ran > ${JSON.stringify(mark)}\necho 20.20.2\n`, { mode: 0o755 });
    chmodSync(bin, 0o777); // writable by anyone, no sticky bit: as a stranger's folder in /tmp would be
    const made = await runCli(["app", "--yes", "--no-install", "--no-git"], { cwd, env: childEnv({ PATH: oldNodeOnPath() }) });
    expect(made.exitCode, made.stderr).toBe(0);
    expect(made.stderr).toContain(`would run first is ${join(bin, "node")}, which other users can change (${bin}); create-do-kv did not run it.`);
    expect(existsSync(mark)).toBe(false);
  });

  it("says nothing of Node when the shell's is new enough", async () => {
    const cwd = tempDir();
    mkdirSync(join(cwd, "bin"));
    const made = await runCli(["app", "--yes", "--no-install", "--no-git"], {
      cwd,
      env: childEnv({ PATH: `${dirname(process.execPath)}:/usr/bin:/bin` }),
    });
    expect(made.exitCode, made.stderr).toBe(0);
    expect(made.stderr).not.toContain("Your shell's Node");
  });
});
