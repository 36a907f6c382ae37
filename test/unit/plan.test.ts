import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/core/config/read.js";
import ts from "typescript";
import { validateClassName } from "../../src/core/project/names.js";
import { TEMPLATES, type CreateOptions, type TemplateName } from "../../src/core/project/options.js";
import { checkRenderedConfig, planProject, templateValues } from "../../src/core/project/plan.js";
import { fill, placeholdersIn, RenderError } from "../../src/core/project/render.js";
import { VERSION } from "../../src/version.js";
import { checkScript } from "../../src/core/project/plan.js";
import { COMPATIBILITY_DATE } from "../../src/core/project/versions.js";
import { parse as parseJsonc, type ParseError } from "jsonc-parser";
import { managerWords, type PackageManager } from "../../src/core/project/package-manager.js";
import { readPackageManagerFiles, readTemplateLayers } from "../../src/effects/templates.js";
import { CONFIG_FORMATS } from "../../src/core/config/types.js";

const templatesDir = new URL("../../templates/", import.meta.url).pathname;
// Every template in TEMPLATES, so a new one is checked by adding its folder and its entry.
const layers = new Map<TemplateName, ReadonlyMap<string, string>>(TEMPLATES.map(({ value }) => [value, readTemplateLayers(templatesDir, value)]));
const template = layers.get("default")!;
const broadcast = layers.get("broadcast")!;
const templateFor = (options: CreateOptions) => layers.get(options.template)!;
const everyTemplateFile = () => [...layers.values()].flatMap((files) => [...files]);

const base: CreateOptions = {
  directory: "my-app",
  name: "my-app",
  className: "Room",
  doBinding: "ROOM",
  kvBindings: ["CACHE"],
  format: "toml",
  template: "default",
  lifecycle: "migrations",
  environments: [],
};

const cases: CreateOptions[] = [
  base,
  { ...base, format: "jsonc" },
  { ...base, name: "x", className: "ChatRoom", doBinding: "ROOMS", kvBindings: ["CACHE", "SESSIONS"] },
  { ...base, format: "jsonc", className: "R2", doBinding: "$do", kvBindings: ["_a", "b$", "C_D_E"] },
  // A binding that looks like a placeholder must land as text, not be expanded again.
  { ...base, kvBindings: ["__WORKER_NAME__"], doBinding: "__CLASS_NAME__" },
  { ...base, format: "jsonc", name: "a".repeat(63), kvBindings: ["K1", "K2", "K3", "K4"] },
  { ...base, template: "broadcast", format: "jsonc", className: "Hub", doBinding: "HUBS", kvBindings: ["STATE", "X"] },
  ...TEMPLATES.flatMap(({ value }) => CONFIG_FORMATS.map((format) => ({ ...base, template: value, format }))),
  ...CONFIG_FORMATS.map((format) => ({ ...base, format, lifecycle: "exports" as const, className: "ChatRoom" })),
  ...CONFIG_FORMATS.map((format) => ({ ...base, format, environments: ["staging", "production"], kvBindings: ["CACHE", "LOG"] })),
  { ...base, template: "broadcast", environments: ["eu-1"] },
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
      observability: { enabled: true },
      upload_source_maps: true,
    });
    // The class is declared once, in the form asked for, never both (wrangler refuses both).
    if (options.lifecycle === "exports") {
      expect(config.exports).toEqual({ [options.className]: { type: "durable-object", storage: "sqlite" } });
      expect(config.migrations).toBeUndefined();
    } else {
      expect(config.migrations).toEqual([{ tag: "v1", new_sqlite_classes: [options.className] }]);
      expect(config.exports).toBeUndefined();
    }
    // Every environment repeats the DO binding and every KV binding, without ids.
    expect(Object.keys(config.env ?? {})).toEqual(options.environments);
    for (const env of options.environments) {
      expect(config.env![env]).toEqual({
        durable_objects: { bindings: [{ name: options.doBinding, class_name: options.className }] },
        kv_namespaces: options.kvBindings.map((binding) => ({ binding })),
      });
    }
    const manifest = JSON.parse(files.find((f) => f.path === "package.json")!.content) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    // Every deploy checks first, with the create-do-kv that made the project, pinned.
    expect(manifest.scripts.check).toBe("create-do-kv check");
    expect(manifest.devDependencies["create-do-kv"]).toBe(VERSION);
    expect(manifest.scripts.deploy).toBe("npm run check && wrangler deploy");
    for (const env of options.environments) expect(manifest.scripts[`deploy:${env}`]).toBe(`npm run check && wrangler deploy --env ${env}`);
    const readme = files.find((f) => f.path === "README.md")!.content;
    if (options.environments.length > 0) {
      expect(readme).toContain("## Environments");
      for (const env of options.environments) expect(readme).toContain(`| \`${env}\` | \`${options.name}-${env}\` | \`npm run deploy:${env}\` |`);
    } else {
      expect(readme).not.toContain("## Environments");
      expect(Object.keys(manifest.scripts).some((name) => name.startsWith("deploy:"))).toBe(false);
    }
    const agents = files.find((f) => f.path === "AGENTS.md")!.content;
    expect(agents).toContain(
      options.lifecycle === "exports" ? "declares classes in the `exports` map" : "declares classes in the `migrations` array",
    );
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
    expect(() => checkRenderedConfig(source.replace('binding = "CACHE"', 'binding = "OTHER"'), base)).toThrow(/does not read back as asked/);
    expect(() => checkRenderedConfig(source.replace('name = "my-app"', 'name = "my-app'), base)).toThrow(/not valid TOML/);
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

describe("the package manager in the generated files", () => {
  const managers: [PackageManager, string][] = [
    [{ name: "npm" }, "npm ci && npm run test && npm run deploy"],
    [{ name: "pnpm", version: "12.21.0" }, "pnpm i --frozen-lockfile && pnpm run test && pnpm run deploy"],
    [{ name: "yarn", version: "1.22.22" }, "yarn install --frozen-lockfile && yarn run test && yarn run deploy"],
    [{ name: "yarn", version: "4.18.1" }, "yarn install --immutable && yarn run test && yarn run deploy"],
    [{ name: "bun", version: "1.4.5" }, "bun install --frozen-lockfile && bun run test && bun run deploy"],
  ];
  it.each(managers)("%j: the README's CI recipe, AGENTS.md and .gitignore speak it", (pm, recipe) => {
    for (const { value } of TEMPLATES) {
      const options = { ...base, template: value };
      const withManager = new Map([...layers.get(value)!, ...readPackageManagerFiles(templatesDir, pm.name)]);
      const files = new Map(planProject(withManager, options, pm).map((f) => [f.path, f.content]));
      expect(files.get("README.md")).toContain(`\`${recipe}\``);
      // The create-do-kv the project pinned, run the way the manager runs an installed bin (never a download).
      expect(files.get("README.md")).toContain(`${managerWords(pm).exec} create-do-kv sync`);
      if (managerWords(pm).dlx !== managerWords(pm).exec) expect(files.get("README.md")).not.toContain(`${managerWords(pm).dlx} create-do-kv`);
      expect(files.get("AGENTS.md")).toContain(`\`${managerWords(pm).run} test\``);
      expect(files.get("AGENTS.md")).toContain(`\`${managerWords(pm).run} check\``);
      expect(JSON.parse(files.get("package.json")!).scripts.deploy).toBe(`${managerWords(pm).run} check && wrangler deploy`);
      expect(files.get(".gitignore")!.includes(".yarn/*")).toBe(pm.name === "yarn");
      expect(files.has(".yarnrc.yml")).toBe(pm.name === "yarn");
      expect(files.has("pnpm-workspace.yaml")).toBe(pm.name === "pnpm");
      for (const [path, text] of files) expect(placeholdersIn(text), path).toEqual([]);
    }
  });
  it("npm is the default", () => {
    expect(planProject(template, base)).toEqual(planProject(template, base, { name: "npm" }));
  });
});

describe("the pinned toolchain (npm run update-template moves it)", () => {
  it("pins exact versions, and the wrangler the tests run is the template's", () => {
    const pins = JSON.parse(template.get("package.json")!).devDependencies as Record<string, string>;
    for (const [name, version] of Object.entries(pins)) expect(version, name).toMatch(/^\d+\.\d+\.\d+$/);
    const own = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(own.devDependencies.wrangler).toBe(pins.wrangler);
  });
});

describe("the README speaks the project's lifecycle", () => {
  it.each(TEMPLATES.map(({ value }) => value))("%s: a rename is recorded by a migration step, or by the exports entry", (value) => {
    const readme = (lifecycle: "migrations" | "exports") =>
      new Map(planProject(layers.get(value)!, { ...base, template: value, lifecycle }).map((f) => [f.path, f.content])).get("README.md")!;
    expect(readme("migrations")).toContain("`renamed_classes` migration");
    expect(readme("exports")).not.toContain("renamed_classes");
    expect(readme("exports")).toContain("`exports` entry");
  });
});

describe("the Node a generated project needs", () => {
  it.each(TEMPLATES.map(({ value }) => value))(
    "%s: engines names wrangler's floor, .node-version a line above it, and npm approves the two builds",
    (value) => {
      const files = new Map(planProject(layers.get(value)!, { ...base, template: value }).map((f) => [f.path, f.content]));
      const pkg = JSON.parse(files.get("package.json")!);
      // wrangler refuses Node older than 22.12 (it exits 1 even for --help).
      expect(pkg.engines).toEqual({ node: ">=22.12.0" });
      expect(Number(files.get(".node-version")!.trim())).toBeGreaterThanOrEqual(22);
      // npm 12 blocks install scripts not in allowScripts: esbuild and workerd fetch their binaries.
      expect(pkg.allowScripts).toEqual({ esbuild: true, workerd: true });
    },
  );
});

describe("editor files", () => {
  const jsonc = (text: string) => {
    const errors: ParseError[] = [];
    const value = parseJsonc(text, errors, { allowTrailingComma: false }) as Record<string, unknown>;
    expect(errors).toEqual([]);
    return value;
  };
  it.each(["toml", "jsonc"] as const)("%s: .vscode settings and extensions parse, and name the extensions the project uses", (format) => {
    const files = new Map(planProject(template, { ...base, format }).map((f) => [f.path, f.content]));
    const settings = jsonc(files.get(".vscode/settings.json")!);
    expect(settings["json.schemas"]).toEqual([
      { fileMatch: ["/wrangler.json", "/wrangler.jsonc"], url: "./node_modules/wrangler/config-schema.json" },
    ]);
    const { recommendations } = jsonc(files.get(".vscode/extensions.json")!) as { recommendations: string[] };
    expect(recommendations).toEqual(format === "toml" ? ["vitest.explorer", "tamasfe.even-better-toml"] : ["vitest.explorer"]);
  });
  it("the .editorconfig matches the indentation the generated files use", () => {
    const files = planProject(template, base);
    const editorconfig = files.find((f) => f.path === ".editorconfig")!.content;
    expect(editorconfig).toMatch(/^\[\*\]\n(?:.*\n)*?indent_style = tab$/m);
    for (const file of files.filter((f) => /\.(ts|json|jsonc)$/.test(f.path))) {
      const indented = file.content.split("\n").filter((line) => /^\s/.test(line) && !/^ \*/.test(line));
      expect(
        indented.filter((line) => !line.startsWith("\t")),
        file.path,
      ).toEqual([]);
    }
  });
  it("AGENTS.md names the project's parts and only scripts package.json has", () => {
    const options = { ...base, className: "ChatRoom", doBinding: "ROOMS", kvBindings: ["STORE"] };
    const files = new Map(planProject(template, options).map((f) => [f.path, f.content]));
    const agents = files.get("AGENTS.md")!;
    for (const name of ["ChatRoom", "env.ROOMS", "env.STORE", "wrangler.toml", "renamed_classes", "deleted_classes"]) expect(agents).toContain(name);
    const scripts = Object.keys((JSON.parse(files.get("package.json")!) as { scripts: object }).scripts);
    const named = [...agents.matchAll(/npm run ([\w-]+)/g)].map((m) => m[1]);
    expect(named.length).toBeGreaterThan(2);
    for (const script of named) expect(scripts).toContain(script);
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
    const used = everyTemplateFile().flatMap(([, text]) => placeholdersIn(text));
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) expect(values, name).toHaveProperty(name);
  });
});

describe("class names the templates already use", () => {
  const code = () => everyTemplateFile().filter(([path]) => path.endsWith(".ts"));

  it("every name a template imports or declares at its top level is refused as a class name (read with TypeScript)", () => {
    const names = new Set<string>();
    for (const [path, text] of code()) {
      const source = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
      for (const statement of source.statements) {
        if (ts.isImportDeclaration(statement) && statement.importClause) {
          const { name, namedBindings } = statement.importClause;
          if (name) names.add(name.text);
          if (namedBindings && ts.isNamedImports(namedBindings)) for (const element of namedBindings.elements) names.add(element.name.text);
          else if (namedBindings) names.add(namedBindings.name.text);
        } else if (ts.isVariableStatement(statement)) {
          for (const declaration of statement.declarationList.declarations) if (ts.isIdentifier(declaration.name)) names.add(declaration.name.text);
        } else if ("name" in statement && statement.name && ts.isIdentifier(statement.name as ts.Node)) {
          names.add((statement.name as ts.Identifier).text);
        }
      }
    }
    names.delete("__CLASS_NAME__");
    expect(names.size).toBeGreaterThan(10);
    expect([...names].filter((name) => validateClassName(name) === undefined)).toEqual([]);
  });

  it("every capitalized identifier the template code uses is refused as a class name", () => {
    const words = new Set<string>();
    for (const [path, text] of code()) {
      const visit = (node: ts.Node): void => {
        if (ts.isIdentifier(node) && /^[A-Z]/.test(node.text)) words.add(node.text);
        ts.forEachChild(node, visit);
      };
      visit(ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true));
    }
    expect(words.size).toBeGreaterThan(20);
    expect([...words].filter((word) => validateClassName(word) === undefined)).toEqual([]);
  });

  it("pins the same compatibility date the template documents", () => {
    expect(COMPATIBILITY_DATE).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(readFileSync(new URL("../../templates/default/wrangler.toml", import.meta.url), "utf8")).toContain(
      'compatibility_date = "__COMPATIBILITY_DATE__"',
    );
  });
});

describe("checkScript and the create-do-kv the project pins", () => {
  const manifest = (source: Parameters<typeof planProject>[3], options = base) =>
    JSON.parse(planProject(template, options, { name: "npm" }, source).find((f) => f.path === "package.json")!.content) as {
      scripts: Record<string, string>;
      devDependencies: Record<string, string>;
    };

  it("from the registry: a devDependency at this exact version, run from node_modules/.bin (offline once installed)", () => {
    expect(checkScript({ kind: "package", version: "1.2.3" })).toBe("create-do-kv check");
    const pkg = manifest({ kind: "package", version: "1.2.3" });
    expect(pkg.devDependencies["create-do-kv"]).toBe("1.2.3");
    expect(pkg.scripts.check).toBe("create-do-kv check");
    // Kept in order, as npm writes it, so the first `npm install` changes nothing there.
    expect(Object.keys(pkg.devDependencies)).toEqual(Object.keys(pkg.devDependencies).sort());
  });

  it("from a clone: the clone's own command, and no dependency on a package that may not be published", () => {
    const command = "/opt/node22/bin/node '/home/a b/create-do-kv/bin/create-do-kv.cjs'";
    expect(checkScript({ kind: "clone", command })).toBe(`${command} check`);
    const pkg = manifest({ kind: "clone", command }, { ...base, environments: ["staging"] });
    expect(pkg.devDependencies["create-do-kv"]).toBeUndefined();
    expect(pkg.scripts.check).toBe(`${command} check`);
    expect(pkg.scripts["deploy:staging"]).toBe("npm run check && wrangler deploy --env staging");
  });
});
