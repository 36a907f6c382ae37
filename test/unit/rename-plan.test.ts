/**
 * Rename planning on config text, table-driven: every shape a user may write, every section,
 * every refusal. Pure: no files, no TypeScript (the code's exports are given).
 */
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/core/config/read.js";
import { lifecycleProblems } from "../../src/core/migrations/lifecycle.js";
import { codeView, nextMigrationTag, planRenames, type Renames } from "../../src/core/rename/plan.js";
import { UsageError } from "../../src/errors.js";
import type { ConfigFormat } from "../../src/core/config/types.js";

const ID = "0123456789abcdef0123456789abcdef";
const ID2 = "fedcba9876543210fedcba9876543210";
const none: Renames = { classes: [], doBindings: [], kv: [] };
const code = (...names: string[]) => ({ exportedClasses: new Set(names) });

/** Two classes, a staging environment, another Worker's class of the same name, vars and R2. */
const TOML = `name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "ROOM" # rooms
class_name = "Room"

[[durable_objects.bindings]]
name = "LOG"
class_name = 'Log'

[[durable_objects.bindings]]
name = "REMOTE"
class_name = "Room"
script_name = "other-worker"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room", "Log"]

[[kv_namespaces]]
binding = "CACHE"
id = "${ID}"

[vars]
MODE = "prod"

[[r2_buckets]]
binding = "FILES"
bucket_name = "files"

[env.staging]
vars = { MODE = "staging" }
durable_objects.bindings = [{ name = "ROOM", class_name = "Room" }]
kv_namespaces = [{ binding = "CACHE", id = "${ID2}" }]
d1_databases = [{ binding = "DB", database_name = "db", database_id = "x" }]
`;

const JSONC = `{
	"name": "app",
	"main": "src/index.ts",
	"durable_objects": {
		"bindings": [
			{ "name": "ROOM", "class_name": "Room" }, // rooms
			{ "name": "LOG", "class_name": "Log" },
			{ "name": "REMOTE", "class_name": "Room", "script_name": "other-worker" }
		]
	},
	"migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room", "Log"] }],
	"kv_namespaces": [{ "binding": "CACHE", "id": "${ID}" }],
	"vars": { "MODE": "prod" },
	"r2_buckets": [{ "binding": "FILES", "bucket_name": "files" }],
	"env": {
		"staging": {
			"vars": { "MODE": "staging" },
			"durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }] },
			"kv_namespaces": [{ "binding": "CACHE", "id": "${ID2}" }],
			"d1_databases": [{ "binding": "DB", "database_name": "db", "database_id": "x" }],
		},
	},
}
`;

function plan(source: string, format: ConfigFormat, renames: Partial<Renames>, exported = code("Room", "Log")) {
  return planRenames({ source, format }, readConfig(source, format), { ...none, ...renames }, exported);
}

/** Lines that changed: every removed line held an old name, every added one a new name or the new step. */
function expectOnlyNamesChanged(before: string, after: string, names: string[]) {
  const old = new Set(before.split(/\r?\n/));
  const added = after.split(/\r?\n/).filter((line) => !old.has(line));
  for (const line of added) expect(names.some((n) => line.includes(n)) || /migrations|renamed_classes|tag/.test(line), line).toBe(true);
  const kept = new Set(after.split(/\r?\n/));
  expect(before.split(/\r?\n/).filter((line) => !kept.has(line)).length).toBeLessThanOrEqual(added.length);
}

describe.each([
  ["toml", TOML],
  ["jsonc", JSONC],
] as const)("planRenames on %s", (format, source) => {
  it("renames a KV binding at the top level and in every environment, keeping both ids", () => {
    const result = plan(source, format, { kv: [{ from: "CACHE", to: "STORE" }] });
    const config = readConfig(result.configText, format);
    expect(config.kv_namespaces).toEqual([{ binding: "STORE", id: ID }]);
    expect(config.env?.staging?.kv_namespaces).toEqual([{ binding: "STORE", id: ID2 }]);
    expect(result.code.envProperties).toEqual([{ from: "CACHE", to: "STORE" }]);
    expect(result.step).toBeUndefined();
    expectOnlyNamesChanged(source, result.configText, ["STORE"]);
  });

  it("renames a class in this Worker's bindings only, with one migration step, never another Worker's", () => {
    const result = plan(source, format, { classes: [{ from: "Room", to: "Chat" }] });
    const config = readConfig(result.configText, format);
    expect(config.durable_objects?.bindings).toEqual([
      { name: "ROOM", class_name: "Chat" },
      { name: "LOG", class_name: "Log" },
      { name: "REMOTE", class_name: "Room", script_name: "other-worker" },
    ]);
    expect(config.env?.staging?.durable_objects?.bindings).toEqual([{ name: "ROOM", class_name: "Chat" }]);
    expect(config.migrations).toEqual([
      { tag: "v1", new_sqlite_classes: ["Room", "Log"] },
      { tag: "v2", renamed_classes: [{ from: "Room", to: "Chat" }] },
    ]);
    expect(lifecycleProblems(config)).toEqual([]);
    expect(result.code.classes).toEqual([{ from: "Room", to: "Chat" }]);
    expectOnlyNamesChanged(source, result.configText, ["Chat"]);
  });

  it("a binding to this Worker's own class through its own script name (top level: the Worker's name; an environment: <name>-<env>) follows the class", () => {
    const selfBound =
      format === "toml"
        ? source
            .replace(
              'script_name = "other-worker"',
              'script_name = "other-worker"\n\n[[durable_objects.bindings]]\nname = "SELF"\nclass_name = "Room"\nscript_name = "app"',
            )
            .replace(
              'durable_objects.bindings = [{ name = "ROOM", class_name = "Room" }]',
              'durable_objects.bindings = [{ name = "ROOM", class_name = "Room" }, { name = "SELF", class_name = "Room", script_name = "app-staging" }, { name = "PROD", class_name = "Room", script_name = "app" }]',
            )
        : source
            .replace(
              '{ "name": "REMOTE", "class_name": "Room", "script_name": "other-worker" }',
              '{ "name": "REMOTE", "class_name": "Room", "script_name": "other-worker" },\n\t\t\t{ "name": "SELF", "class_name": "Room", "script_name": "app" }',
            )
            .replace(
              '"durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }] },',
              '"durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }, { "name": "SELF", "class_name": "Room", "script_name": "app-staging" }, { "name": "PROD", "class_name": "Room", "script_name": "app" }] },',
            );
    expect(selfBound).not.toBe(source);
    const config = readConfig(plan(selfBound, format, { classes: [{ from: "Room", to: "Chat" }] }).configText, format);
    expect(config.durable_objects?.bindings?.find((b) => b.name === "SELF")).toEqual({ name: "SELF", class_name: "Chat", script_name: "app" });
    expect(config.durable_objects?.bindings?.find((b) => b.name === "REMOTE")?.class_name).toBe("Room");
    const staging = config.env?.staging?.durable_objects?.bindings ?? [];
    expect(staging.find((b) => b.name === "SELF")).toEqual({ name: "SELF", class_name: "Chat", script_name: "app-staging" });
    // From staging, "app" is the production Worker: another script, left alone.
    expect(staging.find((b) => b.name === "PROD")?.class_name).toBe("Room");
  });

  it("renames two classes and a binding in one step", () => {
    const result = plan(source, format, {
      classes: [
        { from: "Room", to: "Chat" },
        { from: "Log", to: "Journal" },
      ],
      doBindings: [{ from: "ROOM", to: "ROOMS" }],
    });
    const config = readConfig(result.configText, format);
    expect(config.migrations?.[1]).toEqual({
      tag: "v2",
      renamed_classes: [
        { from: "Room", to: "Chat" },
        { from: "Log", to: "Journal" },
      ],
    });
    expect(config.env?.staging?.durable_objects?.bindings).toEqual([{ name: "ROOMS", class_name: "Chat" }]);
  });

  it.each<[string, Partial<Renames>, string]>([
    ["two renames into one name", { kv: [{ from: "CACHE", to: "X" }], doBindings: [{ from: "ROOM", to: "X" }] }, 'two things the name "X"'],
    [
      "one name renamed twice",
      {
        kv: [
          { from: "CACHE", to: "X" },
          { from: "CACHE", to: "Y" },
        ],
      },
      'rename "CACHE" twice',
    ],
    [
      "two classes into one",
      {
        classes: [
          { from: "Room", to: "Chat" },
          { from: "Log", to: "Chat" },
        ],
      },
      'two things the name "Chat"',
    ],
    [
      "a swap",
      {
        doBindings: [
          { from: "ROOM", to: "LOG" },
          { from: "LOG", to: "ROOM" },
        ],
      },
      "chain or swap",
    ],
    [
      "a chain",
      {
        classes: [
          { from: "Room", to: "Log2" },
          { from: "Log2", to: "X" },
        ],
      },
      "chain or swap",
    ],
    ["a name held by a var", { kv: [{ from: "CACHE", to: "MODE" }] }, '"MODE" is already the name of a var binding'],
    ["a name held by an R2 bucket", { doBindings: [{ from: "ROOM", to: "FILES" }] }, "R2 bucket"],
    ["a name held by a D1 database in an environment only", { kv: [{ from: "CACHE", to: "DB" }] }, "D1 database binding (env.staging)"],
    ["a name held by the other kind", { kv: [{ from: "CACHE", to: "LOG" }] }, "Durable Object binding"],
    ["a name held by the same kind", { doBindings: [{ from: "ROOM", to: "LOG" }] }, '"LOG" is already used by another Durable Object binding'],
    ["a binding that does not exist", { kv: [{ from: "NOPE", to: "X" }] }, 'no KV namespace binding "NOPE"'],
    ["a class nothing binds", { classes: [{ from: "Nope", to: "X" }] }, 'uses the class "Nope"'],
    ["a class into a live class", { classes: [{ from: "Room", to: "Log" }] }, '"Log" is already the class of the binding "LOG"'],
    ["an invalid class name", { classes: [{ from: "Room", to: "room" }] }, "not a valid class name"],
    ["a runtime name as a class", { classes: [{ from: "Room", to: "Response" }] }, "already used by the generated code"],
    ["an Object.prototype member as a binding", { kv: [{ from: "CACHE", to: "toString" }] }, "member of every JavaScript object"],
    ["__proto__ as a binding", { doBindings: [{ from: "ROOM", to: "__proto__" }] }, "member of every JavaScript object"],
  ])("refuses %s (exit 2)", (_what, renames, message) => {
    let error: unknown;
    try {
      plan(source, format, renames);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toContain(message);
  });

  it("refuses a class the main module does not export", () => {
    expect(() => plan(source, format, { classes: [{ from: "Room", to: "Chat" }] }, code("Log"))).toThrow("exports neither");
  });

  it("refuses when the main module exports both names", () => {
    expect(() => plan(source, format, { classes: [{ from: "Room", to: "Chat" }] }, code("Room", "Chat"))).toThrow('already exports a class "Chat"');
  });
});

describe("a rename half done by hand is finished, not refused", () => {
  const edited = TOML.replace('name = "ROOM" # rooms\nclass_name = "Room"', 'name = "ROOM" # rooms\nclass_name = "Chat"').replace(
    'durable_objects.bindings = [{ name = "ROOM", class_name = "Room" }]',
    'durable_objects.bindings = [{ name = "ROOM", class_name = "Chat" }]',
  );
  it("config and code already say Chat: only the migration is added", () => {
    const result = plan(edited, "toml", { classes: [{ from: "Room", to: "Chat" }] }, code("Chat", "Log"));
    expect(result.code.classes).toEqual([]);
    expect(result.step).toEqual({ tag: "v2", renamed_classes: [{ from: "Room", to: "Chat" }] });
    expect(result.configText.startsWith(edited.trimEnd())).toBe(false);
    expect(readConfig(result.configText, "toml").migrations).toHaveLength(2);
  });
  it("config says Chat, code still Room: the code is renamed too", () => {
    const result = plan(edited, "toml", { classes: [{ from: "Room", to: "Chat" }] }, code("Room", "Log"));
    expect(result.code.classes).toEqual([{ from: "Room", to: "Chat" }]);
  });
  it("everything done already: nothing to do, reported as done", () => {
    const done = plan(edited, "toml", { classes: [{ from: "Room", to: "Chat" }] }, code("Chat", "Log"));
    const again = plan(done.configText, "toml", { classes: [{ from: "Room", to: "Chat" }] }, code("Chat", "Log"));
    expect(again.configText).toBe(done.configText);
    expect(again.done).toEqual(["class Room is already Chat"]);
    expect(again.todo.classes).toEqual([]);
  });
  it("a KV binding renamed in the config only: the code still sees the old name", () => {
    const renamed = TOML.replaceAll('binding = "CACHE"', 'binding = "STORE"');
    const result = plan(renamed, "toml", { kv: [{ from: "CACHE", to: "STORE" }] });
    expect(result.configText).toBe(renamed);
    expect(result.code.envProperties).toEqual([{ from: "CACHE", to: "STORE" }]);
    expect(codeView(readConfig(renamed, "toml"), result.todo).kv_namespaces).toEqual([{ binding: "CACHE", id: ID }]);
  });
});

describe("every valid config shape", () => {
  const rename = { classes: [{ from: "Room", to: "Chat" }] };
  it.each([
    [
      "an inline migrations array",
      `name = "a"\nmigrations = [ { tag = "v1", new_sqlite_classes = ["Room"] } ] # history\n\n[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n`,
      `migrations = [ { tag = "v1", new_sqlite_classes = ["Room"] }, { tag = "v2", renamed_classes = [{ from = "Room", to = "Chat" }] } ] # history`,
    ],
    [
      "a multi-line inline migrations array",
      `name = "a"\nmigrations = [\n  { tag = "v1", new_sqlite_classes = ["Room"] },\n]\ndurable_objects = { bindings = [{ name = "ROOM", class_name = "Room" }] }\n`,
      `  { tag = "v1", new_sqlite_classes = ["Room"] },\n  { tag = "v2", renamed_classes = [{ from = "Room", to = "Chat" }] },\n]`,
    ],
    [
      "sub-tables of a step",
      `name = "a"\n[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n\n[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Old"]\n\n[[migrations]]\ntag = "v2"\n[[migrations.renamed_classes]]\nfrom = "Old"\nto = "Room"\n\n# the end\n`,
      `to = "Room"\n\n[[migrations]]\ntag = "v3"\nrenamed_classes = [{ from = "Room", to = "Chat" }]\n\n# the end\n`,
    ],
    [
      "single quotes, kept",
      `name = 'a'\n[[durable_objects.bindings]]\nname = 'ROOM'\nclass_name = 'Room'\n[[migrations]]\ntag = 'v1'\nnew_sqlite_classes = ['Room']\n`,
      `class_name = 'Chat'`,
    ],
    [
      "CRLF line ends, kept",
      `name = "a"\r\n[[durable_objects.bindings]]\r\nname = "ROOM"\r\nclass_name = "Room"\r\n[[migrations]]\r\ntag = "v1"\r\nnew_sqlite_classes = ["Room"]\r\n`,
      `new_sqlite_classes = ["Room"]\r\n\r\n[[migrations]]\r\ntag = "v2"\r\nrenamed_classes = [{ from = "Room", to = "Chat" }]\r\n`,
    ],
    [
      "a quoted key and a comment between a step's keys",
      `"name" = "a"\n[[durable_objects.bindings]]\nname = "ROOM"\n"class_name" = "Room" # the class\n[[migrations]]\n# first\ntag = "v1"\nnew_sqlite_classes = ["Room"] # created\n`,
      `"class_name" = "Chat" # the class`,
    ],
  ])("%s", (_what, source, expected) => {
    const result = plan(source, "toml", rename, code("Room"));
    expect(result.configText).toContain(expected);
    const config = readConfig(result.configText, "toml");
    expect(lifecycleProblems(config)).toEqual([]);
    expect(config.durable_objects?.bindings?.[0]?.class_name).toBe("Chat");
  });

  it("wrangler.json, named in messages", () => {
    const source = `{"name":"a","durable_objects":{"bindings":[{"name":"ROOM","class_name":"Room"}]},"migrations":[{"tag":"v1","new_sqlite_classes":["Room"]}]}`;
    const result = planRenames({ source, format: "jsonc", file: "wrangler.json" }, readConfig(source, "jsonc"), { ...none, ...rename }, code("Room"));
    expect(JSON.parse(result.configText).migrations[1]).toEqual({ tag: "v2", renamed_classes: [{ from: "Room", to: "Chat" }] });
    expect(() => readConfig("{ nope", "jsonc", "wrangler.json")).toThrow(/^wrangler\.json:1:3 is not valid JSONC/);
  });

  it("a config that does not parse: the file, line and column, as a usage error", () => {
    let error: unknown;
    try {
      readConfig('name = "a"\n[[migrations]]\ntag = \n', "toml");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^wrangler\.toml:3:\d+ is not valid TOML/);
  });

  it("the declarative exports map, toml and jsonc", () => {
    const toml = `name = "a"\n[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n\n[exports.Room]\ntype = "durable-object"\nstorage = "sqlite"\n`;
    const result = plan(toml, "toml", rename, code("Room"));
    expect(readConfig(result.configText, "toml").exports).toEqual({
      Room: { type: "durable-object", state: "renamed", renamed_to: "Chat" },
      Chat: { type: "durable-object", storage: "sqlite" },
    });
    const jsonc = `{ "name": "a", "durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }] },\n  "exports": { "Room": { "type": "durable-object" } } }`;
    expect(readConfig(plan(jsonc, "jsonc", rename, code("Room")).configText, "jsonc").exports?.Chat).toEqual({
      type: "durable-object",
      storage: "sqlite",
    });
  });

  it("refuses to write into a config whose lifecycle is already broken", () => {
    const broken = `name = "a"\n[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n[[durable_objects.bindings]]\nname = "NEW"\nclass_name = "Fresh"\n[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]\n[[kv_namespaces]]\nbinding = "CACHE"\n`;
    expect(() => plan(broken, "toml", { kv: [{ from: "CACHE", to: "STORE" }] })).toThrow(/not be safe to deploy[\s\S]*"Fresh"/);
  });
});

describe("nextMigrationTag", () => {
  it.each([
    [[], "v1"],
    [[{ tag: "v1" }], "v2"],
    [[{ tag: "v1" }, { tag: "v7" }], "v8"],
    [[{ tag: "initial" }, { tag: "second" }], "v3"],
  ])("after %j the next tag is %s", (steps, tag) => {
    expect(nextMigrationTag(steps)).toBe(tag);
  });
});
