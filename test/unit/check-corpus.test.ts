/**
 * check on a corpus of deploy changes, each with the verdict Cloudflare's rules give it and where
 * that rule is written: safe changes (which must not fail: a false alarm teaches people to skip the
 * check), changes the API rejects, and changes it accepts while data is lost or hidden. Each case
 * runs as a project with git and a record, with git and no record (a Worker we did not make), and,
 * where the record can tell, without git. Sources:
 * - DO-MIGRATIONS: Cloudflare docs, "Durable Object migrations" (steps in tag order, rename, delete, transfer)
 * - UPLOAD: workers-sdk, getMigrationsToUpload (only steps after the deployed tag are sent)
 * - API-10061, 10064, 10070, 10074, 10079: the API's errors for Durable Object uploads
 * - KV-BINDINGS: Cloudflare docs, KV bindings (a binding names one namespace by id)
 * - KV-PROVISION: wrangler 4.45+ provisions an id-less KV binding as `<worker>-<binding>`
 * - ENVIRONMENTS: Cloudflare docs, environments (each deploys as `<name>-<env>`, nothing inherited)
 * - CONFIG: wrangler's config validation (migrations and exports exclusive; one name per binding)
 * - FORMAT: TOML and JSONC (comments, whitespace, key order and trailing commas carry no meaning)
 * - RUNTIME: a binding the code reads but the config lacks is undefined; the first read throws
 */
import { describe, expect, it } from "vitest";
import { type CheckInput, checkProject } from "../../src/core/check/findings.js";
import { readConfig, type WranglerConfig } from "../../src/core/config/read.js";
import type { ConfigFormat } from "../../src/core/config/types.js";
import { allBindings } from "../../src/core/config/sections.js";
import { lifecycleOf } from "../../src/core/migrations/lifecycle.js";
import { recordFromConfig } from "../../src/core/rename/record.js";

const ID = "0123456789abcdef0123456789abcdef";
const ID2 = "fedcba9876543210fedcba9876543210";

const BASE = `name = "app"
main = "src/index.ts"
compatibility_date = "2026-11-01"

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

const STAGING = `${BASE}
[env.staging]
[[env.staging.durable_objects.bindings]]
name = "ROOM"
class_name = "Room"

[[env.staging.kv_namespaces]]
binding = "CACHE"
id = "${ID2}"
`;

const EXPORTS = `name = "app"
main = "src/index.ts"

[[durable_objects.bindings]]
name = "ROOM"
class_name = "Room"

[exports.Room]
type = "durable-object"
storage = "sqlite"
`;

const JSONC = `{
  "name": "app",
  "main": "src/index.ts",
  "durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }] },
  "migrations": [{ "tag": "v1", "new_sqlite_classes": ["Room"] }],
  "kv_namespaces": [{ "binding": "CACHE", "id": "${ID}" }]
}
`;

const step = (tag: string, body: string) => `\n[[migrations]]\ntag = "${tag}"\n${body}\n`;

interface Case {
  name: string;
  /** Where the verdict comes from (keys in the header). */
  source: string;
  before: string;
  after: string;
  format?: ConfigFormat;
  verdict: "safe" | "error";
  /** Text the error's message or rule holds. */
  says?: string;
  /** Classes main exports now (default: every live class). */
  exports?: string[];
  /** Bindings the code reads now (default: every top-level binding of `after`). */
  reads?: string[];
  /** Only the last commit can tell (the record does not hold it): not run without git. */
  needsCommit?: boolean;
}

const CASES: Case[] = [
  // Safe: none of these may fail.
  { name: "nothing changed", source: "UPLOAD", before: BASE, after: BASE, verdict: "safe" },
  {
    name: "comments and blank lines added",
    source: "FORMAT",
    before: BASE,
    after: `# my Worker\n\n${BASE.replace('tag = "v1"', 'tag = "v1" # first')}`,
    verdict: "safe",
  },
  {
    name: "a deployed step's keys reordered (TOML)",
    source: "FORMAT",
    before: BASE,
    after: BASE.replace('tag = "v1"\nnew_sqlite_classes = ["Room"]', 'new_sqlite_classes = ["Room"]\ntag = "v1"'),
    verdict: "safe",
  },
  {
    name: "a deployed step's keys reordered (JSONC)",
    source: "FORMAT",
    format: "jsonc",
    before: JSONC,
    after: JSONC.replace('{ "tag": "v1", "new_sqlite_classes": ["Room"] }', '{ "new_sqlite_classes": ["Room"], "tag": "v1" }'),
    verdict: "safe",
  },
  {
    name: "JSONC comments and trailing commas added",
    source: "FORMAT",
    format: "jsonc",
    before: JSONC,
    after: JSONC.replace('"main": "src/index.ts",', '"main": "src/index.ts", // entry')
      .replace('"id": "', '"id": "')
      .replace(`"${ID}" }]`, `"${ID}" },],`),
    verdict: "safe",
  },
  {
    name: "a new class with its binding, step and export",
    source: "DO-MIGRATIONS",
    before: BASE,
    after: `${BASE}\n[[durable_objects.bindings]]\nname = "LOG"\nclass_name = "Log"\n${step("v2", 'new_sqlite_classes = ["Log"]')}`,
    verdict: "safe",
  },
  {
    name: "a KV binding added with an id",
    source: "KV-BINDINGS",
    before: BASE,
    after: `${BASE}\n[[kv_namespaces]]\nbinding = "SESSIONS"\nid = "${ID2}"\n`,
    verdict: "safe",
  },
  {
    name: "a KV binding added without an id",
    source: "KV-PROVISION",
    before: BASE,
    after: `${BASE}\n[[kv_namespaces]]\nbinding = "SESSIONS"\n`,
    verdict: "safe",
  },
  {
    name: "a class renamed with its renamed_classes step",
    source: "DO-MIGRATIONS",
    before: BASE,
    after: `${BASE.replace('class_name = "Room"', 'class_name = "Chat"')}${step("v2", 'renamed_classes = [{ from = "Room", to = "Chat" }]')}`,
    verdict: "safe",
  },
  {
    name: "a class renamed with its step, in JSONC",
    source: "DO-MIGRATIONS",
    format: "jsonc",
    before: JSONC,
    after: JSONC.replace('"class_name": "Room"', '"class_name": "Chat"').replace(
      '{ "tag": "v1", "new_sqlite_classes": ["Room"] }',
      '{ "tag": "v1", "new_sqlite_classes": ["Room"] }, { "tag": "v2", "renamed_classes": [{ "from": "Room", "to": "Chat" }] }',
    ),
    verdict: "safe",
  },
  {
    name: "a Durable Object binding renamed (the class kept)",
    source: "DO-MIGRATIONS",
    before: BASE,
    after: BASE.replace('name = "ROOM"', 'name = "ROOMS"'),
    verdict: "safe",
  },
  {
    name: "a KV binding renamed, its id kept",
    source: "KV-BINDINGS",
    before: BASE,
    after: BASE.replace('binding = "CACHE"', 'binding = "STORE"'),
    verdict: "safe",
  },
  { name: "an environment added with namespaces of its own", source: "ENVIRONMENTS", before: BASE, after: STAGING, verdict: "safe" },
  {
    name: "vars, an R2 bucket, a D1 database and AI added",
    source: "CONFIG",
    before: BASE,
    after: `${BASE}\n[vars]\nGREETING = "hi"\n\n[ai]\nbinding = "AI"\n\n[[r2_buckets]]\nbinding = "FILES"\nbucket_name = "files"\n\n[[d1_databases]]\nbinding = "DB"\ndatabase_name = "db"\ndatabase_id = "00000000-0000-0000-0000-000000000000"\n`,
    verdict: "safe",
  },
  {
    name: "a binding removed, the class still live and exported (its objects stay)",
    source: "DO-MIGRATIONS",
    before: BASE,
    after: BASE.replace('[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n', ""),
    exports: ["Room"],
    reads: ["CACHE"],
    verdict: "safe",
  },
  {
    name: "a class deleted on purpose, its binding removed in an earlier deploy",
    source: "DO-MIGRATIONS",
    before: BASE.replace('[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n', ""),
    after: `${BASE.replace('[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n', "")}${step("v2", 'deleted_classes = ["Room"]')}`,
    exports: [],
    reads: ["CACHE"],
    verdict: "safe",
  },
  { name: "the compatibility date moved", source: "UPLOAD", before: BASE, after: BASE.replace("2026-11-01", "2026-11-20"), verdict: "safe" },
  {
    name: "observability and a route added",
    source: "CONFIG",
    before: BASE,
    after: `${BASE}\n[observability]\nenabled = true\n\n[[routes]]\npattern = "app.example.com/*"\n`,
    verdict: "safe",
  },
  {
    name: "a KV binding removed that the code no longer reads (the namespace keeps its data)",
    source: "KV-BINDINGS",
    before: BASE,
    after: BASE.replace(`[[kv_namespaces]]\nbinding = "CACHE"\nid = "${ID}"\n`, ""),
    reads: ["ROOM"],
    verdict: "safe",
  },
  {
    name: "a preview_id added",
    source: "KV-BINDINGS",
    before: BASE,
    after: BASE.replace(`id = "${ID}"`, `id = "${ID}"\npreview_id = "${ID2}"`),
    verdict: "safe",
  },
  {
    name: "exports: a new class entry with its binding",
    source: "DO-MIGRATIONS",
    before: EXPORTS,
    after: `${EXPORTS}\n[exports.Log]\ntype = "durable-object"\nstorage = "sqlite"\n\n[[durable_objects.bindings]]\nname = "LOG"\nclass_name = "Log"\n`,
    verdict: "safe",
  },
  {
    name: "exports: a class renamed in place (state renamed, renamed_to)",
    source: "DO-MIGRATIONS",
    before: EXPORTS,
    after: `${EXPORTS.replace('class_name = "Room"', 'class_name = "Chat"').replace('storage = "sqlite"', 'state = "renamed"\nrenamed_to = "Chat"')}\n[exports.Chat]\ntype = "durable-object"\nstorage = "sqlite"\n`,
    verdict: "safe",
  },
  {
    name: "the Worker renamed when it holds no data (no classes, every KV id given)",
    source: "ENVIRONMENTS",
    before: `name = "app"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "${ID}"\n`,
    after: `name = "api"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "${ID}"\n`,
    verdict: "safe",
  },
  {
    name: "an environment removed (its deployed Worker is untouched)",
    source: "ENVIRONMENTS",
    before: STAGING,
    after: BASE,
    verdict: "safe",
  },

  // Rejected by the API.
  {
    name: "the binding points at a class no step creates",
    source: "API-10061",
    before: BASE,
    after: BASE.replace('class_name = "Room"', 'class_name = "Chat"'),
    exports: ["Chat"],
    verdict: "error",
    says: "10061",
  },
  {
    name: "the export of a live class removed from main",
    source: "API-10064",
    before: BASE,
    after: BASE,
    exports: [],
    verdict: "error",
    says: "10064",
  },
  {
    name: "a new class that main does not export",
    source: "API-10070",
    before: BASE,
    after: `${BASE}${step("v2", 'new_sqlite_classes = ["Log"]')}`,
    exports: ["Room"],
    verdict: "error",
    says: "does not export",
  },
  {
    name: "a deployed step edited",
    source: "UPLOAD, API-10074",
    before: BASE,
    after: BASE.replace('new_sqlite_classes = ["Room"]', 'new_sqlite_classes = ["Room", "Log"]'),
    exports: ["Room", "Log"],
    verdict: "error",
    says: "was changed since",
  },
  {
    name: "a deployed step removed",
    source: "UPLOAD, API-10074",
    before: `${BASE}\n[[durable_objects.bindings]]\nname = "LOG"\nclass_name = "Log"\n${step("v2", 'new_sqlite_classes = ["Log"]')}`,
    after: `${BASE}\n[[durable_objects.bindings]]\nname = "LOG"\nclass_name = "Log"\n`,
    exports: ["Room", "Log"],
    verdict: "error",
  },
  {
    name: "a deployed step's tag changed",
    source: "API-10079",
    before: BASE,
    after: BASE.replace('tag = "v1"', 'tag = "v0"'),
    verdict: "error",
    says: "was",
  },
  {
    name: "a class deleted while its binding remains",
    source: "API-10061 (workers-sdk #8210)",
    before: BASE,
    after: `${BASE}${step("v2", 'deleted_classes = ["Room"]')}`,
    exports: [],
    verdict: "error",
    says: "without also removing the binding",
  },
  {
    name: "exports: a class deleted while its binding remains",
    source: "API-10061",
    before: EXPORTS,
    after: EXPORTS.replace('storage = "sqlite"', 'state = "deleted"'),
    exports: [],
    verdict: "error",
    says: "without also removing the binding",
  },
  {
    name: "migrations and exports both",
    source: "CONFIG",
    before: BASE,
    after: `${BASE}\n[exports.Room]\ntype = "durable-object"\nstorage = "sqlite"\n`,
    verdict: "error",
    says: "both",
  },
  {
    name: "a step renames a class that does not exist",
    source: "DO-MIGRATIONS",
    before: BASE,
    after: `${BASE}${step("v2", 'renamed_classes = [{ from = "Lobby", to = "Chat" }]')}`,
    exports: ["Room", "Chat"],
    verdict: "error",
    says: "does not exist",
  },
  {
    name: "two steps with one tag",
    source: "DO-MIGRATIONS",
    before: BASE,
    after: `${BASE}${step("v1", 'new_sqlite_classes = ["Log"]')}`,
    exports: ["Room", "Log"],
    verdict: "error",
    says: "tag",
  },
  {
    name: "exports: a class's entry removed",
    source: "DO-MIGRATIONS",
    before: `${EXPORTS}\n[exports.Log]\ntype = "durable-object"\nstorage = "sqlite"\n`,
    after: EXPORTS,
    verdict: "error",
    says: "was removed",
  },
  {
    name: "exports: a renamed entry changed afterwards",
    source: "DO-MIGRATIONS",
    before: `${EXPORTS.replace('class_name = "Room"', 'class_name = "Chat"').replace('storage = "sqlite"', 'state = "renamed"\nrenamed_to = "Chat"')}\n[exports.Chat]\ntype = "durable-object"\nstorage = "sqlite"\n\n[exports.Hall]\ntype = "durable-object"\nstorage = "sqlite"\n`,
    after: `${EXPORTS.replace('class_name = "Room"', 'class_name = "Chat"').replace('storage = "sqlite"', 'state = "renamed"\nrenamed_to = "Hall"')}\n[exports.Chat]\ntype = "durable-object"\nstorage = "sqlite"\n\n[exports.Hall]\ntype = "durable-object"\nstorage = "sqlite"\n`,
    verdict: "error",
    says: "after it was renamed",
  },
  {
    name: "a KV id that is not one",
    source: "KV-BINDINGS",
    before: BASE,
    after: BASE.replace(`id = "${ID}"`, 'id = "my-cache"'),
    verdict: "error",
    says: "not a namespace id",
  },
  {
    name: "a KV binding twice in a section",
    source: "CONFIG",
    before: BASE,
    after: `${BASE}\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "${ID2}"\n`,
    verdict: "error",
    says: "twice",
  },

  // Accepted by the API, while data is lost or hidden.
  {
    name: "a class renamed with new_sqlite_classes instead of a rename (the old objects stay behind)",
    source: "DO-MIGRATIONS",
    before: BASE,
    after: `${BASE.replace('class_name = "Room"', 'class_name = "Chat"')}${step("v2", 'new_sqlite_classes = ["Chat"]')}`,
    exports: ["Room", "Chat"],
    verdict: "error",
    says: "start empty",
  },
  {
    name: "a KV namespace id changed",
    source: "KV-BINDINGS",
    before: BASE,
    after: BASE.replace(`id = "${ID}"`, `id = "${ID2}"`),
    verdict: "error",
    says: "other namespace",
  },
  {
    name: "an environment's KV namespace id changed",
    source: "KV-BINDINGS, ENVIRONMENTS",
    before: STAGING,
    after: STAGING.replace(`id = "${ID2}"`, 'id = "00112233445566778899aabbccddeeff"'),
    verdict: "error",
    says: "other namespace",
    needsCommit: true,
  },
  {
    name: "a KV binding removed while the code still reads it",
    source: "RUNTIME",
    before: BASE,
    after: BASE.replace(`[[kv_namespaces]]\nbinding = "CACHE"\nid = "${ID}"\n`, ""),
    reads: ["ROOM", "CACHE"],
    verdict: "error",
    says: "env.CACHE",
  },
  {
    name: "a Durable Object binding removed while the code still reads it",
    source: "RUNTIME",
    before: BASE,
    after: BASE.replace('[[durable_objects.bindings]]\nname = "ROOM"\nclass_name = "Room"\n', ""),
    exports: ["Room"],
    reads: ["ROOM", "CACHE"],
    verdict: "error",
    says: "env.ROOM",
  },
  {
    name: "the Worker renamed (a new Worker, its Durable Objects empty)",
    source: "DO-MIGRATIONS, ENVIRONMENTS",
    before: BASE,
    after: BASE.replace('name = "app"', 'name = "api"'),
    verdict: "error",
    says: "new Worker",
  },
  {
    name: "an environment's Worker name changed",
    source: "ENVIRONMENTS",
    before: STAGING,
    after: STAGING.replace("[env.staging]\n", '[env.staging]\nname = "app-preview"\n'),
    verdict: "error",
    says: "new Worker",
    needsCommit: true,
  },
  {
    name: "an id-less KV binding renamed (the deploy provisions a new, empty namespace)",
    source: "KV-PROVISION",
    before: BASE.replace(`binding = "CACHE"\nid = "${ID}"`, 'binding = "CACHE"'),
    after: BASE.replace(`binding = "CACHE"\nid = "${ID}"`, 'binding = "STORE"'),
    verdict: "error",
    says: "new, empty namespace",
    needsCommit: true,
  },
];

function run(c: Case, mode: "git and record" | "git, no record" | "record, no git") {
  const format = c.format ?? "toml";
  const file = `wrangler.${format}`;
  const before = readConfig(c.before, format, file);
  const after: WranglerConfig = readConfig(c.after, format, file);
  const input: CheckInput = {
    file,
    format,
    source: c.after,
    config: after,
    main: "src/index.ts",
    mainClasses: new Set(c.exports ?? lifecycleOf(after).live),
    codeReads: new Set(
      c.reads ??
        allBindings(after)
          .filter((b) => b.env === undefined)
          .map((b) => b.name),
    ),
    ...(mode === "record, no git" ? {} : { committed: { config: before, where: "the last commit" } }),
    ...(mode === "git, no record" ? {} : { record: recordFromConfig(before) }),
  };
  return checkProject(input);
}

describe("check on a corpus of deploy changes", () => {
  it("has at least 40 cases, safe ones among them, each with its source", () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
    expect(CASES.filter((c) => c.verdict === "safe").length).toBeGreaterThanOrEqual(15);
    expect(new Set(CASES.map((c) => c.name)).size).toBe(CASES.length);
    for (const c of CASES) expect(c.source).toMatch(/\S/);
  });

  for (const mode of ["git and record", "git, no record", "record, no git"] as const) {
    describe(mode, () => {
      for (const c of CASES) {
        if (mode === "record, no git" && c.needsCommit) continue;
        it(`${c.verdict}: ${c.name} (${c.source})`, () => {
          const findings = run(c, mode);
          const errors = findings.filter((f) => f.level === "error");
          const shown = findings.map((f) => `${f.level} ${f.message}`);
          if (c.verdict === "safe") {
            expect(errors, shown.join("\n")).toEqual([]);
          } else {
            expect(errors.length, shown.join("\n")).toBeGreaterThan(0);
            if (c.says) expect(errors.map((f) => `${f.message} ${f.rule ?? ""}`).join("\n")).toContain(c.says);
            for (const f of errors) expect(f.fix).toMatch(/\S/);
          }
        });
      }
    });
  }

  it("every error the API would reject names its rule in Cloudflare's words", () => {
    for (const c of CASES.filter((c) => /API-100/.test(c.source))) {
      const rules = run(c, "git and record")
        .filter((f) => f.level === "error")
        .map((f) => f.rule ?? "");
      expect(rules.join(" "), c.name).toMatch(/code 100\d\d|Cloudflare|wrangler/);
    }
  });
});
