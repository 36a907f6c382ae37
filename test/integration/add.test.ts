/**
 * `add` through the built CLI, on Workers it did not make (create-cloudflare's, generated here
 * from the pinned version, and one written by hand) and on its own projects in both formats and
 * lifecycles with an environment. After it, the project's toolchain must agree: types, tsc,
 * wrangler deploy --dry-run in each environment, its own tests, and `check`.
 */
import { execa } from "execa";
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { beforeAll, describe, expect, it } from "vitest";
import type { WranglerConfig } from "../../src/core/config/read.js";
import type { Report } from "../../src/core/project/report.js";
import { copyProject, installedProject, installTool } from "../helpers/installed.js";
import { inProject } from "../helpers/project.js";
import { childEnv, REPO, runCli, SELF } from "../helpers/run.js";
import { snapshotTree, tempDir } from "../helpers/tmp.js";
import { useFakeCloudflare } from "../helpers/use-fake-cloudflare.js";

/** The create-cloudflare these tests generate Workers with; its templates are what users start from. */
const C3 = "create-cloudflare@2.74.0";
const cloudflare = useFakeCloudflare("cdk-add-home-");

async function c3Project(type: string, name: string): Promise<string> {
  const root = tempDir("cdk-c3-");
  const made = await execa(
    "npx",
    ["--yes", C3, name, `--type=${type}`, "--lang=ts", "--no-deploy", "--no-git", "--no-open", "--no-auto-update", "--no-agents"],
    { cwd: root, env: childEnv(), reject: false, all: true, timeout: 600_000, stdin: "ignore" },
  );
  expect(made.exitCode, made.all).toBe(0);
  return join(root, name);
}

const add = (dir: string, args: string[], env = childEnv(cloudflare.env())) => runCli(["add", ...args], { cwd: dir, env, timeout: 180_000 });
const read = (dir: string, file: string) => readFileSync(join(dir, file), "utf8");
const config = (dir: string, file: string): WranglerConfig =>
  (file.endsWith(".toml") ? parseToml(read(dir, file)) : parseJsonc(read(dir, file))) as WranglerConfig;

/** What a user checks after adding: the types name the bindings, tsc, a dry-run deploy per environment, the project's tests, check. */
async function expectWorking(dir: string, envs: (string | undefined)[], options: { tests: boolean }) {
  const project = inProject(dir);
  const types = read(dir, "worker-configuration.d.ts");
  expect(types).toMatch(/ROOM: DurableObjectNamespace<import\("\.\/src\/index"\)\.Room>/);
  expect(types).toContain("CACHE: KVNamespace");
  const tsc = await project.bin("tsc", "--noEmit");
  expect(tsc.exitCode, tsc.all).toBe(0);
  for (const env of envs) {
    const deploy = await project.wrangler("deploy", "--dry-run", "--outdir", "dist", ...(env ? ["--env", env] : []));
    expect(deploy.exitCode, deploy.all).toBe(0);
    expect(deploy.all).toMatch(/env\.ROOM \(Room\)\s+Durable Object/);
  }
  if (options.tests) {
    const tests = await project.bin("vitest", "run");
    expect(tests.exitCode, tests.all).toBe(0);
  }
  const check = await runCli(["check"], { cwd: dir });
  expect(check.exitCode, check.stderr).toBe(0);
}

describe("add on create-cloudflare's TypeScript templates", () => {
  let helloWorld = "";
  let durableObject = "";
  beforeAll(async () => {
    [helloWorld, durableObject] = await Promise.all([c3Project("hello-world", "hw"), c3Project("hello-world-durable-object", "dob")]);
  }, 900_000);

  it("hello world: one command gives a working Durable Object + KV; main gains one line; KV created with the id in the config", async () => {
    const mainBefore = read(helloWorld, "src/index.ts");
    const result = await add(helloWorld, ["--yes", "--json"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as Report;
    expect(report).toMatchObject({ command: "add", status: "ok", files: ["wrangler.jsonc", "src/index.ts", "src/room.ts"] });
    expect(report.usage?.[0]).toContain("env.ROOM.getByName(name)");
    expect(read(helloWorld, "src/index.ts")).toBe(`${mainBefore}export { Room } from "./room";\n`);
    expect(read(helloWorld, "src/room.ts")).toContain("export class Room extends DurableObject<Env>");
    const after = config(helloWorld, "wrangler.jsonc");
    expect(after.kv_namespaces).toEqual([{ binding: "CACHE", id: cloudflare.fake.namespaces.get("hw-cache") }]);
    expect(after.migrations).toEqual([{ tag: "v1", new_sqlite_classes: ["Room"] }]);
    expect(JSON.parse(read(helloWorld, "create-do-kv.json"))).toMatchObject({ worker: "hw", durableObjects: [{ binding: "ROOM", class: "Room" }] });
    await expectWorking(helloWorld, [undefined], { tests: true });
  }, 600_000);

  it("the Durable Object template: its class, binding and v1 stay; ours comes second with v2; its own names are refused", async () => {
    const before = snapshotTree(durableObject);
    for (const [flag, value] of [
      ["--class", "MyDurableObject"],
      ["--do-binding", "MY_DURABLE_OBJECT"],
      ["--kv", "MY_DURABLE_OBJECT"],
    ]) {
      const refused = await add(durableObject, ["--yes", flag!, value!]);
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain(`${flag}: "${value}" is already`);
    }
    expect(snapshotTree(durableObject)).toEqual(before);

    const result = await add(durableObject, ["--yes", "--kv", "CACHE,SESSIONS"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("Added Room (src/room.ts) as env.ROOM, with env.CACHE, env.SESSIONS, and migration v2.");
    const after = config(durableObject, "wrangler.jsonc");
    expect(after.migrations).toEqual([
      { new_sqlite_classes: ["MyDurableObject"], tag: "v1" },
      { tag: "v2", new_sqlite_classes: ["Room"] },
    ]);
    expect(after.durable_objects?.bindings).toEqual([
      { class_name: "MyDurableObject", name: "MY_DURABLE_OBJECT" },
      { name: "ROOM", class_name: "Room" },
    ]);
    // The import stays first; the export follows it; the user's class is untouched.
    expect(read(durableObject, "src/index.ts")).toBe(
      before["src/index.ts"]!.replace('from "cloudflare:workers";\n', 'from "cloudflare:workers";\nexport { Room } from "./room";\n'),
    );
    await expectWorking(durableObject, [undefined], { tests: false });
  }, 600_000);
});

describe("add on create-do-kv's own projects, every format and lifecycle, with an environment", () => {
  let tomlBase = "";
  let jsoncBase = "";
  beforeAll(async () => {
    [tomlBase, jsoncBase] = await Promise.all([
      installedProject(["--env", "staging"], "shop"),
      installedProject(["--env", "staging", "--format", "jsonc", "--lifecycle", "exports"], "shop"),
    ]);
  }, 900_000);

  it.each([
    ["wrangler.toml", "migrations", () => tomlBase],
    ["wrangler.jsonc", "exports", () => jsoncBase],
  ])(
    "%s (%s): a second class beside Room, sharing CACHE with keys of its own; every section, tsc, deploys, tests and check pass",
    async (file, lifecycle, base) => {
      const dir = await copyProject(base(), join(tempDir(), "shop"));
      const result = await add(dir, ["--class", "Chat", "--kv", "CACHE", "--kv", "NOTES"]);
      expect(result.exitCode, result.stderr).toBe(0);
      const after = config(dir, file);
      for (const section of [after, after.env!.staging!]) {
        expect(section.durable_objects?.bindings?.map((b) => b.name)).toEqual(["ROOM", "CHAT"]);
        expect(section.kv_namespaces?.map((k) => k.binding)).toEqual(["CACHE", "NOTES"]);
      }
      expect(after.env!.staging!.kv_namespaces?.every((k) => /^[0-9a-f]{32}$/.test(k.id ?? ""))).toBe(true);
      if (lifecycle === "exports") expect(after.exports?.Chat).toEqual({ type: "durable-object", storage: "sqlite" });
      else expect(after.migrations?.at(-1)).toEqual({ tag: "v2", new_sqlite_classes: ["Chat"] });
      // Both classes write CACHE: their keys must not meet.
      expect(read(dir, "src/chat.ts")).toContain("`Chat:${this.ctx.id.name");
      // Its comments speak of what the user named it, not of a room.
      expect(read(dir, "src/chat.ts")).toContain("One instance per chat,");
      expect(read(dir, "src/chat.ts")).not.toMatch(/\broom\b/);
      expect(read(dir, "src/durable-object.ts")).toContain("`room:${this.ctx.id.name");
      await expectWorking(dir, [undefined, "staging"], { tests: true });
      // And the rename engine knows the new class: a rename of it carries through.
      const renamed = await runCli(["rename", "--class", "Chat=Lobby"], { cwd: dir, timeout: 180_000 });
      expect(renamed.exitCode, renamed.stderr).toBe(0);
      expect(read(dir, "src/index.ts")).toContain('export { Lobby } from "./chat";');
    },
    600_000,
  );

  it("types kept where the project's cf-typegen script puts them, with its flags: add, check, rename and sync make them there, never a second Env file", async () => {
    const dir = await copyProject(tomlBase, join(tempDir(), "shop"));
    // The project moved its types to src/env and makes them without the runtime's (its tsconfig
    // takes those from the runtime-types file it keeps beside them, as a workers-types user would).
    mkdirSync(join(dir, "src", "env"));
    writeFileSync(
      join(dir, "src", "env", "runtime.d.ts"),
      read(dir, "worker-configuration.d.ts").replace(/^[\s\S]*?\n(?=\/\/ Begin runtime types)/, ""),
    );
    const manifest = JSON.parse(read(dir, "package.json")) as { scripts: Record<string, string> };
    manifest.scripts["cf-typegen"] = "wrangler types src/env/worker-configuration.d.ts --include-runtime=false";
    writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(
      join(dir, "tsconfig.json"),
      read(dir, "tsconfig.json")
        .replace('"./worker-configuration.d.ts"', '"./src/env/worker-configuration.d.ts", "./src/env/runtime.d.ts"')
        .replace(', "worker-configuration.d.ts"]', "]"),
    );
    rmSync(join(dir, "worker-configuration.d.ts"));
    const typegen = await inProject(dir).npm("run", "cf-typegen");
    expect(typegen.exitCode, typegen.all).toBe(0);
    expect((await inProject(dir).bin("tsc", "--noEmit")).exitCode).toBe(0);

    const result = await add(dir, ["--class", "Chat", "--kv", "NOTES", "--no-create-kv"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(existsSync(join(dir, "worker-configuration.d.ts"))).toBe(false);
    const types = read(dir, "src/env/worker-configuration.d.ts");
    expect(types.split("\n")[1]).toMatch(/running `wrangler types --include-runtime=false src\/env\/worker-configuration\.d\.ts`/);
    expect(types).toMatch(/CHAT: DurableObjectNamespace<import\("\.\.\/index"\)\.Chat>/);
    expect(types).toContain("NOTES: KVNamespace");
    expect(types).not.toContain("Begin runtime types");
    const tsc = await inProject(dir).bin("tsc", "--noEmit");
    expect(tsc.exitCode, tsc.all).toBe(0);

    // check reads that file: a binding added by hand is a notice until its types are made.
    writeFileSync(join(dir, "wrangler.toml"), `${read(dir, "wrangler.toml")}\n[vars]\nMODE = "dev"\n`);
    const notice = await runCli(["check", "--strict"], { cwd: dir });
    expect(notice.exitCode).toBe(1);
    expect(notice.stderr).toContain("src/env/worker-configuration.d.ts:1 The types are out of date: MODE is bound but not declared.");
    const synced = await runCli(["sync", "--no-create-kv"], { cwd: dir, timeout: 180_000 });
    expect(synced.exitCode, synced.stderr).toBe(0);
    expect(read(dir, "src/env/worker-configuration.d.ts")).toMatch(/\tMODE\??: "dev";/);
    const renamed = await runCli(["rename", "--class", "Chat=Lobby"], { cwd: dir, timeout: 180_000 });
    expect(renamed.exitCode, renamed.stderr).toBe(0);
    expect(read(dir, "src/env/worker-configuration.d.ts")).toMatch(/CHAT: DurableObjectNamespace<import\("\.\.\/index"\)\.Lobby>/);
    expect(existsSync(join(dir, "worker-configuration.d.ts"))).toBe(false);
    expect((await runCli(["check", "--strict"], { cwd: dir })).exitCode).toBe(0);
    expect((await inProject(dir).bin("tsc", "--noEmit")).exitCode).toBe(0);
  }, 600_000);

  it("a types script whose folder is a link out of the project: add and sync refuse before writing, nothing lands outside", async () => {
    const dir = await copyProject(tomlBase, join(tempDir(), "shop"));
    const outside = tempDir("cdk-outside-");
    symlinkSync(outside, join(dir, "types"));
    const manifest = JSON.parse(read(dir, "package.json")) as { scripts: Record<string, string> };
    manifest.scripts["cf-typegen"] = "wrangler types types/worker-configuration.d.ts";
    writeFileSync(join(dir, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
    const before = snapshotTree(dir);
    for (const args of [
      ["add", "--class", "Chat", "--no-create-kv"],
      ["sync", "--no-create-kv"],
    ]) {
      const result = await runCli(args, { cwd: dir, env: childEnv(cloudflare.env()), timeout: 180_000 });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain("types leads outside the project");
      expect(snapshotTree(dir)).toEqual(before);
      expect(readdirSync(outside)).toEqual([]);
    }
  }, 300_000);

  it("a project formatted by its own Prettier: the new class and the export line pass its check; tsc too", async () => {
    const dir = await copyProject(tomlBase, join(tempDir(), "shop"));
    const prettierBin = await installTool("prettier@3.6.2");
    symlinkSync(join(dirname(prettierBin), "prettier"), join(dir, "node_modules", "prettier"));
    symlinkSync(join("..", "prettier", "bin", "prettier.cjs"), join(dir, "node_modules", ".bin", "prettier"));
    writeFileSync(join(dir, ".prettierrc.json"), '{ "semi": false, "singleQuote": true, "useTabs": false, "tabWidth": 2, "printWidth": 100 }\n');
    const prettier = (...args: string[]) => inProject(dir).bin("prettier", ...args);
    expect((await prettier("--write", "src")).exitCode).toBe(0);
    expect((await prettier("--check", "src")).exitCode).toBe(0);

    const result = await add(dir, ["--class", "Chat", "--no-create-kv"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(read(dir, "src/index.ts")).toContain("export { Chat } from './chat'\n");
    expect(read(dir, "src/chat.ts")).toContain("  async read(): Promise<string | null> {");
    const checked = await prettier("--check", "src");
    expect(checked.exitCode, checked.all).toBe(0);
    const tsc = await inProject(dir).bin("tsc", "--noEmit");
    expect(tsc.exitCode, tsc.all).toBe(0);
  }, 300_000);

  it("no formatter, an .editorconfig asking for 4 spaces: the new class is indented so", async () => {
    const dir = await copyProject(tomlBase, join(tempDir(), "shop"));
    writeFileSync(join(dir, ".editorconfig"), "root = true\n\n[*]\nindent_style = tab\n\n[*.ts]\nindent_style = space\nindent_size = 4\n");
    const result = await add(dir, ["--class", "Chat", "--no-create-kv"]);
    expect(result.exitCode, result.stderr).toBe(0);
    const text = read(dir, "src/chat.ts");
    expect(text).toContain("\n    async read(): Promise<string | null> {\n        this.#value ??=");
    expect(text).not.toMatch(/^\t/m);
  }, 300_000);

  // Shapes of Workers found in public starters, written anew (test/fixtures/shapes): a D1 Worker
  // (wrangler.json, two spaces, a placeholder database id), an R2 + static assets Worker with vars
  // and a production environment (wrangler.toml, inline tables, its own cf-typegen flags).
  it.each([
    ["d1-worker", "wrangler.json", [undefined]],
    ["r2-assets-worker", "wrangler.toml", [undefined, "production"]],
  ] as const)(
    "a Worker of another shape (%s): check passes it untouched; after add, tsc, the dry runs and check still pass, its bindings kept",
    async (shape, file, envs) => {
      const dir = join(tempDir("cdk-shape-"), shape);
      cpSync(join(REPO, "test", "fixtures", "shapes", shape), dir, { recursive: true });
      await execa("cp", ["-al", join(tomlBase, "node_modules"), join(dir, "node_modules")]);
      const project = inProject(dir);
      expect((await project.npm("run", "cf-typegen")).exitCode).toBe(0);
      const tscBefore = await project.bin("tsc", "--noEmit");
      expect(tscBefore.exitCode, tscBefore.all).toBe(0);
      const untouched = await runCli(["check", "--strict"], { cwd: dir });
      expect(untouched.exitCode, `${untouched.stdout}\n${untouched.stderr}`).toBe(0);
      const configBefore = config(dir, file);

      const result = await add(dir, ["--class", "Counter", "--kv", "COUNTS", "--no-create-kv", "--yes"]);
      expect(result.exitCode, result.stderr).toBe(0);
      const after = config(dir, file);
      expect(after.d1_databases ?? after.r2_buckets).toEqual(configBefore.d1_databases ?? configBefore.r2_buckets);
      const tsc = await project.bin("tsc", "--noEmit");
      expect(tsc.exitCode, tsc.all).toBe(0);
      const types = read(dir, "worker-configuration.d.ts");
      expect(types).toContain("COUNTS: KVNamespace");
      expect(types).toMatch(shape === "d1-worker" ? /\tDB: D1Database;/ : /\tPHOTOS: R2Bucket;/);
      // The new class is indented as main is.
      expect(read(dir, "src/counter.ts")).toMatch(shape === "d1-worker" ? /\n {2}async read\(\)/ : /\n\tasync read\(\)/);
      for (const env of envs) {
        const dry = await project.wrangler("deploy", "--dry-run", "--outdir", "dist", ...(env ? ["--env", env] : []));
        expect(dry.exitCode, dry.all).toBe(0);
        expect(dry.all).toMatch(/env\.COUNTER \(Counter\)\s+Durable Object/);
      }
      const checked = await runCli(["check", "--strict"], { cwd: dir });
      expect(checked.exitCode, `${checked.stdout}\n${checked.stderr}`).toBe(0);
    },
    300_000,
  );

  it("a project that types its Env by hand (@cloudflare/workers-types): the new bindings go into its Env, no second Env file; tsc, the dry run, check and sync pass", async () => {
    const dir = join(tempDir("cdk-shape-"), "hand-env-worker");
    cpSync(join(REPO, "test", "fixtures", "shapes", "hand-env-worker"), dir, { recursive: true });
    await execa("cp", ["-al", join(tomlBase, "node_modules"), join(dir, "node_modules")]);
    const typesBin = await installTool("@cloudflare/workers-types@4");
    symlinkSync(join(dirname(typesBin), "@cloudflare", "workers-types"), join(dir, "node_modules", "@cloudflare", "workers-types"));
    const project = inProject(dir);
    const before = await project.bin("tsc", "--noEmit");
    expect(before.exitCode, before.all).toBe(0);

    const result = await add(dir, ["--class", "Counter", "--kv", "COUNTS", "--no-create-kv", "--yes"]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(existsSync(join(dir, "worker-configuration.d.ts"))).toBe(false);
    expect(read(dir, "src/env.d.ts")).toBe(
      '// The bindings, typed by hand (this project does not run wrangler types).\ninterface Env {\n  DB: D1Database;\n  COUNTER: DurableObjectNamespace<import("./counter").Counter>;\n  COUNTS: KVNamespace;\n}\n',
    );
    const tsc = await project.bin("tsc", "--noEmit");
    expect(tsc.exitCode, tsc.all).toBe(0);
    const dry = await project.wrangler("deploy", "--dry-run", "--outdir", "dist");
    expect(dry.exitCode, dry.all).toBe(0);
    expect((await runCli(["check", "--strict"], { cwd: dir })).exitCode).toBe(0);
    const synced = await runCli(["sync", "--no-create-kv"], { cwd: dir, timeout: 180_000 });
    expect(synced.exitCode, synced.stderr).toBe(0);
    expect(existsSync(join(dir, "worker-configuration.d.ts"))).toBe(false);
  }, 300_000);

  it("--dry-run prints the diff and writes nothing; a second add of the same class is refused", async () => {
    const dir = await copyProject(tomlBase, join(tempDir(), "shop"));
    const before = snapshotTree(dir);
    const dry = await add(dir, ["--class", "Chat", "--dry-run"]);
    expect(dry.exitCode, dry.stderr).toBe(0);
    expect(dry.stdout).toContain('+export { Chat } from "./chat";');
    expect(dry.stdout).toContain("+++ b/src/chat.ts");
    expect(snapshotTree(dir)).toEqual(before);
    expect(cloudflare.fake.posts()).toHaveLength(0);

    expect((await add(dir, ["--class", "Chat", "--no-create-kv"])).exitCode).toBe(0);
    const again = await add(dir, ["--class", "Chat", "--do-binding", "CHAT2"]);
    expect(again.exitCode).toBe(2);
    expect(again.stderr).toContain('--class: "Chat" is already a Durable Object class of this Worker');
  }, 300_000);

  it("a rename by hand not yet synced: refused (add would hide it from sync), nothing written", async () => {
    const dir = await copyProject(tomlBase, join(tempDir(), "shop"));
    writeFileSync(join(dir, "wrangler.toml"), read(dir, "wrangler.toml").replaceAll('binding = "CACHE"', 'binding = "STORE"'));
    const before = snapshotTree(dir);
    const result = await add(dir, ["--class", "Chat"]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`Run \`${SELF} sync\` first`);
    expect(snapshotTree(dir)).toEqual(before);
  }, 120_000);
});

describe("add refuses what it cannot do, with exit 2 and nothing written", () => {
  function handWorker(files: Record<string, string>): string {
    const dir = tempDir("cdk-add-hand-");
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(join(dir, path, ".."), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    return dir;
  }
  const toml = (main: string) => `name = "hand"\nmain = "${main}"\ncompatibility_date = "2026-11-02"\n`;

  it.each([
    [
      "a JavaScript main",
      { "wrangler.toml": toml("src/index.js"), "src/index.js": "export default {};\n" },
      /main module is src\/index\.js, not TypeScript/,
    ],
    ["no config", { "src/index.ts": "export default {};\n" }, /No wrangler\.toml or wrangler\.jsonc/],
    ["a config without main", { "wrangler.toml": 'name = "hand"\n' }, /has no "main"/],
    ["main outside the project", { "wrangler.toml": toml("../elsewhere/index.ts") }, /outside the project/],
    [
      "a class main exports already",
      { "wrangler.toml": toml("src/index.ts"), "src/index.ts": "export class Room {}\nexport default {};\n" },
      /main module already exports "Room"/,
    ],
    [
      "a class another file declares",
      { "wrangler.toml": toml("src/index.ts"), "src/index.ts": "export default {};\n", "src/lib/room.ts": "class Room {}\n" },
      /already declares a class "Room"/,
    ],
    [
      "a file where the class's file goes",
      { "wrangler.toml": toml("src/index.ts"), "src/index.ts": "export default {};\n", "src/room.ts": "// mine\n" },
      /src\/room\.ts exists/,
    ],
  ])("%s", async (_what, files, message) => {
    const dir = handWorker(files);
    const before = snapshotTree(dir);
    const result = await add(dir, ["--yes", "--no-create-kv"], childEnv());
    expect(result.exitCode, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(snapshotTree(dir)).toEqual(before);
  });

  it("a main that is a link out of the project: refused, the file it points to untouched", async () => {
    const outside = tempDir("cdk-add-outside-");
    writeFileSync(join(outside, "index.ts"), "export default {};\n");
    const dir = handWorker({ "wrangler.toml": toml("src/index.ts") });
    mkdirSync(join(dir, "src"));
    symlinkSync(join(outside, "index.ts"), join(dir, "src", "index.ts"));
    const result = await add(dir, ["--yes", "--no-create-kv"], childEnv());
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/outside the project|leads outside/);
    expect(read(outside, "index.ts")).toBe("export default {};\n");
  });

  it("without a terminal, an invalid or missing value names its flag", async () => {
    const dir = handWorker({ "wrangler.toml": toml("src/index.ts"), "src/index.ts": "export default {};\n" });
    const bad = await add(dir, ["--class", "room", "--no-create-kv"], childEnv());
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain('--class: "room" is not a valid class name');
  });
});

describe("a project with no wrangler installed", () => {
  it("add, rename and sync refuse before writing, naming the fix; nothing is downloaded", async () => {
    const cwd = tempDir("cdk-no-wrangler-");
    const made = await runCli(["app", "--yes", "--no-install", "--no-git", "--no-create-kv"], { cwd });
    expect(made.exitCode, made.stderr).toBe(0);
    const dir = join(cwd, "app");
    // A PATH with Node and the system's tools, no wrangler, and an npx that leaves a mark if run.
    const marks = tempDir("cdk-npx-");
    writeFileSync(join(marks, "npx"), `#!/bin/sh\necho "$@" >> ${JSON.stringify(join(marks, "ran"))}\nexit 1\n`, { mode: 0o755 });
    const env = childEnv({ ...cloudflare.env(), PATH: `${marks}:${dirname(process.execPath)}:/usr/bin:/bin` });
    const before = snapshotTree(dir);
    for (const args of [["add", "--class", "Counter", "--kv", "COUNTS", "--yes"], ["rename", "--class", "Room=Chat"], ["sync"]]) {
      const result = await runCli(args, { cwd: dir, env });
      expect(result.exitCode, result.stderr).toBe(2);
      expect(result.stderr).toContain("No wrangler to run in");
      expect(result.stderr).toContain("Install the project's dependencies");
      expect(snapshotTree(dir)).toEqual(before);
    }
    expect(existsSync(join(marks, "ran"))).toBe(false);
  });
});

describe("a project on a wrangler before id-less KV bindings (3.x)", () => {
  const ID = "0123456789abcdef0123456789abcdef";

  it("add refuses a KV binding without an id before writing, naming --kv-id; given one, writes it and wrangler 3 makes the types", async () => {
    const dir = join(tempDir("cdk-wrangler3-"), "old");
    mkdirSync(join(dir, "src"), { recursive: true });
    writeFileSync(join(dir, "wrangler.toml"), 'name = "old"\nmain = "src/index.ts"\ncompatibility_date = "2024-09-23"\n');
    writeFileSync(join(dir, "src", "index.ts"), 'export default {\n\tasync fetch(): Promise<Response> {\n\t\treturn new Response("ok");\n\t},\n};\n');
    writeFileSync(join(dir, "package.json"), '{ "name": "old", "private": true }\n');
    const installed = await execa("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--save-dev", "wrangler@3.114.17"], {
      cwd: dir,
      env: childEnv(),
      reject: false,
      all: true,
    });
    expect(installed.exitCode, installed.all).toBe(0);
    const args = ["--class", "Counter", "--kv", "COUNTS", "--no-create-kv", "--yes"];
    const before = snapshotTree(dir);

    const refused = await add(dir, args);
    expect(refused.exitCode, refused.stderr).toBe(2);
    expect(refused.stderr).toContain("The project's wrangler 3.114.17 cannot take a KV binding without an id");
    expect(refused.stderr).toContain("--kv-id COUNTS=<id>");
    expect(snapshotTree(dir)).toEqual(before);

    const added = await add(dir, [...args, "--kv-id", `COUNTS=${ID}`]);
    expect(added.exitCode, `${added.stdout}\n${added.stderr}`).toBe(0);
    expect(config(dir, "wrangler.toml").kv_namespaces).toEqual([{ binding: "COUNTS", id: ID }]);
    expect(read(dir, "worker-configuration.d.ts")).toMatch(/COUNTS: KVNamespace/);
    const dry = await inProject(dir).wrangler("deploy", "--dry-run", "--outdir", "dist");
    expect(dry.exitCode, dry.all).toBe(0);

    // A KV binding without an id added by hand: sync says so in its own words, then takes --kv-id.
    writeFileSync(join(dir, "wrangler.toml"), `${read(dir, "wrangler.toml")}\n[[kv_namespaces]]\nbinding = "NOTES"\n`);
    const stuck = await runCli(["sync", "--no-create-kv"], { cwd: dir, timeout: 180_000 });
    expect(stuck.exitCode, stuck.stderr).toBe(1);
    expect(stuck.stderr).toContain("The project's wrangler 3.114.17 cannot take a KV binding without an id");
    expect(stuck.stderr).toContain(`--kv-id NOTES=<id>`);
    const synced = await runCli(["sync", "--no-create-kv", "--kv-id", `NOTES=${ID.replace("0", "f")}`], { cwd: dir, timeout: 180_000 });
    expect(synced.exitCode, synced.stderr).toBe(0);
    expect(config(dir, "wrangler.toml").kv_namespaces?.at(-1)).toEqual({ binding: "NOTES", id: ID.replace("0", "f") });
    expect(read(dir, "worker-configuration.d.ts")).toMatch(/NOTES: KVNamespace/);
  }, 600_000);
});
