import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readConfig } from "../src/core/config-read.js";
import { TAKEN_CLASS_NAMES } from "../src/core/names.js";
import type { CreateOptions } from "../src/core/options.js";
import { checkRenderedConfig, planProject, templateValues } from "../src/core/plan.js";
import { fill, placeholdersIn, RenderError } from "../src/core/render.js";
import { COMPATIBILITY_DATE } from "../src/core/versions.js";
import { readTemplateLayers } from "../src/effects/templates.js";

const templatesDir = new URL("../templates/", import.meta.url).pathname;
const template = readTemplateLayers(templatesDir, "default");
const broadcast = readTemplateLayers(templatesDir, "broadcast");
const templateFor = (options: CreateOptions) => (options.template === "broadcast" ? broadcast : template);

const base: CreateOptions = {
  directory: "my-app",
  name: "my-app",
  className: "Room",
  doBinding: "ROOM",
  kvBindings: ["CACHE"],
  format: "toml",
  template: "default",
};

const cases: CreateOptions[] = [
  base,
  { ...base, format: "jsonc" },
  { ...base, name: "x", className: "ChatRoom", doBinding: "ROOMS", kvBindings: ["CACHE", "SESSIONS"] },
  { ...base, format: "jsonc", className: "R2", doBinding: "$do", kvBindings: ["_a", "b$", "C_D_E"] },
  // A binding that looks like a placeholder must land as text, not be expanded again.
  { ...base, kvBindings: ["__WORKER_NAME__"], doBinding: "__CLASS_NAME__" },
  { ...base, format: "jsonc", name: "a".repeat(63), kvBindings: ["K1", "K2", "K3", "K4"] },
  { ...base, template: "broadcast" },
  { ...base, template: "broadcast", format: "jsonc", className: "Hub", doBinding: "HUBS", kvBindings: ["STATE", "X"] },
];

describe("planProject", () => {
  it.each(cases)("renders every file for %j with no placeholder left", (options) => {
    const files = planProject(templateFor(options), options);
    const paths = files.map((file) => file.path);
    expect(paths).toContain(`wrangler.${options.format}`);
    expect(paths).not.toContain(options.format === "toml" ? "wrangler.jsonc" : "wrangler.toml");
    expect(paths).toContain(".gitignore");
    expect(paths).not.toContain("_gitignore");
    for (const file of files) {
      // Placeholders are only ever in the template; the record's values may look like one.
      const leftovers = placeholdersIn(file.content).filter(
        (name) => !Object.values(templateValues(options)).some((value) => value.includes(`__${name}__`)),
      );
      expect(leftovers, file.path).toEqual([]);
    }
  });

  it.each(cases)("writes a config that parses and reads back the same values: %j", (options) => {
    const files = planProject(templateFor(options), options);
    const config = readConfig(files.find((f) => f.path === `wrangler.${options.format}`)!.content, options.format);
    expect(config).toMatchObject({
      name: options.name,
      main: "src/index.ts",
      compatibility_date: COMPATIBILITY_DATE,
      durable_objects: { bindings: [{ name: options.doBinding, class_name: options.className }] },
      migrations: [{ tag: "v1", new_sqlite_classes: [options.className] }],
    });
    expect(config.kv_namespaces).toEqual(options.kvBindings.map((binding) => ({ binding })));
    if (options.format === "jsonc") {
      expect(files.find((f) => f.path === "wrangler.jsonc")!.content).toContain('"$schema"');
    }
  });

  it("puts every name where it belongs in the code", () => {
    const options = { ...base, className: "ChatRoom", doBinding: "ROOMS", kvBindings: ["STORE", "SESSIONS"] };
    const files = new Map(planProject(template, options).map((f) => [f.path, f.content]));
    expect(files.get("src/durable-object.ts")).toContain("export class ChatRoom extends DurableObject<Env>");
    expect(files.get("src/durable-object.ts")).toContain("this.env.STORE.get(");
    expect(files.get("src/index.ts")).toContain("env.ROOMS.getByName(room)");
    expect(files.get("src/index.ts")).toContain("export { ChatRoom };");
    expect(files.get("test/index.test.ts")).toContain("env.STORE.get(");
    expect(files.get("vitest.config.ts")).toContain('configPath: "./wrangler.toml"');
    expect(JSON.parse(files.get("package.json")!).name).toBe("my-app");
  });

  it("refuses a rendered config that says something other than what was asked", () => {
    const source = planProject(template, base).find((f) => f.path === "wrangler.toml")!.content;
    expect(() => checkRenderedConfig(source.replace('binding = "CACHE"', 'binding = "OTHER"'), base)).toThrow(
      /does not read back as asked/,
    );
    expect(() => checkRenderedConfig(source.replace('name = "my-app"', 'name = "my-app'), base)).toThrow(
      /not valid TOML/,
    );
  });
});

describe("the broadcast template", () => {
  it("replaces the code and README but keeps the shared project files", () => {
    const files = new Map(planProject(broadcast, { ...base, template: "broadcast", className: "Hub" }).map((f) => [f.path, f.content]));
    expect(files.get("src/durable-object.ts")).toContain("this.ctx.acceptWebSocket(server)");
    expect(files.get("src/durable-object.ts")).toContain("export class Hub extends DurableObject<Env>");
    expect(files.get("src/index.ts")).toContain("return stub.fetch(request);");
    expect(files.get("README.md")).toContain("--template broadcast");
    expect(files.get("package.json")).toBe(planProject(template, base).find((f) => f.path === "package.json")!.content);
  });
});

describe("fill", () => {
  it("replaces known placeholders and refuses unknown ones", () => {
    expect(fill("a __X__ b __X__", { X: "1" }, "f")).toBe("a 1 b 1");
    expect(() => fill("__NOPE__", {}, "f.ts")).toThrow(RenderError);
    expect(() => fill("__NOPE__", {}, "f.ts")).toThrow("f.ts: no value for placeholder __NOPE__");
  });
  it("has a value for every placeholder the templates use", () => {
    const values = templateValues(base);
    const used = [...template.values(), ...broadcast.values()].flatMap(placeholdersIn);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(values, name).toHaveProperty(name);
  });
});

describe("class names the templates already use", () => {
  it("are all refused as DO class names", () => {
    // Every capitalized identifier in the template code, other than the placeholders.
    const code = [...template, ...broadcast]
      .filter(([path]) => path.endsWith(".ts"))
      .map(([, text]) => text)
      .join("\n");
    const words = new Set(
      code
        .replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, "")
        .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`(?:[^`\\]|\\.)*`|\/\^[^/\n]*\$\//g, "")
        .match(/\b[A-Z][A-Za-z0-9]*\b/g) ?? [],
    );
    const missing = [...words].filter((word) => !/^[A-Z0-9_]+$/.test(word) && !TAKEN_CLASS_NAMES.has(word));
    expect(missing).toEqual([]);
  });
  it("pins the same compatibility date the template documents", () => {
    expect(COMPATIBILITY_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(readFileSync(new URL("../templates/default/wrangler.toml", import.meta.url), "utf8")).toContain(
      'compatibility_date = "__COMPATIBILITY_DATE__"',
    );
  });
});
