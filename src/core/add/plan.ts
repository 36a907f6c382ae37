/**
 * `add`: the pattern (a Durable Object class that is the one reader and writer of its KV) put
 * into a Worker that exists, whoever made it. Planned here as data: the config edits (the DO
 * binding and the KV bindings in every section, the class's lifecycle entry in the form the
 * project uses), the class's own file, the line that exports it from main, and every refusal.
 * Pure.
 */
import { addExportsEntry, appendEntry, type EditTarget, setKvNamespaceField } from "../config/edit.js";
import { readConfig, type WranglerConfig } from "../config/read.js";
import { allBindings, kvBindings, ownDurableObjectBindings, sectionsOf } from "../config/sections.js";
import { checkGivenIds, IDLESS_KV_SINCE, kvEntries, kvTitleClash, takesIdlessKv } from "../kv/plan.js";
import { lifecycleOf, lifecycleProblems } from "../migrations/lifecycle.js";
import { nextMigrationTag } from "../rename/plan.js";
import { UsageError } from "../../errors.js";
import type { TemplateName } from "../project/options.js";

export interface AddRequest {
  className: string;
  doBinding: string;
  kvBindings: string[];
  /** --kv-id: written with the bindings, in the same write (`CACHE`, `staging.CACHE`). */
  kvIds?: ReadonlyMap<string, string>;
  /** The project's wrangler version, when known: before 4.45 a KV binding needs its id. */
  wranglerVersion?: string;
}

export interface AddPlan {
  configText: string;
  /** KV bindings that were there already (in some section) and are reused, not added again. */
  reused: string[];
  /** How the class's lifecycle was recorded, for the summary. */
  lifecycle: "migrations" | "exports";
  tag?: string;
}

/** What the code already has: names main exports, classes declared in any of its files. */
export interface CodeNames {
  exported: ReadonlySet<string>;
  declaredClasses: ReadonlySet<string>;
  /** Whether the class's own file would land on something there. */
  fileTaken(className: string): string | undefined;
}

/**
 * Why `value` cannot be the new class or binding in this project (undefined when it can): the
 * same rules for a flag, a prompt's answer and the plan. The flag is named by the caller.
 */
export function addNameProblem(
  config: WranglerConfig,
  code: CodeNames,
  key: "className" | "doBinding" | "kvBindings",
  value: string,
): string | undefined {
  const where = (env?: string) => (env ? ` (env.${env})` : "");
  if (key === "className") {
    const bound = ownDurableObjectBindings(config).find(({ binding }) => binding.class_name === value);
    if (bound)
      return `"${value}" is already a Durable Object class of this Worker (binding ${bound.binding.name}${where(bound.env)}); choose another name.`;
    if (lifecycleOf(config).live.has(value) || (config.exports && Object.hasOwn(config.exports, value)))
      return `"${value}" is already a class in this Worker's ${config.exports ? "exports" : "migrations"}; choose another name.`;
    if (code.exported.has(value)) return `the Worker's main module already exports "${value}"; choose another name.`;
    if (code.declaredClasses.has(value)) return `the code already declares a class "${value}"; choose another name.`;
    return code.fileTaken(value);
  }
  const taken = allBindings(config).find((b) => b.name === value);
  if (key === "doBinding")
    return taken ? `"${value}" is already the name of a ${taken.kind} binding${where(taken.env)}; choose another name.` : undefined;
  if (taken && taken.kind !== "KV namespace")
    return `"${value}" is already the name of a ${taken.kind} binding${where(taken.env)}; choose another name.`;
  return undefined;
}

const FLAGS = { className: "--class", doBinding: "--do-binding", kvBindings: "--kv" } as const;

/**
 * The config edits, each checked by parsing before and after. Refused (exit 2, nothing written):
 * a name addNameProblem refuses, KV titles that would clash, a result that would not be safe to
 * deploy where the config was.
 */
export function planAddToConfig(target: EditTarget, config: WranglerConfig, code: CodeNames, request: AddRequest): AddPlan {
  const { className, doBinding } = request;
  const checks: [keyof typeof FLAGS, string][] = [
    ["className", className],
    ["doBinding", doBinding],
    ...request.kvBindings.map((kv): [keyof typeof FLAGS, string] => ["kvBindings", kv]),
  ];
  for (const [key, value] of checks) {
    const problem = addNameProblem(config, code, key, value);
    if (problem) throw new UsageError(`${FLAGS[key]}: ${problem}`);
  }
  if (request.kvBindings.includes(doBinding))
    throw new UsageError(`--kv: "${doBinding}" is the Durable Object binding too; give each binding its own name.`);

  let text = target.source;
  const edit = (change: (t: EditTarget) => string) => {
    text = change({ ...target, source: text });
  };
  // wrangler inherits neither binding kind into an environment: each section gets its own.
  for (const section of sectionsOf(config)) {
    const prefix = section.path.map(String);
    edit((t) =>
      appendEntry(
        t,
        [...prefix, "durable_objects", "bindings"],
        { name: doBinding, class_name: className },
        `Adding the Durable Object binding ${doBinding}`,
      ),
    );
    for (const name of request.kvBindings) {
      const there = kvBindings(config).some((l) => l.env === section.env && l.binding.binding === name);
      if (!there) edit((t) => appendEntry(t, [...prefix, "kv_namespaces"], { binding: name }, `Adding the KV binding ${name}`));
    }
  }
  const model = lifecycleOf(config);
  let tag: string | undefined;
  if (model.form === "exports") {
    edit((t) => addExportsEntry(t, className, { type: "durable-object", storage: "sqlite" }));
  } else {
    tag = nextMigrationTag(config.migrations ?? []);
    edit((t) => appendEntry(t, ["migrations"], { tag, new_sqlite_classes: [className] }, `Adding migration ${tag}`));
  }
  let after = readConfig(text, target.format, target.file);
  if (request.kvIds && request.kvIds.size > 0) {
    const entries = kvEntries(after);
    checkGivenIds(
      request.kvIds,
      entries.map((e) => e.key),
      target.file ?? "the config",
    );
    for (const [key, id] of request.kvIds) {
      const entry = entries.find((e) => e.key === key)!;
      edit((t) => setKvNamespaceField(t, entry.binding, "id", id, entry.path));
    }
    after = readConfig(text, target.format, target.file);
  }
  const idless = kvEntries(after).filter((e) => e.entry.id === undefined && !kvEntries(config).some((old) => old.key === e.key));
  if (idless.length > 0 && !takesIdlessKv(request.wranglerVersion)) {
    throw new UsageError(
      `The project's wrangler ${request.wranglerVersion} cannot take a KV binding without an id (${IDLESS_KV_SINCE} added that): \`wrangler types\` and \`wrangler deploy\` would fail on ${idless.map((e) => e.key).join(", ")}, so add wrote nothing.`,
      `Create the namespace${idless.length === 1 ? "" : "s"} (\`npx wrangler kv namespace create <title>\`) and pass ${idless.map((e) => `--kv-id ${e.key}=<id>`).join(" ")}, or update wrangler to ${IDLESS_KV_SINCE} or newer.`,
    );
  }
  const worker = config.name ?? "<worker>";
  const clash = kvTitleClash(worker, kvEntries(after));
  if (clash && clash !== kvTitleClash(worker, kvEntries(config))) throw new UsageError(`--kv: ${clash}`);
  // Nothing this adds may make the config unsafe where it was safe.
  const before = new Set(lifecycleProblems(config));
  const added = lifecycleProblems(after).filter((p) => !before.has(p));
  if (added.length > 0)
    throw new UsageError(`The config would not be safe to deploy after adding ${className}, so nothing was written:\n  ${added.join("\n  ")}`);
  const reused = request.kvBindings.filter((name) => kvBindings(config).some((l) => l.binding.binding === name));
  return { configText: text, reused, lifecycle: model.form === "exports" ? "exports" : "migrations", ...(tag ? { tag } : {}) };
}

/** The class's file name: `ChatRoom` -> `chat-room.ts`. */
export function classFileName(className: string): string {
  return `${className
    .replace(/([a-z0-9])([A-Z])/g, "$1-$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1-$2")
    .toLowerCase()}.ts`;
}

/**
 * `main`'s text with `export { Class } from "./file";` inserted at `at` (the end of its last
 * import, as TypeScript's parser finds it) or, without that, at the end: a re-export is valid
 * anywhere at a module's top level. The rest of the text stays byte for byte.
 */
export function exportFromMain(main: string, className: string, specifier: string, at?: number): string {
  const eol = main.includes("\r\n") ? "\r\n" : "\n";
  const { quote, semicolon } = moduleLineStyle(main);
  const line = `export { ${className} } from ${quote}${specifier}${quote}${semicolon ? ";" : ""}`;
  if (at === undefined) {
    const separator = main === "" || main.endsWith("\n") ? "" : eol;
    return `${main}${separator}${line}${eol}`;
  }
  // After the import's own line: a `//` comment that ends the line stays with the import.
  const end = at + /^[^\S\r\n]*(?:\/\/[^\r\n]*)?/.exec(main.slice(at))![0].length;
  return `${main.slice(0, end)}${eol}${line}${main.slice(end)}`;
}

/**
 * How main writes its import and export lines: the quote most of its module specifiers use, and
 * whether those lines end with a semicolon (double quotes and semicolons when it has none).
 */
export function moduleLineStyle(main: string): { quote: '"' | "'"; semicolon: boolean } {
  const lines = [...main.matchAll(/^\s*(?:import|export)\b[^\n]*?\bfrom\s*(["'])[^"'\n]*\1(;?)/gm)];
  const single = lines.filter((m) => m[1] === "'").length;
  const bare = lines.filter((m) => m[2] === "").length;
  return { quote: single > lines.length - single ? "'" : '"', semicolon: !(lines.length > 0 && bare > lines.length - bare) };
}

/** How main names the class's file: with `.js` when main's own relative imports do (NodeNext resolution), else bare. */
export function moduleSpecifier(main: string, fileName: string): string {
  const base = `./${fileName.replace(/\.ts$/, "")}`;
  return /\bfrom\s*["']\.\.?\/[^"'\n]+\.js["']/.test(main) ? `${base}.js` : base;
}

/** The lines that call the class from the Worker's fetch handler, printed for the user (add does not edit the handler). */
export function usageLines(doBinding: string, template: TemplateName): string[] {
  const stub = `const stub = env.${doBinding}.getByName(name); // one object per name: a room, a user, a document`;
  if (template === "broadcast")
    return [
      stub,
      "return stub.fetch(request); // a WebSocket upgrade: the object keeps the room's clients",
      "const value = await stub.read(); // or: await stub.write(text), sent to every client",
    ];
  return [stub, "const value = await stub.read(); // or: await stub.write(text)"];
}
