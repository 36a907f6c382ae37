/**
 * Hand-edit scenarios for rename and sync, run as a user would on real generated projects (toml
 * and jsonc, default and broadcast templates, and a project with two classes and an
 * [env.staging] section). For each: the exit code; when refused, nothing on disk changed; when
 * accepted, the config changed only in the renamed names and the appended step, the migration
 * model finds nothing wrong, and the project's own tsc, tests and `wrangler deploy --dry-run`
 * (also --env staging) pass. A subset runs again on TypeScript 5 and 7: there the config must come
 * out byte for byte as on the pinned TypeScript (its dry runs passed; the config is planned
 * without the engine), then tsc and the export check.
 */
import { execa } from "execa";
import { appendFileSync, cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { diffArrays } from "diff";
import { applyEdits, modify } from "jsonc-parser";
import { beforeAll, describe, expect, it } from "vitest";
import { readConfig, type WranglerConfig } from "../../src/core/config/read.js";
import { lifecycleOf, lifecycleProblems } from "../../src/core/migrations/lifecycle.js";
import { exportedClasses } from "../../src/effects/module-exports.js";
import { TEMPLATES } from "../../src/core/project/options.js";
import type { NameChange } from "../../src/core/rename/plan.js";
import { childEnv, runCli, SELF } from "../helpers/run.js";
import { snapshotTree, tempDir } from "../helpers/tmp.js";

const STEP = 900_000;
const ID = "0123456789abcdef0123456789abcdef";
const ID2 = "fedcba9876543210fedcba9876543210";
const ID3 = "00112233445566778899aabbccddeeff";

type Base = "toml" | "jsonc" | "toml-broadcast" | "jsonc-broadcast" | "toml-rich" | "jsonc-rich";

interface Step {
  args: string[];
  exit: number;
  /** Text the output (stdout and stderr) must hold. */
  says?: (string | RegExp)[];
}

interface Scenario {
  name: string;
  base: Base;
  edit?: (dir: string) => void;
  steps: Step[];
  /** Names the config may change (from -> to), besides the appended step. */
  renamed?: NameChange[];
  check?: (config: WranglerConfig, dir: string) => void;
}

/**
 * The TypeScript lines a rename must work with besides the pinned 6.x: the 5.x that
 * create-cloudflare's templates take (^5.5.2), and 7.x (the native compiler, spoken to as a
 * language server). The scenarios that rename code run against each.
 */
const OTHER_ENGINES = [
  { name: "TypeScript 5", spec: "typescript@^5.5.2" },
  { name: "TypeScript 7", spec: "typescript@^7.0.2" },
];
const ENGINE_SCENARIOS = new Set([
  "toml: rename --class Room=Chat",
  "jsonc-broadcast: rename --class Room=Chat",
  "toml: rename --kv CACHE=STORE keeps the id",
  "jsonc: rename --do-binding ROOM=ROOMS",
  "toml-rich: a class rename reaches env.staging, one step",
  "jsonc-rich: the second class and its binding renamed together",
  "toml: the new class name already declared at the top of a file that uses the old one",
  "toml: the new class name is a local where the old one is used",
  "toml: a local with the new binding name is no conflict for env.X",
  "toml: a destructured binding keeps its local name",
  "toml: the class reaches main through a re-export from another module",
  "toml: rename of a class main does not export",
  "toml: sync after a KV binding renamed by hand (id kept) renames the code",
  "jsonc: sync after the class renamed in the config only renames the code and adds the step",
  "toml: sync after an editor rename of the class, then the config: appends the step only",
  "toml: a class renamed in the editor only: refused naming the rename; the rename finishes it",
  "toml: the class renamed in the config and its step written by hand, the code not: sync finishes the code, no second step",
  "toml: the declarative exports map",
]);

/** At most `n` at once: each project check starts Node, workerd and tsc on a 2-core machine. */
function limit(n: number) {
  let running = 0;
  const queue: (() => void)[] = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => queue.push(resolve));
    running++;
    try {
      return await task();
    } finally {
      running--;
      queue.shift()?.();
    }
  };
}
const heavy = limit(2);

const configFile = (dir: string) => ["wrangler.jsonc", "wrangler.json", "wrangler.toml"].map((f) => join(dir, f)).find((f) => existsSync(f))!;
const formatOf = (path: string) => (path.endsWith(".toml") ? "toml" : "jsonc");

/** Replaces text that must be there: a scenario never silently edits nothing. */
function replaceIn(dir: string, file: string, from: string | RegExp, to: string) {
  const path = join(dir, file);
  const text = readFileSync(path, "utf8");
  const next = text.replace(from, to);
  if (next === text) throw new Error(`scenario edit: ${String(from)} not found in ${file}`);
  writeFileSync(path, next);
}
const editConfig = (from: string | RegExp, to: string) => (dir: string) => replaceIn(dir, configFile(dir).slice(dir.length + 1), from, to);
const editCode = (file: string, from: string | RegExp, to: string) => (dir: string) => replaceIn(dir, file, from, to);
const both =
  (...edits: ((dir: string) => void)[]) =>
  (dir: string) => {
    for (const e of edits) e(dir);
  };

const LOG_CLASS = `import { DurableObject } from "cloudflare:workers";

/** A second class, added by hand. */
export class Log extends DurableObject<Env> {
	async count(): Promise<number> {
		return 1;
	}
}
`;

const RICH_TOML = `
[[durable_objects.bindings]]
name = "LOGS"
class_name = "Log"

[[migrations]]
tag = "v2"
new_sqlite_classes = ["Log"]

[env.staging]
[[env.staging.durable_objects.bindings]]
name = "ROOM"
class_name = "Room"
[[env.staging.durable_objects.bindings]]
name = "LOGS"
class_name = "Log"
[[env.staging.kv_namespaces]]
binding = "CACHE"
id = "${ID2}"
[[env.staging.kv_namespaces]]
binding = "SESSIONS"
`;

function makeRich(dir: string, format: "toml" | "jsonc") {
  writeFileSync(join(dir, "src", "log.ts"), LOG_CLASS);
  appendFileSync(join(dir, "src", "index.ts"), 'export { Log } from "./log";\n');
  const path = configFile(dir);
  if (format === "toml") {
    appendFileSync(path, RICH_TOML);
    return;
  }
  let text = readFileSync(path, "utf8");
  const set = (at: (string | number)[], value: unknown) => {
    text = applyEdits(text, modify(text, at, value, { formattingOptions: { insertSpaces: false, tabSize: 1 } }));
  };
  set(["durable_objects", "bindings", 1], { name: "LOGS", class_name: "Log" });
  set(["migrations", 1], { tag: "v2", new_sqlite_classes: ["Log"] });
  set(["env"], {
    staging: {
      durable_objects: {
        bindings: [
          { name: "ROOM", class_name: "Room" },
          { name: "LOGS", class_name: "Log" },
        ],
      },
      kv_namespaces: [{ binding: "CACHE", id: ID2 }, { binding: "SESSIONS" }],
    },
  });
  writeFileSync(path, text);
}

const rename = (...args: string[]) => ["rename", ...args];
const sync = (...args: string[]) => ["sync", "--no-create-kv", ...args];
const classRename = { from: "Room", to: "Chat" };

const SCENARIOS: Scenario[] = [
  // rename, by flags, on every kind of project
  ...(["toml", "jsonc", "toml-broadcast", "jsonc-broadcast"] as const).map((base) => ({
    name: `${base}: rename --class Room=Chat`,
    base,
    steps: [{ args: rename("--class", "Room=Chat"), exit: 0 }],
    renamed: [classRename],
    check: (config: WranglerConfig) => expect(config.migrations?.at(-1)).toEqual({ tag: "v2", renamed_classes: [classRename] }),
  })),
  ...(["toml", "jsonc", "toml-broadcast", "jsonc-broadcast"] as const).map((base) => ({
    name: `${base}: rename --kv CACHE=STORE keeps the id`,
    base,
    steps: [{ args: rename("--kv", "CACHE=STORE"), exit: 0 }],
    renamed: [{ from: "CACHE", to: "STORE" }],
    check: (config: WranglerConfig) => expect(config.kv_namespaces?.[0]).toEqual({ binding: "STORE", id: ID }),
  })),
  ...(["toml", "jsonc"] as const).map((base) => ({
    name: `${base}: rename --do-binding ROOM=ROOMS`,
    base,
    steps: [{ args: rename("--do-binding", "ROOM=ROOMS"), exit: 0 }],
    renamed: [{ from: "ROOM", to: "ROOMS" }],
  })),
  // two classes and an environment
  ...(["toml-rich", "jsonc-rich"] as const).flatMap((base) => [
    {
      name: `${base}: a class rename reaches env.staging, one step`,
      base,
      steps: [{ args: rename("--class", "Room=Chat"), exit: 0 }],
      renamed: [classRename],
      check: (config: WranglerConfig) => {
        expect(config.env?.staging?.durable_objects?.bindings?.[0]).toEqual({ name: "ROOM", class_name: "Chat" });
        expect(config.migrations?.at(-1)).toEqual({ tag: "v3", renamed_classes: [classRename] });
      },
    },
    {
      name: `${base}: a KV rename reaches env.staging with its own id`,
      base,
      steps: [{ args: rename("--kv", "CACHE=STORE"), exit: 0 }],
      renamed: [{ from: "CACHE", to: "STORE" }],
      check: (config: WranglerConfig) => expect(config.env?.staging?.kv_namespaces?.[0]).toEqual({ binding: "STORE", id: ID2 }),
    },
    {
      name: `${base}: the second class and its binding renamed together`,
      base,
      steps: [{ args: rename("--class", "Log=Journal", "--do-binding", "LOGS=JOURNALS"), exit: 0 }],
      renamed: [
        { from: "Log", to: "Journal" },
        { from: "LOGS", to: "JOURNALS" },
      ],
      check: (config: WranglerConfig, dir: string) => {
        expect(config.env?.staging?.durable_objects?.bindings?.[1]).toEqual({ name: "JOURNALS", class_name: "Journal" });
        expect(readFileSync(join(dir, "src", "log.ts"), "utf8")).toContain("export class Journal extends");
      },
    },
    {
      name: `${base}: a class into the other live class is refused`,
      base,
      steps: [{ args: rename("--class", "Room=Log"), exit: 2, says: ['"Log" is already the class of the binding "LOGS"'] }],
    },
  ]),
  {
    // In env.staging: the tests run the top level, where a binding to a Worker that is not running fails to start.
    name: "toml-rich: another Worker's binding of the same class name is left alone",
    base: "toml-rich",
    edit: (dir) =>
      appendFileSync(
        configFile(dir),
        '\n[[env.staging.durable_objects.bindings]]\nname = "REMOTE"\nclass_name = "Room"\nscript_name = "other-worker"\n',
      ),
    steps: [{ args: rename("--class", "Room=Chat"), exit: 0 }],
    renamed: [classRename],
    check: (config) =>
      expect(config.env?.staging?.durable_objects?.bindings?.at(-1)).toEqual({ name: "REMOTE", class_name: "Room", script_name: "other-worker" }),
  },
  // refusals: nothing written
  ...(["toml", "jsonc"] as const).flatMap((base) => [
    {
      name: `${base}: two renames into one name`,
      base,
      steps: [{ args: rename("--kv", "CACHE=X", "--do-binding", "ROOM=X"), exit: 2, says: ['two things the name "X"'] }],
    },
    {
      name: `${base}: a binding named like an Object member`,
      base,
      steps: [{ args: rename("--kv", "CACHE=toString"), exit: 2, says: ["member of every JavaScript object"] }],
    },
  ]),
  {
    name: "toml: one name renamed to two",
    base: "toml",
    steps: [{ args: rename("--kv", "CACHE=A", "--kv", "CACHE=B"), exit: 2, says: ['rename "CACHE" twice'] }],
  },
  {
    name: "toml: a new name held by a var",
    base: "toml",
    edit: (dir) => appendFileSync(configFile(dir), '\n[vars]\nSTORE = "x"\n'),
    steps: [{ args: rename("--kv", "CACHE=STORE"), exit: 2, says: ['"STORE" is already the name of a var binding'] }],
  },
  {
    name: "jsonc: a new name held by an R2 bucket",
    base: "jsonc",
    edit: editConfig('"kv_namespaces":', '"r2_buckets": [{ "binding": "FILES", "bucket_name": "files" }],\n\t"kv_namespaces":'),
    steps: [{ args: rename("--do-binding", "ROOM=FILES"), exit: 2, says: ["R2 bucket"] }],
  },
  {
    name: "toml: the new class name already declared at the top of a file that uses the old one",
    base: "toml",
    edit: (dir) => appendFileSync(join(dir, "src", "index.ts"), "\nexport const Chat = 1;\n"),
    steps: [{ args: rename("--class", "Room=Chat"), exit: 2, says: [/src\/index\.ts:\d+/, "choose another name"] }],
  },
  {
    name: "toml: the new class name is a local where the old one is used",
    base: "toml",
    edit: (dir) =>
      appendFileSync(
        join(dir, "src", "durable-object.ts"),
        "\nexport function make(): string {\n\tconst Chat = 'x';\n\treturn Chat + Room.name;\n}\n",
      ),
    steps: [{ args: rename("--class", "Room=Chat"), exit: 2, says: [/would change what src\/durable-object\.ts:\d+ refers to/] }],
  },
  {
    name: "toml: a local with the new binding name is no conflict for env.X",
    base: "toml",
    edit: (dir) =>
      appendFileSync(
        join(dir, "src", "index.ts"),
        "\nexport function probe(env: Env): boolean {\n\tconst STORE = 1;\n\treturn Boolean(env.CACHE) && STORE === 1;\n}\n",
      ),
    steps: [{ args: rename("--kv", "CACHE=STORE"), exit: 0 }],
    renamed: [{ from: "CACHE", to: "STORE" }],
    check: (_config, dir) => expect(readFileSync(join(dir, "src", "index.ts"), "utf8")).toContain("return Boolean(env.STORE) && STORE === 1;"),
  },
  {
    name: "toml: a destructured binding keeps its local name",
    base: "toml",
    edit: (dir) =>
      appendFileSync(
        join(dir, "src", "index.ts"),
        "\nexport function probe(env: Env): boolean {\n\tconst { CACHE } = env;\n\treturn Boolean(CACHE);\n}\n",
      ),
    steps: [{ args: rename("--kv", "CACHE=STORE"), exit: 0 }],
    renamed: [{ from: "CACHE", to: "STORE" }],
    check: (_config, dir) => expect(readFileSync(join(dir, "src", "index.ts"), "utf8")).toContain("const { STORE: CACHE } = env;"),
  },
  {
    // (`export *` would do for wrangler's build, but `wrangler types` then types the binding's stub as undefined.)
    name: "toml: the class reaches main through a re-export from another module",
    base: "toml",
    edit: both(
      (dir) => writeFileSync(join(dir, "src", "objects.ts"), 'export { Room } from "./durable-object";\n'),
      editCode("src/index.ts", 'import { Room } from "./durable-object";\n', ""),
      editCode("src/index.ts", "export { Room };", 'export { Room } from "./objects";'),
    ),
    steps: [{ args: rename("--class", "Room=Chat"), exit: 0 }],
    renamed: [classRename],
    check: (_config, dir) => expect(readFileSync(join(dir, "src", "durable-object.ts"), "utf8")).toContain("export class Chat extends"),
  },
  {
    name: "toml: rename of a class main does not export",
    base: "toml",
    edit: (dir) => {
      appendFileSync(configFile(dir), '\n[[durable_objects.bindings]]\nname = "GHOST"\nclass_name = "Ghost"\n');
      replaceIn(dir, configFile(dir).slice(dir.length + 1), 'new_sqlite_classes = ["Room"]', 'new_sqlite_classes = ["Room", "Ghost"]');
    },
    steps: [{ args: rename("--class", "Ghost=Spirit"), exit: 2, says: ['exports neither "Ghost" nor "Spirit"'] }],
  },
  // sync after hand edits
  ...(["toml", "jsonc"] as const).flatMap((base): Scenario[] => [
    {
      name: `${base}: sync after a KV binding renamed by hand (id kept) renames the code`,
      base,
      edit: editConfig(/("binding"|binding) = "CACHE"|"binding": "CACHE"/, base === "toml" ? 'binding = "STORE"' : '"binding": "STORE"'),
      steps: [{ args: sync(), exit: 0, says: ["KV binding CACHE -> STORE"] }],
      renamed: [],
    },
    {
      name: `${base}: sync after the class renamed in the config only renames the code and adds the step`,
      base,
      edit: editConfig(/class_name"?(: | = )"Room"/, base === "toml" ? 'class_name = "Chat"' : 'class_name": "Chat"'),
      steps: [{ args: sync(), exit: 0, says: ["class Room -> Chat"] }],
      renamed: [],
      check: (config, dir) => {
        expect(config.migrations?.at(-1)).toEqual({ tag: "v2", renamed_classes: [classRename] });
        expect(readFileSync(join(dir, "src", "durable-object.ts"), "utf8")).toContain("export class Chat extends");
      },
    },
    {
      name: `${base}: sync after an editor rename of the class, then the config: appends the step only`,
      base,
      edit: both(
        editConfig(/class_name"?(: | = )"Room"/, base === "toml" ? 'class_name = "Chat"' : 'class_name": "Chat"'),
        editCode("src/durable-object.ts", "export class Room extends", "export class Chat extends"),
        editCode("src/index.ts", /\bRoom\b/g, "Chat"),
        editCode("test/index.test.ts", /\bRoom\b/g, "Chat"),
      ),
      steps: [{ args: sync(), exit: 0 }],
      check: (config) => expect(config.migrations?.at(-1)).toEqual({ tag: "v2", renamed_classes: [classRename] }),
    },
    {
      name: `${base}: sync when a binding is added above the existing one: no rename, nothing asked`,
      base,
      edit: both(
        (dir) => {
          writeFileSync(join(dir, "src", "log.ts"), LOG_CLASS);
          appendFileSync(join(dir, "src", "index.ts"), 'export { Log } from "./log";\n');
        },
        base === "toml"
          ? editConfig(
              "[[durable_objects.bindings]]",
              '[[durable_objects.bindings]]\nname = "LOGS"\nclass_name = "Log"\n\n[[durable_objects.bindings]]',
            )
          : editConfig('"bindings": [{', '"bindings": [{ "name": "LOGS", "class_name": "Log" }, {'),
        base === "toml"
          ? editConfig('new_sqlite_classes = ["Room"]', 'new_sqlite_classes = ["Room"]\n\n[[migrations]]\ntag = "v2"\nnew_sqlite_classes = ["Log"]')
          : editConfig('"new_sqlite_classes": ["Room"] }', '"new_sqlite_classes": ["Room"] }, { "tag": "v2", "new_sqlite_classes": ["Log"] }'),
      ),
      steps: [{ args: sync(), exit: 0 }],
      renamed: [],
      check: (config, dir) => {
        expect(config.migrations).toHaveLength(2);
        expect(readFileSync(join(dir, "src", "durable-object.ts"), "utf8")).toContain("export class Room extends");
        expect(JSON.parse(readFileSync(join(dir, "create-do-kv.json"), "utf8")).durableObjects).toEqual([
          { binding: "LOGS", class: "Log" },
          { binding: "ROOM", class: "Room" },
        ]);
      },
    },
  ]),
  {
    name: "toml: a KV binding without an id that the code uses, renamed by hand: refused with the rename that would do it, record kept",
    base: "toml",
    edit: both(editConfig('binding = "SESSIONS"', 'binding = "EVENTS"'), (dir) =>
      appendFileSync(join(dir, "src", "durable-object.ts"), "\nexport const sessions = (env: Env) => env.SESSIONS;\n"),
    ),
    steps: [
      { args: sync(), exit: 2, says: ["Is the KV binding EVENTS the binding SESSIONS renamed", `${SELF} rename --kv SESSIONS=EVENTS`] },
      { args: rename("--kv", "SESSIONS=EVENTS"), exit: 0 },
      { args: sync(), exit: 0 },
    ],
  },
  {
    // Renamed or removed and added, the files end the same: a question would only stop CI (issue 40).
    name: "toml: a KV binding without an id that nothing names, renamed by hand: sync takes it without asking",
    base: "toml",
    edit: editConfig('binding = "SESSIONS"', 'binding = "EVENTS"'),
    steps: [{ args: sync(), exit: 0 }],
    renamed: [],
    check: (config, dir) => {
      expect(config.kv_namespaces?.map((kv) => kv.binding)).toEqual(["CACHE", "EVENTS"]);
      const record = JSON.parse(readFileSync(join(dir, "create-do-kv.json"), "utf8")) as { kv: { binding: string }[] };
      expect(record.kv.map((kv) => kv.binding)).toEqual(["CACHE", "EVENTS"]);
      expect(readFileSync(join(dir, "worker-configuration.d.ts"), "utf8")).toContain("\tEVENTS: KVNamespace;");
    },
  },
  {
    name: "jsonc: a KV binding without an id renamed by hand, taken as it is with --no-renames",
    base: "jsonc",
    edit: editConfig('{ "binding": "SESSIONS" }', '{ "binding": "EVENTS" }'),
    steps: [{ args: sync("--no-renames"), exit: 0 }],
    renamed: [],
  },
  {
    name: "toml: a class renamed in the editor only: refused naming the rename; the rename finishes it",
    base: "toml",
    edit: both(
      editCode("src/durable-object.ts", "export class Room extends", "export class Chat extends"),
      editCode("src/index.ts", /\bRoom\b/g, "Chat"),
      editCode("test/index.test.ts", /\bRoom\b/g, "Chat"),
    ),
    steps: [
      { args: sync(), exit: 2, says: [`${SELF} rename --class Room=Chat`] },
      { args: rename("--class", "Room=Chat"), exit: 0 },
    ],
    renamed: [classRename],
  },
  {
    name: "jsonc: binding and class both renamed by hand: asked, then finished by the named rename",
    base: "jsonc",
    edit: editConfig('"name": "ROOM", "class_name": "Room"', '"name": "HALLS", "class_name": "Hall"'),
    steps: [
      { args: sync(), exit: 2, says: [`${SELF} rename --class Room=Hall --do-binding ROOM=HALLS`] },
      { args: rename("--class", "Room=Hall", "--do-binding", "ROOM=HALLS"), exit: 0 },
      { args: sync(), exit: 0 },
    ],
  },
  {
    name: "toml: a new binding to a class no migration creates: sync refuses, naming new_sqlite_classes",
    base: "toml",
    edit: both(
      (dir) => {
        writeFileSync(join(dir, "src", "log.ts"), LOG_CLASS);
        appendFileSync(join(dir, "src", "index.ts"), 'export { Log } from "./log";\n');
      },
      (dir) => appendFileSync(configFile(dir), '\n[[durable_objects.bindings]]\nname = "LOGS"\nclass_name = "Log"\n'),
    ),
    steps: [{ args: sync(), exit: 2, says: ['uses the class "Log", which no migration creates', 'new_sqlite_classes = ["Log"]'] }],
  },
  {
    name: "toml: the Worker renamed: sync refuses",
    base: "toml",
    edit: editConfig(/^name = "[a-z-]+"/m, 'name = "renamed-worker"'),
    steps: [{ args: sync(), exit: 2, says: ["transferred_classes"] }],
  },
  // every valid config shape
  {
    name: "toml: an inline migrations array",
    base: "toml",
    // Above the first table, where a top-level key has to be.
    edit: both(
      editConfig('[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]\n', ""),
      editConfig(/^(compatibility_date = .*)$/m, '$1\nmigrations = [{ tag = "v1", new_sqlite_classes = ["Room"] }] # inline'),
    ),
    steps: [{ args: rename("--class", "Room=Chat"), exit: 0 }],
    renamed: [classRename],
  },
  {
    name: "toml: a step written with sub-tables",
    base: "toml",
    edit: editConfig(
      '[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]',
      '[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Old"]\n\n[[migrations]]\ntag = "v2"\n[[migrations.renamed_classes]]\nfrom = "Old"\nto = "Room"',
    ),
    steps: [{ args: rename("--class", "Room=Chat"), exit: 0 }],
    renamed: [classRename],
    check: (config) => expect(config.migrations?.at(-1)).toEqual({ tag: "v3", renamed_classes: [classRename] }),
  },
  {
    name: "toml: CRLF line ends and single quotes are kept",
    base: "toml",
    edit: (dir) => {
      const path = configFile(dir);
      writeFileSync(path, readFileSync(path, "utf8").replace('class_name = "Room"', "class_name = 'Room'").replace(/\n/g, "\r\n"));
    },
    steps: [{ args: rename("--class", "Room=Chat", "--kv", "CACHE=STORE"), exit: 0 }],
    renamed: [classRename, { from: "CACHE", to: "STORE" }],
    check: (_config, dir) => {
      const text = readFileSync(configFile(dir), "utf8");
      expect(text).toContain("class_name = 'Chat'\r\n");
      expect(text.replace(/\r\n/g, "")).not.toContain("\n");
    },
  },
  {
    name: "jsonc: a wrangler.json",
    base: "jsonc",
    edit: (dir) => {
      const text = readFileSync(join(dir, "wrangler.jsonc"), "utf8").replace(/^\s*\/\/.*$/gm, "");
      writeFileSync(join(dir, "wrangler.json"), text);
      rmSync(join(dir, "wrangler.jsonc"));
      replaceIn(dir, "vitest.config.ts", "wrangler.jsonc", "wrangler.json");
    },
    steps: [{ args: rename("--class", "Room=Chat"), exit: 0 }],
    renamed: [classRename],
  },
  {
    name: "toml: a config that does not parse: file, line and column, nothing written",
    base: "toml",
    edit: editConfig('tag = "v1"', "tag = "),
    steps: [{ args: rename("--class", "Room=Chat"), exit: 2, says: [/wrangler\.toml:\d+:\d+ is not valid TOML/] }],
  },
  {
    name: "jsonc: a config that does not parse: sync says where",
    base: "jsonc",
    edit: editConfig('"main":', '"main" '),
    steps: [{ args: sync(), exit: 2, says: [/wrangler\.jsonc:\d+:\d+ is not valid JSONC/] }],
  },
  {
    name: "toml: migrations and exports together are refused",
    base: "toml",
    edit: (dir) => appendFileSync(configFile(dir), '\n[exports.Room]\ntype = "durable-object"\nstorage = "sqlite"\n'),
    steps: [{ args: rename("--kv", "CACHE=STORE"), exit: 2, says: ["both `migrations` and `exports`"] }],
  },
  {
    name: "toml: the declarative exports map",
    base: "toml",
    edit: editConfig('[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]', '[exports.Room]\ntype = "durable-object"\nstorage = "sqlite"'),
    steps: [
      {
        args: rename("--class", "Room=Chat"),
        exit: 0,
        says: ['class Room -> Chat (recorded in exports: Room state = "renamed", renamed_to = "Chat")'],
      },
    ],
    renamed: [classRename],
    check: (config) => expect(config.exports?.Room).toEqual({ type: "durable-object", state: "renamed", renamed_to: "Chat" }),
  },
  {
    name: "toml: a rename step the user already added is not added twice",
    base: "toml",
    edit: editConfig(
      'new_sqlite_classes = ["Room"]',
      'new_sqlite_classes = ["Room"]\n\n[[migrations]]\ntag = "v2"\nrenamed_classes = [{ from = "Room", to = "Chat" }]',
    ),
    steps: [{ args: rename("--class", "Room=Chat"), exit: 0 }],
    renamed: [classRename],
    check: (config) => expect(config.migrations).toHaveLength(2),
  },
  {
    name: "toml: an interrupted write is finished by the next run",
    base: "toml",
    edit: (dir) => {
      const pending = join(dir, ".create-do-kv-pending");
      mkdirSync(pending);
      cpSync(join(dir, "README.md"), join(pending, "0"));
      appendFileSync(join(pending, "0"), "\nfinished by the next run\n");
      writeFileSync(join(pending, "journal.json"), JSON.stringify({ files: [{ path: "README.md", staged: "0" }] }));
    },
    steps: [{ args: sync(), exit: 0, says: ["Finished an interrupted write: README.md"] }],
    check: (_config, dir) => {
      expect(readFileSync(join(dir, "README.md"), "utf8")).toContain("finished by the next run");
      expect(existsSync(join(dir, ".create-do-kv-pending"))).toBe(false);
    },
  },
  // hand edits that sync must finish in the right direction, with fresh types
  {
    name: "toml: the class renamed in the config and its step written by hand, the code not: sync finishes the code, no second step",
    base: "toml",
    edit: both(
      editConfig('class_name = "Room"', 'class_name = "Chat"'),
      editConfig(
        'new_sqlite_classes = ["Room"]',
        'new_sqlite_classes = ["Room"]\n\n[[migrations]]\ntag = "v2"\nrenamed_classes = [{ from = "Room", to = "Chat" }]',
      ),
    ),
    steps: [
      { args: sync(), exit: 0, says: ["class Room -> Chat"] },
      { args: sync(), exit: 0 },
    ],
    check: (config, dir) => {
      expect(config.migrations).toEqual([
        { tag: "v1", new_sqlite_classes: ["Room"] },
        { tag: "v2", renamed_classes: [classRename] },
      ]);
      expect(readFileSync(join(dir, "src", "durable-object.ts"), "utf8")).toContain("export class Chat extends");
    },
  },
  {
    name: "toml: the same with the exports map: sync finishes the code and says what it recorded",
    base: "toml",
    edit: both(
      editConfig('class_name = "Room"', 'class_name = "Chat"'),
      editConfig(
        '[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]',
        '[exports.Room]\ntype = "durable-object"\nstate = "renamed"\nrenamed_to = "Chat"\n\n[exports.Chat]\ntype = "durable-object"\nstorage = "sqlite"',
      ),
    ),
    steps: [{ args: sync(), exit: 0, says: ["class Room -> Chat"] }],
    check: (config, dir) => {
      expect(Object.keys(config.exports ?? {}).sort()).toEqual(["Chat", "Room"]);
      expect(readFileSync(join(dir, "src", "durable-object.ts"), "utf8")).toContain("export class Chat extends");
    },
  },
  {
    name: "toml-rich: a KV binding no code uses, renamed by hand in every section: sync regenerates the types",
    base: "toml-rich",
    edit: (dir) => {
      replaceIn(dir, "wrangler.toml", 'binding = "SESSIONS"', `binding = "EVENTS"\nid = "${ID3}"`);
      replaceIn(dir, "wrangler.toml", /binding = "SESSIONS"/g, 'binding = "EVENTS"');
      const record = JSON.parse(readFileSync(join(dir, "create-do-kv.json"), "utf8")) as { kv: { binding: string; id: string | null }[] };
      for (const kv of record.kv) if (kv.binding === "SESSIONS") kv.id = ID3;
      writeFileSync(join(dir, "create-do-kv.json"), `${JSON.stringify(record, null, 2)}\n`);
    },
    steps: [{ args: sync(), exit: 0, says: ["KV binding SESSIONS -> EVENTS"] }],
    check: (_config, dir) => {
      const types = readFileSync(join(dir, "worker-configuration.d.ts"), "utf8");
      expect(types).toContain("\tEVENTS: KVNamespace;");
      expect(types).not.toContain("SESSIONS");
    },
  },
  {
    // In env.staging, as the other-Worker case: the top level's tests would try to reach the script.
    name: "toml-rich: a binding to this Worker's own class through its own script name is renamed with the class",
    base: "toml-rich",
    edit: (dir) =>
      appendFileSync(
        configFile(dir),
        '\n[[env.staging.durable_objects.bindings]]\nname = "SELF"\nclass_name = "Room"\nscript_name = "toml-staging"\n',
      ),
    steps: [{ args: rename("--class", "Room=Chat"), exit: 0 }],
    renamed: [classRename],
    check: (config) =>
      expect(config.env?.staging?.durable_objects?.bindings?.at(-1)).toEqual({ name: "SELF", class_name: "Chat", script_name: "toml-staging" }),
  },
  {
    name: "toml-rich: a sync refusal names the config entry it read, not a flag nobody gave",
    base: "toml-rich",
    edit: both(editConfig(`binding = "CACHE"\nid = "${ID}"`, `binding = "STORE"\nid = "${ID}"`), (dir) =>
      appendFileSync(configFile(dir), '\n[[env.staging.kv_namespaces]]\nbinding = "STORE"\n'),
    ),
    steps: [{ args: sync(), exit: 2, says: ["The KV binding CACHE -> STORE (as wrangler.toml has it now):", '"STORE" is already used'] }],
  },
  {
    name: "toml: rename twice, then sync: the second run and the sync change nothing",
    base: "toml",
    steps: [
      { args: rename("--class", "Room=Chat"), exit: 0 },
      { args: rename("--class", "Room=Chat"), exit: 0, says: ["Nothing to change."] },
      { args: sync(), exit: 0 },
    ],
    renamed: [classRename],
  },
];

/** Removed lines hold an old name that an added line renames; other added lines belong to the new step. */
function expectOnlyNamesChanged(before: string, after: string, renamed: NameChange[]) {
  const removed: string[] = [];
  const added: string[] = [];
  for (const part of diffArrays(before.split(/\r?\n/), after.split(/\r?\n/))) {
    if (part.removed) removed.push(...part.value);
    if (part.added) added.push(...part.value);
  }
  const rename = (line: string) => renamed.reduce((text, { from, to }) => text.replace(new RegExp(`(["'])${from}\\1`, "g"), `$1${to}$1`), line);
  // A step's lines: TOML's, or JSONC's, one line or (after a multi-line neighbour) one member a line.
  const isStep = (line: string) =>
    /renamed_classes|\[\[migrations\]\]|^\s*tag = |^\s*"tag": |renamed_to|state = |\[exports\.|^type = |^storage = |^\s*[{}],?\s*$|^\s*$/.test(line);
  for (const line of removed) {
    // A one-line list the step was appended to: what it held is still there, before its `]`.
    const kept = line.includes("]") ? line.slice(0, line.lastIndexOf("]")) : line;
    // A line the diff saw move (a closing brace) is unchanged; a former last element gains a comma.
    const same = (a: string) => a === line || a === `${line},`;
    expect(
      added.some((a) => same(a) || a === rename(line) || (isStep(a) && a.includes(kept))),
      `removed: ${line}`,
    ).toBe(true);
  }
  for (const line of added) {
    expect(removed.some((r) => r === line || `${r},` === line || rename(r) === line) || isStep(line), `added: ${line}`).toBe(true);
  }
}

/** A copy of an installed node_modules in moments: hard links (Linux cp), its own folders. */
async function linkModules(from: string, projectDir: string) {
  await execa("cp", ["-al", from, join(projectDir, "node_modules")]);
}

/**
 * The project as its user checks it: tsc with the project's TypeScript, every class the config
 * keeps live exported by main (what workerd needs to start the Worker, and Cloudflare to accept
 * it), and a deploy dry run in each section. Its tests in workerd run where `runtime` says: once
 * per base before any scenario, and after each scenario of ENGINE_SCENARIOS (every kind of
 * rename, in each base), since what they add over tsc and the export check does not depend on
 * which names changed (measured in CONTRIBUTING: the workerd run was a third of this file's time).
 */
async function projectChecks(dir: string, config: WranglerConfig, runtime: boolean, dryRuns = true) {
  const bin = (name: string) => join(dir, "node_modules", ".bin", name);
  const run = (file: string, args: string[]) =>
    heavy(() => execa(file, args, { cwd: dir, env: childEnv(), reject: false, all: true, stdin: "ignore", timeout: 300_000 }));
  const tsc = await run(bin("tsc"), ["--noEmit"]);
  expect(tsc.exitCode, `tsc:\n${tsc.all}`).toBe(0);
  const exported = exportedClasses(join(dir, config.main ?? "src/index.ts"));
  expect(
    [...lifecycleOf(config).live].filter((name) => !exported.has(name)),
    "live classes main does not export",
  ).toEqual([]);
  if (runtime) {
    const tests = await run(bin("vitest"), ["run"]);
    expect(tests.exitCode, `tests:\n${tests.all}`).toBe(0);
  }
  for (const env of dryRuns ? [undefined, ...Object.keys(config.env ?? {})] : []) {
    const dry = await run(bin("wrangler"), ["deploy", "--dry-run", "--outdir", join("dist", env ?? "top"), ...(env ? ["--env", env] : [])]);
    expect(dry.exitCode, `deploy --dry-run ${env ?? ""}:\n${dry.all}`).toBe(0);
  }
}

// The scenarios and the engines they run on, as recorded: a scenario dropped or renamed to make the
// suite faster shows up here, in review.
it("runs the recorded list of scenarios, on the recorded engines", async () => {
  const names = [
    ...SCENARIOS.map((s) => s.name),
    ...OTHER_ENGINES.flatMap(({ name }) => SCENARIOS.filter((s) => ENGINE_SCENARIOS.has(s.name)).map((s) => `[${name}] ${s.name}`)),
  ];
  await expect(`${names.join("\n")}\n`).toMatchFileSnapshot("./rename-scenarios.list.txt");
});

describe("rename and sync hand-edit scenarios", () => {
  const bases = new Map<Base, string>();
  let installed: string;
  /** node_modules of each other engine, installed from the registry beside the bases. */
  const engines = new Map<string, string>();

  beforeAll(async () => {
    const root = tempDir("cdk-scenarios-");
    const enginesInstalled = Promise.all(
      OTHER_ENGINES.map(async ({ name, spec }) => {
        const prefix = join(root, name.replace(/\W+/g, "-"));
        const result = await execa("npm", ["install", "--no-audit", "--no-fund", "--prefix", prefix, spec], {
          env: childEnv(),
          reject: false,
          all: true,
        });
        expect(result.exitCode, result.all).toBe(0);
        engines.set(name, join(prefix, "node_modules"));
      }),
    );
    const made = await runCli(["installed", "--yes", "--no-git", "--no-create-kv"], { cwd: root, timeout: STEP });
    expect(made.exitCode, made.stderr).toBe(0);
    installed = join(root, "installed", "node_modules");
    for (const format of ["toml", "jsonc"] as const) {
      // A base per template (its code is what renames change); default's is named after the format alone.
      for (const { value: template } of TEMPLATES) {
        const dir = `${format}${template === "default" ? "" : `-${template}`}`;
        const result = await runCli(
          [
            dir,
            "--format",
            format,
            "--template",
            template,
            "--kv",
            "CACHE,SESSIONS",
            "--kv-id",
            `CACHE=${ID}`,
            "--no-install",
            "--no-git",
            "--no-create-kv",
          ],
          { cwd: root },
        );
        expect(result.exitCode, result.stderr).toBe(0);
        bases.set(dir as Base, join(root, dir));
      }
      cpSync(join(root, format), join(root, `${format}-rich`), { recursive: true });
      makeRich(join(root, `${format}-rich`), format);
      bases.set(`${format}-rich`, join(root, `${format}-rich`));
    }
    // Each base as a user has it: types generated, the record matching the config.
    await Promise.all(
      [...bases.values()].map(async (dir) => {
        await linkModules(installed, dir);
        const types = await heavy(() =>
          execa(join(dir, "node_modules", ".bin", "wrangler"), ["types"], { cwd: dir, env: childEnv(), reject: false, all: true }),
        );
        expect(types.exitCode, types.all).toBe(0);
        const synced = await runCli(["sync", "--no-create-kv"], { cwd: dir, timeout: STEP });
        expect(synced.exitCode, synced.stderr).toBe(0);
      }),
    );
    await enginesInstalled;
  }, STEP);

  it.concurrent.each(["toml", "jsonc", "toml-broadcast", "jsonc-broadcast", "toml-rich", "jsonc-rich"] as Base[])(
    "base %s: its own tests in workerd, tsc and the deploy dry runs pass before any scenario",
    async (name) => {
      // On a copy, as a scenario runs: the base itself is what every scenario copies.
      const base = bases.get(name)!;
      const dir = join(tempDir("cdk-scenario-"), "project");
      cpSync(base, dir, { recursive: true, verbatimSymlinks: true, filter: (source) => source !== join(base, "node_modules") });
      await linkModules(join(base, "node_modules"), dir);
      await projectChecks(dir, readConfig(readFileSync(configFile(dir), "utf8"), formatOf(configFile(dir))), true);
    },
    STEP,
  );

  it("covers at least 40 scenarios, and names only scenarios that exist for the other engines", () => {
    expect(SCENARIOS.length).toBeGreaterThanOrEqual(40);
    expect(new Set(SCENARIOS.map((s) => s.name)).size).toBe(SCENARIOS.length);
    expect([...ENGINE_SCENARIOS].filter((name) => !SCENARIOS.some((s) => s.name === name))).toEqual([]);
  });

  /** The project's TypeScript (and its tsc) swapped for another line's. */
  function useEngine(dir: string, modules: string): void {
    rmSync(join(dir, "node_modules", "typescript"), { recursive: true, force: true });
    symlinkSync(join(modules, "typescript"), join(dir, "node_modules", "typescript"));
    rmSync(join(dir, "node_modules", ".bin", "tsc"), { force: true });
    symlinkSync(join(modules, "typescript", "bin", "tsc"), join(dir, "node_modules", ".bin", "tsc"));
  }

  /** The config each scenario leaves on the pinned TypeScript: what the other engines must match. */
  const pinnedConfig = new Map<string, { promise: Promise<string>; settle: (text: string | Error) => void }>();
  const configOnPinned = (name: string) => {
    let entry = pinnedConfig.get(name);
    if (!entry) {
      let settle!: (text: string | Error) => void;
      const promise = new Promise<string>((resolve, reject) => {
        settle = (text) => (text instanceof Error ? reject(text) : resolve(text));
      });
      promise.catch(() => undefined); // awaited by the engine runs only
      entry = { promise, settle };
      pinnedConfig.set(name, entry);
    }
    return entry;
  };

  async function runScenario(scenario: Scenario, engine?: string) {
    if (engine) return runSteps(scenario, engine);
    try {
      configOnPinned(scenario.name).settle(await runSteps(scenario));
    } catch (error) {
      configOnPinned(scenario.name).settle(new Error(`failed on the pinned TypeScript: ${String(error)}`));
      throw error;
    }
  }

  /** Runs the scenario's steps and checks; returns the config text it leaves. */
  async function runSteps(scenario: Scenario, engine?: string): Promise<string> {
    const dir = join(tempDir("cdk-scenario-"), "project");
    const base = bases.get(scenario.base)!;
    cpSync(base, dir, { recursive: true, verbatimSymlinks: true, filter: (source) => source !== join(base, "node_modules") });
    await linkModules(join(base, "node_modules"), dir);
    if (engine) useEngine(dir, engines.get(engine)!);
    // An npm that leaves a mark: TypeScript 7's server, left to its defaults, runs
    // `npm install types-registry@latest` (automatic type acquisition) from the project.
    const marks = tempDir("cdk-npm-");
    const npm = join(marks, "npm");
    writeFileSync(npm, `#!/bin/sh\necho "$@" >> ${JSON.stringify(join(marks, "ran"))}\nexit 1\n`, { mode: 0o755 });
    const env = childEnv({ PATH: `${marks}:${process.env.PATH}` });
    scenario.edit?.(dir);
    const configBefore = readFileSync(configFile(dir), "utf8");
    let last: Step | undefined;
    for (const step of scenario.steps) {
      const before = snapshotTree(dir);
      const result = await heavy(() => runCli(step.args, { cwd: dir, timeout: STEP, env }));
      const output = `${result.stdout}\n${result.stderr}`;
      expect(result.exitCode, output).toBe(step.exit);
      for (const text of step.says ?? []) {
        if (typeof text === "string") expect(output).toContain(text);
        else expect(output).toMatch(text);
      }
      if (step.exit !== 0) expect(snapshotTree(dir)).toEqual(before);
      expect(existsSync(join(marks, "ran")) ? readFileSync(join(marks, "ran"), "utf8") : "npm never ran").toBe("npm never ran");
      last = step;
    }
    const path = configFile(dir);
    const text = readFileSync(path, "utf8");
    if (engine) expect(text, "the config, as on the pinned TypeScript").toBe(await configOnPinned(scenario.name).promise);
    if (last?.exit !== 0) return text;
    const config = readConfig(text, formatOf(path));
    expect(lifecycleProblems(config)).toEqual([]);
    if (scenario.renamed) expectOnlyNamesChanged(configBefore, text, scenario.renamed);
    scenario.check?.(config, dir);
    await projectChecks(dir, config, engine === undefined && ENGINE_SCENARIOS.has(scenario.name), engine === undefined);
    return text;
  }

  for (const scenario of SCENARIOS) it.concurrent(scenario.name, () => runScenario(scenario), STEP);
  for (const { name } of OTHER_ENGINES) {
    for (const scenario of SCENARIOS.filter((s) => ENGINE_SCENARIOS.has(s.name))) {
      it.concurrent(`[${name}] ${scenario.name}`, () => runScenario(scenario, name), STEP);
    }
  }
});
