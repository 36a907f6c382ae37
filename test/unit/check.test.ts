/** check's judgement, table-driven on config texts: each finding where it belongs, and none on a safe config. */
import { describe, expect, it } from "vitest";
import { scanExports } from "../../src/core/check/exports.js";
import { envReads, relativeImports } from "../../src/core/check/reads.js";
import { type CheckInput, checkProject } from "../../src/core/check/findings.js";
import { readConfig } from "../../src/core/config/read.js";
import { recordFromConfig } from "../../src/core/rename/record.js";

const ID = "0123456789abcdef0123456789abcdef";
const TOML = `name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]

[[kv_namespaces]]
binding = "CACHE"
id = "${ID}"
`;

function input(source: string, change: Partial<CheckInput> = {}): CheckInput {
  const config = readConfig(source, "toml");
  return { file: "wrangler.toml", format: "toml", source, config, main: "src/index.ts", mainClasses: new Set(["Room"]), ...change };
}
const committed = (source: string) => ({ committed: { config: readConfig(source, "toml"), where: "the last commit" } });
const lines = (findings: ReturnType<typeof checkProject>) => findings.map((f) => `${f.file}:${f.line} ${f.message}`);

describe("checkProject", () => {
  it("a safe config, committed as it is, with its record and types: no finding", () => {
    expect(
      checkProject(input(TOML, { ...committed(TOML), record: recordFromConfig(readConfig(TOML, "toml")), typesEnv: new Set(["ROOM", "CACHE"]) })),
    ).toEqual([]);
  });

  it.each<[string, string, Partial<CheckInput>, string[]]>([
    [
      "a bound class no step creates",
      TOML.replace('class_name = "Room"', 'class_name = "Chat"'),
      {},
      ['wrangler.toml:6 The binding "ROOM" (the top level) uses the class "Chat", which no migration creates.'],
    ],
    [
      "a live class main does not export",
      TOML,
      { mainClasses: new Set() },
      ['wrangler.toml:8 The class "Room" is live (its stored objects exist once deployed) but src/index.ts does not export it.'],
    ],
    [
      "a committed step edited",
      TOML.replace('new_sqlite_classes = ["Room"]', 'new_sqlite_classes = ["Room", "Log"]'),
      { ...committed(TOML), mainClasses: new Set(["Room", "Log"]) },
      [
        'wrangler.toml:8 The migration step "v1" was changed since the last commit: a deployed step is permanent, and the deploy applies only steps after the last one it ran.',
      ],
    ],
    [
      "a committed step removed",
      TOML,
      committed(`${TOML}\n[[migrations]]\ntag = "v2"\nnew_sqlite_classes = ["Log"]\n`),
      ['wrangler.toml:8 The migration step "v2" (in the last commit) was removed.'],
    ],
    [
      "a binding moved to a new class with new_sqlite_classes instead of a rename: data left behind",
      `${TOML.replace('class_name = "Room"', 'class_name = "Chat"')}\n[[migrations]]\ntag = "v2"\nnew_sqlite_classes = ["Chat"]\n`,
      { ...committed(TOML), mainClasses: new Set(["Room", "Chat"]) },
      [
        'wrangler.toml:6 The binding "ROOM" used the class "Room" (the last commit) and now uses "Chat", with no step that renames "Room" to "Chat": "Chat" would start empty and the objects of "Room" stay behind.',
      ],
    ],
    [
      "the same against the record, outside git",
      `${TOML.replace('class_name = "Room"', 'class_name = "Chat"')}\n[[migrations]]\ntag = "v2"\nnew_sqlite_classes = ["Chat"]\n`,
      { record: recordFromConfig(readConfig(TOML, "toml")), mainClasses: new Set(["Room", "Chat"]) },
      [
        'wrangler.toml:6 The binding "ROOM" used the class "Room" (create-do-kv.json) and now uses "Chat", with no step that renames "Room" to "Chat": "Chat" would start empty and the objects of "Room" stay behind.',
        "wrangler.toml:4 The bindings in wrangler.toml differ from create-do-kv.json (the names last carried into the code and types).",
      ],
    ],
    [
      "types that declare the old name",
      TOML.replace('binding = "CACHE"', 'binding = "STORE"'),
      { typesEnv: new Set(["ROOM", "CACHE"]), ...committed(TOML) },
      ["worker-configuration.d.ts:1 The types are out of date: STORE is bound but not declared, CACHE is declared but no longer bound."],
    ],
    [
      "types that also declare a secret from .dev.vars, never bound in the config: nothing to say",
      TOML,
      { typesEnv: new Set(["ROOM", "CACHE", "API_KEY"]), ...committed(TOML) },
      [],
    ],
    [
      "a KV binding twice, and an id that is not one",
      `${TOML}\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "nope"\n`,
      {},
      [
        'wrangler.toml:17 The KV binding "CACHE" appears twice in the top level.',
        'wrangler.toml:18 The id of KV binding "CACHE" (the top level) is not a namespace id (32 lowercase hex characters).',
      ],
    ],
  ])("%s", (_, source, change, expected) => {
    expect(lines(checkProject(input(source, change)))).toEqual(expected);
  });

  it("a rename done right (a renamed_classes step) is no finding", () => {
    const renamed = `${TOML.replace('class_name = "Room"', 'class_name = "Chat"')}\n[[migrations]]\ntag = "v2"\nrenamed_classes = [{ from = "Room", to = "Chat" }]\n`;
    expect(checkProject(input(renamed, { ...committed(TOML), mainClasses: new Set(["Chat"]) }))).toEqual([]);
  });

  it("every finding says what to do", () => {
    const findings = checkProject(input(TOML.replace('class_name = "Room"', 'class_name = "Chat"'), { mainClasses: new Set() }));
    expect(findings.length).toBeGreaterThan(1);
    for (const finding of findings) expect(finding.fix).toMatch(/\S/);
  });
});

describe("scanExports", () => {
  it.each<[string, string, Partial<Record<"classes" | "stars", string[]>>]>([
    ["export class", "export class Room extends DurableObject {}", { classes: ["Room"] }],
    ["a local class exported by name, and under another", "class Room {}\nexport { Room, Room as Lobby };", { classes: ["Room", "Lobby"] }],
    ["a commented-out export", "// export class Room {}\n/* export class Other {} */", { classes: [] }],
    ["an export inside a template string", "const s = `export class Room {}`;", { classes: [] }],
    ["export * from", 'export * from "./durable-object";', { stars: ["./durable-object"] }],
  ])("%s", (_, text, expected) => {
    const scanned = scanExports(text);
    if (expected.classes) expect([...scanned.classes].sort()).toEqual([...expected.classes].sort());
    if (expected.stars) expect(scanned.stars).toEqual(expected.stars);
  });

  it("re-exports and exports of imported names are left for the caller to follow", () => {
    const scanned = scanExports('import { Room } from "./durable-object";\nexport { Room };\nexport { Log as Journal } from "./log";');
    expect([...scanned.importedExports]).toEqual([["Room", ["./durable-object", "Room"]]]);
    expect([...scanned.reexports]).toEqual([["Journal", ["./log", "Log"]]]);
  });
});

describe("what the code reads from env", () => {
  it.each<[string, string, string[]]>([
    ["env.X, this.env.X and env?.X", "const a = env.CACHE; this.env.ROOM.get(id); env?.LOG;", ["CACHE", "LOG", "ROOM"]],
    ["env['X'] and env[\"X\"]", `env["FILES"].get(k); env['DB'].prepare(q);`, ["DB", "FILES"]],
    ["not in comments", "// env.OLD\n/* env.GONE */ env.KEPT;", ["KEPT"]],
    ["not a property of another object", "environment.NOPE; myenv.NOPE2; env2.NOPE3;", []],
    ["a URL in a string is no comment", 'const u = "https://x"; env.AFTER;', ["AFTER"]],
  ])("%s", (_, text, names) => {
    expect([...envReads(text)].sort()).toEqual(names);
  });

  it("follows relative imports, static and dynamic, not packages", () => {
    expect(
      relativeImports('import { a } from "./a";\nexport * from "../b.js";\nconst c = await import("./c");\nimport "hono";\n// import x from "./no"'),
    ).toEqual(["./a", "../b.js", "./c"]);
  });
});
