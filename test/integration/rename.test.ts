/**
 * rename and sync on real generated projects (installed, so TypeScript and wrangler are the
 * project's own): config, code, types and migrations agree afterwards, and the project's own
 * checks pass.
 */
import { appendFileSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/core/config/read.js";
import { inProject } from "../helpers/project.js";
import { runMain } from "../helpers/io.js";
import { runCli, SELF } from "../helpers/run.js";
import { snapshotTree, tempDir } from "../helpers/tmp.js";

const STEP = 600_000;
const ID = "0123456789abcdef0123456789abcdef";

const sources = (root: string) => snapshotTree(root);

async function makeProject(name: string, format: "toml" | "jsonc") {
  const cwd = tempDir("cdk-rename-");
  const made = await runCli([name, "--yes", "--format", format, "--kv-id", `CACHE=${ID}`, "--no-create-kv", "--no-git"], { cwd, timeout: STEP });
  expect(made.exitCode, made.stderr).toBe(0);
  return join(cwd, name);
}

async function expectProjectChecksPass(root: string) {
  const project = inProject(root);
  const test = await project.npm("test");
  expect(test.exitCode, test.all).toBe(0);
  const typecheck = await project.npm("run", "typecheck");
  expect(typecheck.exitCode, typecheck.all).toBe(0);
  const dry = await project.wrangler("deploy", "--dry-run", "--outdir", "dist");
  expect(dry.exitCode, dry.all).toBe(0);
  return dry.all;
}

const USER_CODE = `
// Added by the user: a helper that uses the binding, a string and a local that share old names.
export function describeStore(env: Env): string {
	const label = "CACHE holds Room values";
	return env.CACHE ? label : "none";
}
function unrelated(): number {
	const CACHE = 1;
	const Room = 2;
	return CACHE + Room;
}
export const unrelatedTotal = unrelated();
`;

describe("rename on a toml project", () => {
  let root: string;
  const rename = (...args: string[]) => runCli(["rename", ...args], { cwd: root, timeout: STEP });

  beforeAll(async () => {
    root = await makeProject("rn-toml", "toml");
    appendFileSync(join(root, "wrangler.toml"), "\n# my own note, keep me\n");
    appendFileSync(join(root, "src", "index.ts"), USER_CODE);
  }, STEP);

  it(
    "--dry-run prints the changes as a unified diff and writes nothing",
    async () => {
      const before = sources(root);
      const result = await rename("--class", "Room=ChatRoom", "--kv", "CACHE=STORE", "--dry-run");
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stdout).toContain("--- a/src/durable-object.ts");
      expect(result.stdout).toContain("-export class Room extends DurableObject<Env> {");
      expect(result.stdout).toContain("+export class ChatRoom extends DurableObject<Env> {");
      expect(result.stdout).toContain('+renamed_classes = [{ from = "Room", to = "ChatRoom" }]');
      expect(result.stdout).toContain("nothing was written");
      expect(sources(root)).toEqual(before);
    },
    STEP,
  );

  it.each([
    [["--class", "Nope=Other"], 'no Durable Object binding of this Worker uses the class "Nope"'],
    [["--class", "Room=Env"], '"Env" is already used'],
    [["--kv", "CACHE=ROOM"], '"ROOM" is already the name of a Durable Object binding'],
    [["--kv", "CACHE=bad-name"], "is not a valid binding name"],
    [["--do-binding", "ROOM"], "is not OLD=NEW"],
    [[], "Say what to rename"],
  ])(
    "refuses %j with exit 2, every file untouched",
    async (args, message) => {
      const before = sources(root);
      const result = await runMain(["rename", ...args], root);
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain(message);
      expect(sources(root)).toEqual(before);
    },
    STEP,
  );

  it(
    "renames class and KV binding everywhere TypeScript would, and nowhere else",
    async () => {
      const configBefore = readFileSync(join(root, "wrangler.toml"), "utf8");
      const result = await rename("--class", "Room=ChatRoom", "--kv", "CACHE=STORE");
      expect(result.exitCode, result.stderr).toBe(0);
      // It lists as many files as it says it writes, the record among them.
      const [, count] = /Writing (\d+) files/.exec(result.stdout) ?? [];
      const updated = result.stdout.split("\n").filter((line) => line.startsWith("✔ Updated "));
      expect(updated).toHaveLength(Number(count));
      expect(updated).toContain("✔ Updated create-do-kv.json");
      expect(result.stdout).toContain("KV binding CACHE -> STORE (namespace id kept)");

      const text = readFileSync(join(root, "wrangler.toml"), "utf8");
      const config = readConfig(text, "toml");
      expect(config.migrations).toEqual([
        { tag: "v1", new_sqlite_classes: ["Room"] },
        { tag: "v2", renamed_classes: [{ from: "Room", to: "ChatRoom" }] },
      ]);
      expect(config.durable_objects?.bindings).toEqual([{ name: "ROOM", class_name: "ChatRoom" }]);
      expect(config.kv_namespaces).toEqual([{ binding: "STORE", id: ID }]);
      expect(text).toContain("\n# my own note, keep me\n");
      // Every line of the old config is still there but the two renamed ones.
      const changed = configBefore.split("\n").filter((line) => !text.split("\n").includes(line));
      expect(changed).toEqual(['class_name = "Room"', 'binding = "CACHE"']);

      const index = readFileSync(join(root, "src", "index.ts"), "utf8");
      expect(index).toContain('import { ChatRoom } from "./durable-object";');
      expect(index).toContain("export { ChatRoom };");
      expect(index).toContain('return env.STORE ? label : "none";');
      expect(index).toContain('const label = "CACHE holds Room values";');
      expect(index).toContain("const CACHE = 1;\n\tconst Room = 2;\n\treturn CACHE + Room;");
      const durableObject = readFileSync(join(root, "src", "durable-object.ts"), "utf8");
      expect(durableObject).toContain("export class ChatRoom extends DurableObject<Env>");
      expect(durableObject).not.toMatch(/\bCACHE\b/);
      expect(readFileSync(join(root, "test", "index.test.ts"), "utf8")).not.toMatch(/\benv\.CACHE\b|\bRoom\b(?! )/);
      expect(JSON.parse(readFileSync(join(root, "create-do-kv.json"), "utf8"))).toMatchObject({
        durableObjects: [{ binding: "ROOM", class: "ChatRoom" }],
        kv: [{ binding: "STORE", id: ID }],
      });
      expect(readFileSync(join(root, "worker-configuration.d.ts"), "utf8")).toContain("STORE: KVNamespace;");
    },
    STEP,
  );

  it(
    "leaves a project whose own tests, typecheck and deploy dry-run pass",
    async () => {
      const dry = await expectProjectChecksPass(root);
      expect(dry).toContain("env.ROOM (ChatRoom)");
      expect(dry).toContain(`env.STORE (${ID})`);
    },
    STEP,
  );

  it(
    "a second run changes nothing, and says so in --json",
    async () => {
      const before = sources(root);
      const result = await rename("--class", "Room=ChatRoom", "--kv", "CACHE=STORE", "--json");
      expect(result.exitCode).toBe(0);
      expect(result.stderr).toContain("Nothing to change.");
      expect(JSON.parse(result.stdout)).toMatchObject({
        command: "rename",
        status: "ok",
        durableObjects: [{ binding: "ROOM", class: "ChatRoom" }],
        kv: [{ binding: "STORE", id: ID }],
      });
      expect(sources(root)).toEqual(before);
    },
    STEP,
  );

  it(
    "a changed Worker name is refused by sync, untouched",
    async () => {
      const configPath = join(root, "wrangler.toml");
      const original = readFileSync(configPath, "utf8");
      writeFileSync(configPath, original.replace('name = "rn-toml"', 'name = "renamed-worker"'));
      const before = sources(root);
      const result = await runCli(["sync", "--no-create-kv"], { cwd: root });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("transferred_classes");
      expect(sources(root)).toEqual(before);
      writeFileSync(configPath, original);
    },
    STEP,
  );
});

describe("sync after a hand edit of a jsonc project", () => {
  let root: string;

  beforeAll(async () => {
    root = await makeProject("rn-jsonc", "jsonc");
  }, STEP);

  it(
    "a binding and its class both renamed by hand: sync asks instead of guessing, and the rename it names finishes the job",
    async () => {
      const configPath = join(root, "wrangler.jsonc");
      const handEdited = readFileSync(configPath, "utf8")
        .replace('"name": "ROOM", "class_name": "Room"', '"name": "LOBBIES", "class_name": "Lobby"')
        .replace('{ "binding": "CACHE", "id"', '{ "binding": "DATA", "id"')
        .replace('"kv_namespaces": [', '"kv_namespaces": [\n\t\t// a comment of my own');
      writeFileSync(configPath, handEdited);
      const before = sources(root);

      const refused = await runCli(["sync", "--no-create-kv"], { cwd: root, timeout: STEP });
      expect(refused.exitCode).toBe(2);
      expect(refused.stderr).toContain("Is the Durable Object binding LOBBIES (class Lobby) the binding ROOM (class Room) renamed?");
      const command = "rename --class Room=Lobby --do-binding ROOM=LOBBIES";
      expect(refused.stderr).toContain(`${SELF} ${command}`);
      expect(sources(root)).toEqual(before);

      const dry = await runCli([...command.split(" "), "--dry-run"], { cwd: root, timeout: STEP });
      expect(dry.exitCode, dry.stderr).toBe(0);
      expect(dry.stdout).toContain("+export class Lobby extends DurableObject<Env> {");
      expect(sources(root)).toEqual(before);

      const result = await runCli(command.split(" "), { cwd: root, timeout: STEP });
      expect(result.exitCode, result.stderr).toBe(0);
      const synced = await runCli(["sync", "--no-create-kv"], { cwd: root, timeout: STEP });
      expect(synced.exitCode, synced.stderr).toBe(0);
      expect(synced.stdout).toContain("KV binding CACHE -> DATA");
      const text = readFileSync(configPath, "utf8");
      expect(text).toContain("// a comment of my own");
      expect(readConfig(text, "jsonc")).toMatchObject({
        durable_objects: { bindings: [{ name: "LOBBIES", class_name: "Lobby" }] },
        kv_namespaces: [{ binding: "DATA", id: ID }],
        migrations: [
          { tag: "v1", new_sqlite_classes: ["Room"] },
          { tag: "v2", renamed_classes: [{ from: "Room", to: "Lobby" }] },
        ],
      });
      // The only change to the hand-edited file is the appended migration.
      expect(text.replace(/, \{ "tag": "v2", "renamed_classes": \[\{ "from": "Room", "to": "Lobby" \}\] \}/, "")).toBe(handEdited);
      const index = readFileSync(join(root, "src", "index.ts"), "utf8");
      expect(index).toContain("env.LOBBIES.getByName(room)");
      expect(readFileSync(join(root, "src", "durable-object.ts"), "utf8")).toContain("this.env.DATA.get(");
    },
    STEP,
  );

  it(
    "leaves a project whose own tests, typecheck and deploy dry-run pass, and a second sync changes nothing",
    async () => {
      const dry = await expectProjectChecksPass(root);
      expect(dry).toContain("env.LOBBIES (Lobby)");
      const before = sources(root);
      const again = await runCli(["sync", "--no-create-kv"], { cwd: root, timeout: STEP });
      expect(again.exitCode).toBe(0);
      expect(sources(root)).toEqual(before);
    },
    STEP,
  );

  it(
    "records a class rename in the declarative exports map when the config uses one",
    async () => {
      const configPath = join(root, "wrangler.jsonc");
      const withExports = readFileSync(configPath, "utf8").replace(
        /"migrations": \[.*\],/,
        '"exports": { "Lobby": { "type": "durable-object", "storage": "sqlite" } },',
      );
      expect(readConfig(withExports, "jsonc").migrations).toBeUndefined();
      writeFileSync(configPath, withExports);
      const result = await runCli(["rename", "--class", "Lobby=Hall"], { cwd: root, timeout: STEP });
      expect(result.exitCode, result.stderr).toBe(0);
      const config = readConfig(readFileSync(configPath, "utf8"), "jsonc");
      expect(config.exports).toEqual({
        Lobby: { type: "durable-object", state: "renamed", renamed_to: "Hall" },
        Hall: { type: "durable-object", storage: "sqlite" },
      });
      expect(config.migrations).toBeUndefined();
      const dry = await expectProjectChecksPass(root);
      expect(dry).toContain("env.LOBBIES (Hall)");
    },
    STEP,
  );

  it(
    "without the project's TypeScript installed, says so instead of crashing",
    async () => {
      const dir = join(root, "..", "bare-copy");
      const made = await runCli([dir, "--yes", "--no-install", "--no-git", "--no-create-kv"], { cwd: tempDir() });
      expect(made.exitCode).toBe(0);
      const result = await runCli(["rename", "--class", "Room=Hall"], { cwd: dir, timeout: STEP });
      expect(result.exitCode).toBe(2);
      expect(result.stderr).toContain("needs TypeScript");
      expect(result.stderr).toContain("npm install");
      rmSync(dir, { recursive: true, force: true });
    },
    STEP,
  );
});

describe("sync keeps the types in step with bindings added and removed by hand", () => {
  it(
    "a KV binding added, then removed: sync regenerates the types each time, and check has nothing left to say",
    async () => {
      const root = await makeProject("rn-types", "toml");
      const types = () => readFileSync(join(root, "worker-configuration.d.ts"), "utf8");
      const configPath = join(root, "wrangler.toml");
      const original = readFileSync(configPath, "utf8");
      writeFileSync(configPath, `${original}\n[[kv_namespaces]]\nbinding = "SESSIONS"\nid = "fedcba9876543210fedcba9876543210"\n`);
      const added = await runCli(["sync", "--no-create-kv"], { cwd: root, timeout: STEP });
      expect(added.exitCode, added.stderr).toBe(0);
      expect(added.stdout).toContain("Regenerated worker-configuration.d.ts.");
      expect(types()).toContain("\tSESSIONS: KVNamespace;");

      writeFileSync(configPath, original);
      const removed = await runCli(["sync", "--no-create-kv"], { cwd: root, timeout: STEP });
      expect(removed.exitCode, removed.stderr).toBe(0);
      expect(removed.stdout).toContain("Regenerated worker-configuration.d.ts.");
      expect(types()).not.toContain("SESSIONS");
      const check = await runCli(["check", "--strict"], { cwd: root });
      expect(check.exitCode, check.stderr).toBe(0);
      expect(check.stderr).toBe("");
    },
    STEP,
  );
});
