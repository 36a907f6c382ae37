import { describe, expect, it } from "vitest";
import { appendMigration, renameInExports, setKvNamespaceField, setStrings, UnsafeEditError } from "../../src/core/config/edit.js";
import { ConfigParseError, readConfig } from "../../src/core/config/read.js";

const ID = "475b01396075d308eec9f52dd20968ed";
const ID2 = "8d84f87a806c10ee2a04de2453ab890e";

const TOML = `# my worker
name = "app" # trailing comment
main = "src/index.ts"

[[kv_namespaces]]
binding = "CACHE" # the cache

[[kv_namespaces]]
  binding = 'SESSIONS'
  preview_id = "${ID2}"

[vars]
binding = "CACHE"
`;

const JSONC = `{
	// my worker
	"name": "app",
	"kv_namespaces": [
		{ "binding": "CACHE" },
		{
			"binding": "SESSIONS", // sessions
			"preview_id": "${ID2}"
		}
	],
	"vars": { "binding": "CACHE" },
}
`;

/** The only difference between two texts, as [removed, added]. */
function diff(before: string, after: string): [string, string] {
  let start = 0;
  while (start < before.length && before[start] === after[start]) start++;
  let end = 0;
  while (end < before.length - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  return [before.slice(start, before.length - end), after.slice(start, after.length - end)];
}

describe("setKvNamespaceField in TOML", () => {
  it("adds an id under the binding, leaving every other byte alone", () => {
    const edited = setKvNamespaceField({ source: TOML, format: "toml" }, "CACHE", "id", ID);
    expect(edited).toBe(TOML.replace(`binding = "CACHE" # the cache\n`, `binding = "CACHE" # the cache\nid = "${ID}"\n`));
    expect(readConfig(edited, "toml").kv_namespaces![0]).toEqual({ binding: "CACHE", id: ID });
  });

  it("keeps the table's indentation and reads single-quoted names", () => {
    const edited = setKvNamespaceField({ source: TOML, format: "toml" }, "SESSIONS", "id", ID);
    expect(edited).toContain(`  binding = 'SESSIONS'\n  id = "${ID}"\n  preview_id`);
  });

  it("replaces an existing value in place", () => {
    const edited = setKvNamespaceField({ source: TOML, format: "toml" }, "SESSIONS", "preview_id", ID);
    expect(edited.replace(ID, ID2)).toBe(TOML);
  });

  it("edits the inline-table form", () => {
    const source = `name = "a"\nkv_namespaces = [\n  { binding = "A" },\n  { binding = "B", id = "${ID2}" }, # b\n]\n`;
    const added = setKvNamespaceField({ source: source, format: "toml" }, "A", "id", ID);
    expect(added).toBe(source.replace(`{ binding = "A" }`, `{ binding = "A", id = "${ID}" }`));
    const replaced = setKvNamespaceField({ source: source, format: "toml" }, "B", "id", ID);
    expect(replaced).toBe(source.replace(ID2, ID));
  });

  it("keeps CRLF line endings", () => {
    const source = TOML.replace(/\n/g, "\r\n");
    const edited = setKvNamespaceField({ source: source, format: "toml" }, "CACHE", "id", ID);
    expect(edited).toContain(`# the cache\r\nid = "${ID}"\r\n`);
    expect(edited.replace(/\r\n/g, "")).not.toContain("\n");
  });

  it("refuses a binding that is not there, or only under an environment", () => {
    const withEnv = `name = "a"\n[[env.staging.kv_namespaces]]\nbinding = "CACHE"\n`;
    expect(() => setKvNamespaceField({ source: TOML, format: "toml" }, "MISSING", "id", ID)).toThrow(UnsafeEditError);
    expect(() => setKvNamespaceField({ source: withEnv, format: "toml" }, "CACHE", "id", ID)).toThrow("there is no such binding");
  });
});

describe("setKvNamespaceField in JSONC", () => {
  it("adds an id to a one-line entry, on its line", () => {
    const edited = setKvNamespaceField({ source: JSONC, format: "jsonc" }, "CACHE", "id", ID);
    expect(diff(JSONC, edited)).toEqual(["", `, "id": "${ID}"`]);
    expect(edited).toContain(`{ "binding": "CACHE", "id": "${ID}" },`);
  });

  it("adds an id to a multi-line entry on a line of its own, keeping the comment", () => {
    const edited = setKvNamespaceField({ source: JSONC, format: "jsonc" }, "SESSIONS", "id", ID);
    expect(edited).toBe(JSONC.replace(`"binding": "SESSIONS", // sessions\n`, `"binding": "SESSIONS", // sessions\n\t\t\t"id": "${ID}",\n`));
    expect(readConfig(edited, "jsonc").kv_namespaces![1]).toEqual({ binding: "SESSIONS", id: ID, preview_id: ID2 });
    expect(edited).toContain("// sessions");
    expect(edited).toContain("// my worker");
  });

  it("replaces an existing value in place", () => {
    const edited = setKvNamespaceField({ source: JSONC, format: "jsonc" }, "SESSIONS", "preview_id", ID);
    expect(edited.replace(ID, ID2)).toBe(JSONC);
  });

  it("adds after a last binding property, leaving its comment on its line", () => {
    const source = `{\n  "kv_namespaces": [\n    {\n      "binding": "A" // a\n    }\n  ]\n}\n`;
    const edited = setKvNamespaceField({ source: source, format: "jsonc" }, "A", "id", ID);
    expect(edited).toBe(source.replace(`"binding": "A" // a\n`, `"binding": "A", // a\n      "id": "${ID}"\n`));
  });

  it("refuses a binding that is not there", () => {
    expect(() => setKvNamespaceField({ source: JSONC, format: "jsonc" }, "MISSING", "id", ID)).toThrow(UnsafeEditError);
  });
});

describe("rename edits", () => {
  const toml = `name = "a"

[[durable_objects.bindings]]
name = "ROOM" # the rooms
class_name = "Room"

[[migrations]]
tag = "v1"
new_sqlite_classes = ["Room"]
# a note about v1

[[kv_namespaces]]
binding = "CACHE"
id = "${ID}"
`;
  const jsonc = `{
	"name": "a",
	"durable_objects": { "bindings": [{ "name": "ROOM", "class_name": "Room" }] },
	"migrations": [
		{ "tag": "v1", "new_sqlite_classes": ["Room"] } // first
	],
	"kv_namespaces": [{ "binding": "CACHE", "id": "${ID}" }]
}
`;

  it("renames a KV binding and keeps its id (toml and jsonc)", () => {
    const set = [{ path: ["kv_namespaces", 0, "binding"], value: "STORE" }];
    expect(setStrings({ source: toml, format: "toml" }, set, "Renaming")).toBe(toml.replace('binding = "CACHE"', 'binding = "STORE"'));
    expect(setStrings({ source: jsonc, format: "jsonc" }, set, "Renaming")).toBe(jsonc.replace('"binding": "CACHE"', '"binding": "STORE"'));
  });

  it("renames the DO binding and the bound class, leaving the migration history alone", () => {
    const edited = setStrings(
      { source: toml, format: "toml" },
      [
        { path: ["durable_objects", "bindings", 0, "name"], value: "ROOMS" },
        { path: ["durable_objects", "bindings", 0, "class_name"], value: "Chat" },
      ],
      "Renaming",
    );
    expect(edited).toBe(toml.replace('name = "ROOM"', 'name = "ROOMS"').replace('class_name = "Room"', 'class_name = "Chat"'));
    expect(edited).toContain('new_sqlite_classes = ["Room"]');
  });

  it("appends a migration after the last step, before a comment that follows it (toml)", () => {
    const step = { tag: "v2", renamed_classes: [{ from: "Room", to: "Chat" }] };
    expect(appendMigration({ source: toml, format: "toml" }, step)).toBe(
      toml.replace(
        'new_sqlite_classes = ["Room"]\n',
        'new_sqlite_classes = ["Room"]\n\n[[migrations]]\ntag = "v2"\nrenamed_classes = [{ from = "Room", to = "Chat" }]\n',
      ),
    );
  });

  it("appends a migration on its own line in a multi-line array (jsonc)", () => {
    const step = { tag: "v2", renamed_classes: [{ from: "Room", to: "Chat" }] };
    const edited = appendMigration({ source: jsonc, format: "jsonc" }, step);
    expect(edited).toBe(
      jsonc.replace(
        '{ "tag": "v1", "new_sqlite_classes": ["Room"] } // first',
        '{ "tag": "v1", "new_sqlite_classes": ["Room"] },\n\t\t{ "tag": "v2", "renamed_classes": [{ "from": "Room", "to": "Chat" }] } // first',
      ),
    );
    expect(readConfig(edited, "jsonc").migrations).toEqual([{ tag: "v1", new_sqlite_classes: ["Room"] }, step]);
  });
});

describe("renameInExports", () => {
  it("marks the old class renamed and adds the new one after it (toml)", () => {
    const source = `name = "a"\n\n[exports.Room] # the rooms\ntype = "durable-object"\nstorage = "sqlite"\n\n[vars]\nX = "1"\n`;
    const edited = renameInExports({ source: source, format: "toml" }, "Room", "Chat");
    expect(edited).toBe(
      `name = "a"\n\n[exports.Room] # the rooms\ntype = "durable-object"\nstate = "renamed"\nrenamed_to = "Chat"\n\n` +
        `[exports.Chat]\ntype = "durable-object"\nstorage = "sqlite"\n\n[vars]\nX = "1"\n`,
    );
  });
  it("does the same in jsonc, keeping comments", () => {
    const source = `{\n\t"exports": {\n\t\t// rooms\n\t\t"Room": { "type": "durable-object", "storage": "sqlite" }\n\t}\n}\n`;
    const edited = renameInExports({ source: source, format: "jsonc" }, "Room", "Chat");
    expect(edited).toContain("// rooms");
    expect(readConfig(edited, "jsonc").exports).toEqual({
      Room: { type: "durable-object", state: "renamed", renamed_to: "Chat" },
      Chat: { type: "durable-object", storage: "sqlite" },
    });
    expect(edited).toContain(
      `"Room": { "type": "durable-object", "state": "renamed", "renamed_to": "Chat" },\n\t\t"Chat": { "type": "durable-object", "storage": "sqlite" }\n`,
    );
  });
});

describe("renameInExports keeps what is around the table", () => {
  it("comments inside and after the table stay; only storage goes", () => {
    const source = `name = "a"\n\n[exports.Room]\n# the rooms\ntype = "durable-object"\nstorage = "sqlite" # kept as sqlite\n\n# KV below\n[[kv_namespaces]]\nbinding = "CACHE"\n`;
    const edited = renameInExports({ source, format: "toml" }, "Room", "Chat");
    expect(edited).toBe(
      `name = "a"\n\n[exports.Room]\n# the rooms\ntype = "durable-object"\nstate = "renamed"\nrenamed_to = "Chat"\n\n` +
        `[exports.Chat]\ntype = "durable-object"\nstorage = "sqlite"\n\n# KV below\n[[kv_namespaces]]\nbinding = "CACHE"\n`,
    );
  });
});

describe("an edit the locator cannot place", () => {
  it("is refused as unsafe (exit 2), never guessed", () => {
    const source = `name = "a"\n[[kv_namespaces]]\nbinding = "CACHE"\n`;
    let error: unknown;
    try {
      setStrings({ source, format: "toml" }, [{ path: ["kv_namespaces", 0, "nope"], value: "X" }], "Renaming");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UnsafeEditError);
    expect((error as UnsafeEditError).exitCode).toBe(2);
    expect((error as Error).message).toContain("could not find where to make the change in wrangler.toml");
  });
});

describe("a config saved with a UTF-8 byte-order mark (as some Windows editors do)", () => {
  const BOM = "\uFEFF";
  it.each([
    ["toml", TOML],
    ["jsonc", JSONC],
  ] as const)("%s: read, edited, and the mark kept where it was", (format, source) => {
    const marked = BOM + source;
    expect(readConfig(marked, format).name).toBe("app");
    const withId = setKvNamespaceField({ source: marked, format }, "CACHE", "id", ID);
    expect(withId.startsWith(BOM)).toBe(true);
    expect(withId.slice(1)).toBe(setKvNamespaceField({ source, format }, "CACHE", "id", ID));
    const renamed = setStrings({ source: marked, format }, [{ path: ["kv_namespaces", 0, "binding"], value: "STORE" }], "Renaming");
    expect(renamed.startsWith(BOM)).toBe(true);
    expect(readConfig(renamed, format).kv_namespaces?.[0]?.binding).toBe("STORE");
    const stepped = appendMigration({ source: marked, format }, { tag: "v1", new_sqlite_classes: ["Room"] });
    expect(stepped.startsWith(BOM) && !stepped.slice(1).includes(BOM)).toBe(true);
  });
});

describe("a config nested deeper than anyone writes by hand", () => {
  const nested = (depth: number) => `{ "name": "app", "vars": { "deep": ${"[".repeat(depth)}${"]".repeat(depth)} } }`;

  it("jsonc: refused with exit 2 at the place it gets too deep, not a stack overflow", () => {
    let error: unknown;
    try {
      readConfig(nested(200_000), "jsonc");
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigParseError);
    expect((error as ConfigParseError).exitCode).toBe(2);
    // The 1,001st level: two braces, then the 999th bracket (column 35 + 999).
    expect((error as Error).message).toBe("wrangler.jsonc:1:1034 is not a config create-do-kv can read: nested more than 1000 levels deep.");
  });

  it("jsonc: brackets inside strings and comments do not count; 999 levels still read", () => {
    const text = `// ${"[".repeat(5_000)}\n{ "name": "app", "vars": { "s": "${"{".repeat(5_000)}", "deep": ${"[".repeat(997)}${"]".repeat(997)} } }`;
    expect(readConfig(text, "jsonc").name).toBe("app");
  });

  it("toml: smol-toml's own limit gives the same exit 2", () => {
    expect(() => readConfig(`name = "app"\nx = ${"[".repeat(200_000)}${"]".repeat(200_000)}`, "toml")).toThrow(ConfigParseError);
  });
});
