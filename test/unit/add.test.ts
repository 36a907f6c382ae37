/** `add`'s planning: the config edits in every shape a Worker's config comes in, the export line, the refusals. */
import { parse as parseJsonc } from "jsonc-parser";
import { parse as parseToml } from "smol-toml";
import { describe, expect, it } from "vitest";
import {
  type AddRequest,
  addNameProblem,
  type CodeNames,
  classFileName,
  exportFromMain,
  moduleLineStyle,
  moduleSpecifier,
  planAddToConfig,
} from "../../src/core/add/plan.js";
import { takesIdlessKv } from "../../src/core/kv/plan.js";
import { scanExports } from "../../src/core/check/exports.js";
import { readConfig, type WranglerConfig } from "../../src/core/config/read.js";
import type { ConfigFormat } from "../../src/core/config/types.js";
import { recordFromConfig, recordNamesDiffer } from "../../src/core/rename/record.js";
import { UsageError } from "../../src/errors.js";

const noCode: CodeNames = { exported: new Set(), declaredClasses: new Set(), fileTaken: () => undefined };

function plan(
  source: string,
  format: ConfigFormat,
  request: AddRequest = { className: "Room", doBinding: "ROOM", kvBindings: ["CACHE"] },
  code = noCode,
) {
  const file = format === "toml" ? "wrangler.toml" : "wrangler.jsonc";
  const result = planAddToConfig({ source, format, file }, readConfig(source, format, file), code, request);
  const parsed = (format === "toml" ? parseToml(result.configText) : parseJsonc(result.configText)) as WranglerConfig;
  return { ...result, parsed };
}

/** Every line of `before` is in `after`, in order (a comma added after a last member aside): nothing of the user's was lost or moved. */
function keepsEveryLine(before: string, after: string): void {
  const lines = after.split("\n");
  let at = 0;
  for (const line of before.split("\n")) {
    const found = lines.findIndex((candidate, i) => i >= at && (candidate === line || candidate === `${line},`));
    expect(found, `line ${JSON.stringify(line)} kept in order`).toBeGreaterThanOrEqual(0);
    at = found + 1;
  }
}

/** create-cloudflare 2.74's hello-world wrangler.jsonc, shortened: a last member without a comma, then only comments. */
const C3_JSONC = `/**
 * For more details on how to configure Wrangler, refer to:
 * https://developers.cloudflare.com/workers/wrangler/configuration/
 */
{
\t"$schema": "node_modules/wrangler/config-schema.json",
\t"name": "hw",
\t"main": "src/index.ts",
\t"compatibility_date": "2026-10-06",
\t"observability": {
\t\t"enabled": true
\t},
\t"upload_source_maps": true
\t/**
\t * Smart Placement
\t */
\t// "placement": {  "mode": "smart" }
}
`;

const TOML_ENVS = `name = "shop"
main = "src/index.ts"
compatibility_date = "2026-11-02"

# the user's own
[[r2_buckets]]
binding = "IMAGES"
bucket_name = "images"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Cart"]

[[durable_objects.bindings]]
name = "CART"
class_name = "Cart"

[env.staging]
vars = { MODE = "staging" }

[[env.staging.durable_objects.bindings]]
name = "CART"
class_name = "Cart"

[env.production]
route = "shop.example.com/*"
`;

describe("planAddToConfig", () => {
  it("create-cloudflare's hello world (jsonc, no bindings, no migrations): binding, KV and a v1 step, laid out as the file is; the comments stay", () => {
    const result = plan(C3_JSONC, "jsonc");
    expect(result.parsed.durable_objects?.bindings).toEqual([{ name: "ROOM", class_name: "Room" }]);
    expect(result.parsed.kv_namespaces).toEqual([{ binding: "CACHE" }]);
    expect(result.parsed.migrations).toEqual([{ tag: "v1", new_sqlite_classes: ["Room"] }]);
    expect(result).toMatchObject({ lifecycle: "migrations", tag: "v1", reused: [] });
    keepsEveryLine(C3_JSONC, result.configText);
    expect(result.configText).toContain('\t"durable_objects": {\n\t\t"bindings": [\n\t\t\t{ "name": "ROOM", "class_name": "Room" }\n\t\t]\n\t},');
  });

  it("toml with environments: the DO and KV bindings in every section (wrangler inherits neither), the next tag, the rest byte for byte", () => {
    const result = plan(TOML_ENVS, "toml", { className: "Room", doBinding: "ROOM", kvBindings: ["CACHE", "SESSIONS"] });
    const sections = [result.parsed, result.parsed.env!.staging!, result.parsed.env!.production!];
    for (const section of sections) {
      expect(section.durable_objects?.bindings?.map((b) => b.name)).toContain("ROOM");
      expect(section.kv_namespaces).toEqual([{ binding: "CACHE" }, { binding: "SESSIONS" }]);
    }
    expect(result.parsed.durable_objects?.bindings).toEqual([
      { name: "CART", class_name: "Cart" },
      { name: "ROOM", class_name: "Room" },
    ]);
    expect(result.parsed.migrations?.at(-1)).toEqual({ tag: "v2", new_sqlite_classes: ["Room"] });
    expect(result.parsed.env!.staging!.vars).toEqual({ MODE: "staging" });
    expect(result.parsed.r2_buckets).toEqual([{ binding: "IMAGES", bucket_name: "images" }]);
    keepsEveryLine(TOML_ENVS, result.configText);
  });

  it("the exports form gets an exports entry and no migration step (toml and jsonc)", () => {
    const toml = 'name = "x"\nmain = "src/index.ts"\n\n[exports.Cart]\ntype = "durable-object"\nstorage = "sqlite"\n';
    const jsonc = '{\n  "name": "x",\n  "main": "src/index.ts",\n  "exports": { "Cart": { "type": "durable-object", "storage": "sqlite" } }\n}\n';
    for (const [source, format] of [
      [toml, "toml"],
      [jsonc, "jsonc"],
    ] as const) {
      const result = plan(source, format);
      expect(result.parsed.exports).toEqual({
        Cart: { type: "durable-object", storage: "sqlite" },
        Room: { type: "durable-object", storage: "sqlite" },
      });
      expect(result.parsed.migrations).toBeUndefined();
      expect(result.lifecycle).toBe("exports");
    }
  });

  it("a KV binding named with --kv that exists is reused in the sections that have it and added where missing; its id stays", () => {
    const source =
      'name = "x"\nmain = "src/index.ts"\n\n[[kv_namespaces]]\nbinding = "CACHE"\nid = "0123456789abcdef0123456789abcdef"\n\n[env.staging]\n';
    const result = plan(source, "toml");
    expect(result.parsed.kv_namespaces).toEqual([{ binding: "CACHE", id: "0123456789abcdef0123456789abcdef" }]);
    expect(result.parsed.env!.staging!.kv_namespaces).toEqual([{ binding: "CACHE" }]);
    expect(result.reused).toEqual(["CACHE"]);
  });

  it.each([
    ["a class some binding uses", { className: "Cart" }, /--class: "Cart" is already a Durable Object class of this Worker \(binding CART\)/],
    ["a DO binding name an R2 bucket has", { doBinding: "IMAGES" }, /--do-binding: "IMAGES" is already the name of a R2 bucket binding/],
    [
      "a DO binding name an environment's var has",
      { doBinding: "MODE" },
      /--do-binding: "MODE" is already the name of a var binding \(env\.staging\)/,
    ],
    ["a KV binding name a DO binding has", { kvBindings: ["CART"] }, /--kv: "CART" is already the name of a Durable Object binding/],
    ["a KV binding that is the new DO binding", { kvBindings: ["ROOM"] }, /--kv: "ROOM" is the Durable Object binding too/],
    [
      "KV titles that would clash",
      { kvBindings: ["userCache", "USER_CACHE", "usercache"] },
      /would get the same namespace title \("shop-usercache"\)/,
    ],
  ])("refuses %s, naming the flag", (_what, change, message) => {
    const request = { className: "Room", doBinding: "ROOM", kvBindings: ["CACHE"], ...change };
    expect(() => plan(TOML_ENVS, "toml", request)).toThrow(message);
    expect(() => plan(TOML_ENVS, "toml", request)).toThrow(UsageError);
  });

  it("refuses a class that is live in the migrations though nothing binds it, or has an exports entry", () => {
    const unbound = 'name = "x"\nmain = "src/index.ts"\n\n[[migrations]]\ntag = "v1"\nnew_sqlite_classes = ["Room"]\n';
    expect(() => plan(unbound, "toml")).toThrow(/"Room" is already a class in this Worker's migrations/);
    const deleted = 'name = "x"\nmain = "src/index.ts"\n\n[exports.Room]\ntype = "durable-object"\nstate = "deleted"\n';
    expect(() => plan(deleted, "toml")).toThrow(/"Room" is already a class in this Worker's exports/);
  });

  it("refuses a class the code exports or declares, or whose file is there", () => {
    const source = 'name = "x"\nmain = "src/index.ts"\n';
    expect(() => plan(source, "toml", undefined, { ...noCode, exported: new Set(["Room"]) })).toThrow(/main module already exports "Room"/);
    expect(() => plan(source, "toml", undefined, { ...noCode, declaredClasses: new Set(["Room"]) })).toThrow(/already declares a class "Room"/);
    expect(() => plan(source, "toml", undefined, { ...noCode, fileTaken: () => "src/room.ts exists" })).toThrow(/--class: src\/room\.ts exists/);
  });

  it("numbers the step after the highest tag, deleted classes' steps counted", () => {
    const source =
      'name = "x"\nmain = "src/index.ts"\n\n[[migrations]]\ntag = "v2"\nnew_sqlite_classes = ["A"]\n\n[[migrations]]\ntag = "v3"\ndeleted_classes = ["A"]\n';
    const result = plan(source, "toml");
    expect(result.parsed.migrations?.at(-1)).toEqual({ tag: "v4", new_sqlite_classes: ["Room"] });
  });
});

describe("addNameProblem", () => {
  it("is undefined for free names, and a KV binding that exists as KV is no problem (it is reused)", () => {
    const config = readConfig(TOML_ENVS, "toml", "wrangler.toml");
    expect(addNameProblem(config, noCode, "className", "Room")).toBeUndefined();
    expect(addNameProblem(config, noCode, "doBinding", "ROOM")).toBeUndefined();
    const withKv = readConfig('name = "x"\n[[kv_namespaces]]\nbinding = "CACHE"\n', "toml", "wrangler.toml");
    expect(addNameProblem(withKv, noCode, "kvBindings", "CACHE")).toBeUndefined();
    expect(addNameProblem(withKv, noCode, "doBinding", "CACHE")).toMatch(/already the name of a KV namespace binding/);
  });
});

describe("exportFromMain", () => {
  it("after the last import, on a line of its own, a comment that ends the import's line kept with it", () => {
    const main = 'import { a } from "./a"; // the a\nimport b from "./b";\n\nexport default {};\n';
    expect(exportFromMain(main, "Room", "./room", main.indexOf(";", main.indexOf("./b")) + 1)).toBe(
      'import { a } from "./a"; // the a\nimport b from "./b";\nexport { Room } from "./room";\n\nexport default {};\n',
    );
    const trailing = 'import b from "./b"; // note\nexport default {};\n';
    expect(exportFromMain(trailing, "Room", "./room", trailing.indexOf(";") + 1)).toBe(
      'import b from "./b"; // note\nexport { Room } from "./room";\nexport default {};\n',
    );
  });

  it("without a place from the parser, at the end; a last line without its newline gets one; CRLF kept", () => {
    expect(exportFromMain("export default {};\n", "Room", "./room")).toBe('export default {};\nexport { Room } from "./room";\n');
    expect(exportFromMain("export default {}; // end", "Room", "./room")).toBe('export default {}; // end\nexport { Room } from "./room";\n');
    expect(exportFromMain("export default {};\r\n", "Room", "./room")).toBe('export default {};\r\nexport { Room } from "./room";\r\n');
  });

  it("names the file as main's own relative imports do", () => {
    expect(moduleSpecifier('import { x } from "./x.js";\n', "room.ts")).toBe("./room.js");
    expect(moduleSpecifier('import { x } from "./x";\nimport "node:fs";\n', "room.ts")).toBe("./room");
    expect(moduleSpecifier("export default {};\n", "chat-room.ts")).toBe("./chat-room");
  });

  it("names the class's file in kebab case", () => {
    expect(classFileName("ChatRoom")).toBe("chat-room.ts");
    expect(classFileName("Room")).toBe("room.ts");
    expect(classFileName("HTTPCache2")).toBe("http-cache2.ts");
  });
});

describe("scanExports.names and declaredClasses", () => {
  it("every name exported explicitly, of any kind; classes declared whether exported or not", () => {
    const scanned = scanExports(
      [
        "export const Room = 1;",
        "export async function* Gen() {}",
        "export interface Shape {}",
        "class Hidden {}",
        'export { a as Alias } from "./a";',
        "// export class Commented {}",
        'export * from "./star";',
      ].join("\n"),
    );
    expect([...scanned.names].sort()).toEqual(["Alias", "Gen", "Room", "Shape"]);
    expect([...scanned.declaredClasses]).toEqual(["Hidden"]);
  });
});

describe("recordNamesDiffer", () => {
  it("ids and the lifecycle snapshot aside, a renamed binding or class is a difference", () => {
    const config = readConfig(TOML_ENVS, "toml", "wrangler.toml");
    const record = recordFromConfig(config);
    expect(recordNamesDiffer(record, { ...record, migrations: [] })).toBe(false);
    expect(recordNamesDiffer(record, { ...record, durableObjects: [{ binding: "CART", class: "Basket" }] })).toBe(true);
  });
});

describe("--kv-id and the project's wrangler", () => {
  const ID = "0123456789abcdef0123456789abcdef";
  const ID2 = "fedcba9876543210fedcba9876543210";
  const request = (extra: Partial<Parameters<typeof planAddToConfig>[3]>) => ({
    className: "Room",
    doBinding: "ROOM",
    kvBindings: ["CACHE"],
    ...extra,
  });

  it("writes each given id into its section's new binding, in the same plan", () => {
    for (const [source, format] of [
      [TOML_ENVS, "toml"],
      [C3_JSONC, "jsonc"],
    ] as const) {
      const envs = format === "toml" ? { "staging.CACHE": ID2 } : {};
      const { parsed } = plan(source, format, request({ kvIds: new Map(Object.entries({ CACHE: ID, ...envs })) }));
      expect(parsed.kv_namespaces).toEqual([{ binding: "CACHE", id: ID }]);
      if (format === "toml") expect(parsed.env?.staging?.kv_namespaces).toEqual([{ binding: "CACHE", id: ID2 }]);
    }
  });

  it("refuses an id for a binding the config will not have, naming it", () => {
    expect(() => plan(TOML_ENVS, "toml", request({ kvIds: new Map([["OTHER", ID]]) }))).toThrow(/--kv-id: "OTHER" is not one of the KV bindings/);
  });

  it("before wrangler 4.45, refuses a new binding without an id, naming the flag for each; with every id given, plans", () => {
    let error: unknown;
    try {
      plan(TOML_ENVS, "toml", request({ wranglerVersion: "3.114.0", kvIds: new Map([["CACHE", ID]]) }));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain("wrangler 3.114.0 cannot take a KV binding without an id");
    expect((error as UsageError).message).toContain("staging.CACHE, production.CACHE");
    expect((error as UsageError).hint).toContain("--kv-id staging.CACHE=<id>");
    const ids = new Map([
      ["CACHE", ID],
      ["staging.CACHE", ID2],
      ["production.CACHE", ID2],
    ]);
    expect(plan(TOML_ENVS, "toml", request({ wranglerVersion: "4.44.9", kvIds: ids })).parsed.kv_namespaces).toEqual([{ binding: "CACHE", id: ID }]);
    expect(plan(TOML_ENVS, "toml", request({ wranglerVersion: "4.45.0" })).parsed.kv_namespaces).toEqual([{ binding: "CACHE" }]);
  });
});

describe("takesIdlessKv", () => {
  it.each([
    ["3.114.0", false],
    ["4.44.9", false],
    ["4.45.0", true],
    ["4.157.0", true],
    ["5.0.0-beta.1", true],
    [undefined, true],
    ["not a version", true],
  ])("%s: %s", (version, expected) => {
    expect(takesIdlessKv(version)).toBe(expected);
  });
});

describe("the export line in main's own style", () => {
  it("single quotes and no semicolons where main's module lines have them; double quotes and semicolons otherwise", () => {
    const bare = "import { DurableObject } from 'cloudflare:workers'\nimport { a } from './a'\n\nexport default { fetch: a }\n";
    expect(exportFromMain(bare, "Chat", "./chat", bare.indexOf("'./a'") + 5)).toBe(
      "import { DurableObject } from 'cloudflare:workers'\nimport { a } from './a'\nexport { Chat } from './chat'\n\nexport default { fetch: a }\n",
    );
    expect(moduleLineStyle('import { a } from "./a";\n')).toEqual({ quote: '"', semicolon: true });
    expect(moduleLineStyle("export default {};\n")).toEqual({ quote: '"', semicolon: true });
    expect(moduleLineStyle("import x from 'x';\nimport y from 'y';\n")).toEqual({ quote: "'", semicolon: true });
  });
});

describe("new config entries laid out as their neighbours", () => {
  it("a multi-line object in a multi-line array gets a multi-line sibling at the same indents; the rest stays byte for byte", () => {
    const source = `{
    "name": "do",
    "main": "src/index.ts",
    "durable_objects": {
        "bindings": [
            {
                "class_name": "MyDurableObject",
                "name": "MY_DURABLE_OBJECT"
            }
        ]
    },
    "migrations": [
        {
            "new_sqlite_classes": ["MyDurableObject"],
            "tag": "v1"
        }
    ]
}
`;
    const { configText, parsed } = plan(source, "jsonc");
    expect(configText).toContain(`            },
            {
                "name": "ROOM",
                "class_name": "Room"
            }
        ]`);
    expect(configText).toContain(`        },
        {
            "tag": "v2",
            "new_sqlite_classes": ["Room"]
        }
    ]`);
    expect(parsed.durable_objects?.bindings).toEqual([
      { class_name: "MyDurableObject", name: "MY_DURABLE_OBJECT" },
      { name: "ROOM", class_name: "Room" },
    ]);
    keepsEveryLine(source, configText);
  });

  it("one-line objects in a multi-line array stay one-line", () => {
    const source =
      '{\n\t"name": "w",\n\t"main": "src/index.ts",\n\t"kv_namespaces": [\n\t\t{ "binding": "A", "id": "0123456789abcdef0123456789abcdef" }\n\t]\n}\n';
    expect(plan(source, "jsonc").configText).toContain(
      '\t\t{ "binding": "A", "id": "0123456789abcdef0123456789abcdef" },\n\t\t{ "binding": "CACHE" }\n\t]',
    );
  });
});
