/**
 * The registry of binding kinds against the pinned wrangler's own config schema: a newer wrangler
 * (npm run update-template) that accepts a kind the registry lacks fails here, as does a
 * declared kind wrangler no longer has. The derivation reads the schema's shape, not a list.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { BINDING_KINDS, SECRETS } from "../../src/core/bindings/kinds.js";
import { allBindings } from "../../src/core/config/sections.js";
import type { WranglerConfig } from "../../src/core/config/read.js";

type Schema = {
  $ref?: string;
  type?: string;
  properties?: Record<string, Schema>;
  items?: Schema;
  anyOf?: Schema[];
  allOf?: Schema[];
  description?: string;
  additionalProperties?: unknown;
};

const schemaPath = join(dirname(createRequire(import.meta.url).resolve("wrangler/package.json")), "config-schema.json");
const schema = JSON.parse(readFileSync(schemaPath, "utf8")) as { definitions: Record<string, Schema> };
const resolve = (node: Schema | undefined): Schema | undefined => {
  let at = node;
  while (at?.$ref) at = schema.definitions[at.$ref.split("/").pop()!];
  return at;
};
const propertiesOf = (node: Schema | undefined): Record<string, Schema> => {
  const at = resolve(node);
  if (!at) return {};
  return Object.assign({}, at.properties, ...[...(at.anyOf ?? []), ...(at.allOf ?? [])].map(propertiesOf));
};

/** Kinds as the schema shapes them: lists of entries with a name, objects with a binding, maps of names. */
function kindsInSchema(section: Record<string, Schema>, prefix: string[] = []): string[] {
  const found: string[] = [];
  for (const [key, raw] of Object.entries(section)) {
    const node = resolve(raw);
    if (!node) continue;
    const path = [...prefix, key];
    if (node.type === "array") {
      const fields = propertiesOf(node.items);
      // A list named by `name` is a binding kind when wrangler's own words say so (not `containers`).
      if ("binding" in fields || (key === "bindings" && "name" in fields) || ("name" in fields && /\bbindings?\b/i.test(node.description ?? "")))
        found.push(path.join("."));
    } else if (prefix.length === 0) {
      const fields = propertiesOf(node);
      if ("binding" in fields) found.push(key);
      else if (key === "vars") found.push(key);
      else found.push(...kindsInSchema(fields, path));
    }
  }
  return found;
}

const environment = propertiesOf(schema.definitions.RawEnvironment);
// `previews` repeats the kinds for preview deployments; `secrets.required` is declared apart.
const { previews, ...inSections } = environment;
const fromSchema = new Set([
  ...kindsInSchema(inSections).filter((key) => key !== SECRETS.key.join(".")),
  // Kinds wrangler keeps at the top level only (service-worker format).
  ...["text_blobs", "data_blobs", "wasm_modules"].filter((key) => key in propertiesOf(schema.definitions.RawConfig)),
]);
const declared = new Set(BINDING_KINDS.map((kind) => kind.key.join(".")));

describe("binding kinds", () => {
  it("declares every kind the pinned wrangler's schema has", () => {
    expect([...fromSchema].filter((key) => !declared.has(key)).sort()).toEqual([]);
    expect(fromSchema.size).toBeGreaterThanOrEqual(40);
  });

  it("declares no kind the schema lacks", () => {
    expect([...declared].filter((key) => !fromSchema.has(key)).sort()).toEqual([]);
  });

  it("has every kind of previews among the declared ones", () => {
    const inPreviews = kindsInSchema(propertiesOf(previews));
    expect(inPreviews.length).toBeGreaterThanOrEqual(20);
    expect(inPreviews.filter((key) => !declared.has(key))).toEqual([]);
  });

  it("names each binding by a field the schema has, and its resource by fields it has", () => {
    for (const kind of BINDING_KINDS) {
      const node = kind.key.reduce<Schema | undefined>(
        (at, key) => propertiesOf(at)[key],
        kind.key.length === 1 && !(kind.key[0]! in environment) ? schema.definitions.RawConfig : schema.definitions.RawEnvironment,
      );
      if (kind.shape === "map") continue;
      const fields = propertiesOf(kind.shape === "list" ? resolve(node)?.items : node);
      expect(fields, kind.label).toHaveProperty(kind.nameField!);
      for (const field of kind.resource) expect(fields, `${kind.label}: ${field}`).toHaveProperty(field);
    }
  });

  it("finds a binding of every kind, in every section, with its kind's label", () => {
    const section: Record<string, unknown> = {};
    for (const kind of BINDING_KINDS) {
      const name = `B_${kind.key.join("_").toUpperCase()}`;
      const value = kind.shape === "list" ? [{ [kind.nameField!]: name }] : kind.shape === "single" ? { [kind.nameField!]: name } : { [name]: "x" };
      const keys = [...kind.key];
      const last = keys.pop()!;
      let at = section;
      for (const key of keys) {
        at[key] ??= {};
        at = at[key] as Record<string, unknown>;
      }
      at[last] = value;
    }
    const config = { ...section, env: { staging: section } } as WranglerConfig;
    const found = allBindings(config);
    expect(found).toHaveLength(BINDING_KINDS.length * 2);
    for (const kind of BINDING_KINDS) {
      const name = `B_${kind.key.join("_").toUpperCase()}`;
      expect(found.filter((b) => b.name === name).map((b) => [b.kind, b.env])).toEqual([
        [kind.label, undefined],
        [kind.label, "staging"],
      ]);
    }
  });
});
