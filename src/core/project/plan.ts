/**
 * From the template's files and the resolved options to the exact files to write. Pure: the
 * same input always gives the same plan, which drives the real run and --dry-run alike.
 */
import { compareText } from "../compare.js";
import type { CreateOptions } from "./options.js";
import { readConfig } from "../config/read.js";
import { lifecycleProblems } from "../migrations/lifecycle.js";
import { managerWords, type PackageManager } from "./package-manager.js";
import { fill, type Values } from "./render.js";
import { COMPATIBILITY_DATE } from "./versions.js";
import { VERSION } from "../../version.js";
import { namespaceTitle } from "../kv/plan.js";

export interface PlannedFile {
  path: string;
  content: string;
}

/** Template file name -> project file name; npm would drop a real .gitignore from the package. */
const RENAMES: Record<string, string> = { _gitignore: ".gitignore" };

export function configFileName(options: Pick<CreateOptions, "format">): string {
  return `wrangler.${options.format}`;
}

function kvNamespacesToml(bindings: readonly string[], prefix = ""): string {
  return bindings.map((binding) => `[[${prefix}kv_namespaces]]\nbinding = ${JSON.stringify(binding)}`).join("\n\n");
}

function kvNamespacesJsonc(bindings: readonly string[], indent = "\t"): string {
  const entries = bindings.map((binding) => `${indent}\t{ "binding": ${JSON.stringify(binding)} }`);
  return `[\n${entries.join(",\n")}\n${indent}]`;
}

/**
 * The KV bindings, then one section per environment repeating the Durable Object binding and
 * every KV binding (wrangler inherits neither into `[env.<name>]`); each environment's KV
 * bindings get namespaces of their own. Migrations and exports stay top level, where wrangler
 * reads them.
 */
function kvAndEnvironments(options: CreateOptions): string {
  const { environments: envs, kvBindings, doBinding, className } = options;
  if (options.format === "toml") {
    const sections = envs.map((env) => {
      const prefix = `env.${env}.`;
      return [
        `# The "${env}" environment, deployed as the Worker "${options.name}-${env}" (\`wrangler deploy --env ${env}\`):`,
        "# wrangler does not inherit bindings, so each is repeated, with KV namespaces of its own.",
        `[env.${env}]`,
        "",
        `[[${prefix}durable_objects.bindings]]`,
        `name = ${JSON.stringify(doBinding)}`,
        `class_name = ${JSON.stringify(className)}`,
        "",
        kvNamespacesToml(kvBindings, prefix),
      ].join("\n");
    });
    return [kvNamespacesToml(kvBindings), ...sections].join("\n\n");
  }
  if (envs.length === 0) return kvNamespacesJsonc(kvBindings);
  const sections = envs.map((env) =>
    [
      `\t\t// Deployed as the Worker "${options.name}-${env}" (\`wrangler deploy --env ${env}\`).`,
      `\t\t${JSON.stringify(env)}: {`,
      `\t\t\t"durable_objects": {`,
      `\t\t\t\t"bindings": [{ "name": ${JSON.stringify(doBinding)}, "class_name": ${JSON.stringify(className)} }]`,
      "\t\t\t},",
      `\t\t\t"kv_namespaces": ${kvNamespacesJsonc(kvBindings, "\t\t\t")}`,
      "\t\t}",
    ].join("\n"),
  );
  return [
    `${kvNamespacesJsonc(kvBindings)},`,
    "\t// One section per environment: wrangler does not inherit bindings, so each is repeated, with",
    "\t// KV namespaces of its own.",
    `\t"env": {\n${sections.join(",\n")}\n\t}`,
  ].join("\n");
}

/** The generated README's section on the environments, or nothing without any. */
function environmentsDoc(options: CreateOptions, pm: PackageManager, self: string): string {
  if (options.environments.length === 0) return "";
  const words = managerWords(pm);
  const rows = options.environments.map(
    (env) =>
      `| \`${env}\` | \`${options.name}-${env}\` | \`${words.run} deploy:${env}\` | ${options.kvBindings.map((b) => `\`${namespaceTitle(options.name, b, env)}\``).join(", ")} |`,
  );
  return [
    "## Environments",
    "",
    `Each environment is a section of \`${configFileName(options)}\` that repeats the Durable Object binding and`,
    "every KV binding (wrangler does not inherit them), with KV namespaces of its own, so staging never",
    "writes production's data. The top level is deployed with `deploy`, each environment with its own script",
    `(or \`${words.run} deploy -- --env <name>\`); \`${words.run} dev -- --env <name>\` runs one locally.`,
    "",
    "| environment | Worker | deploy | KV namespace titles |",
    "|---|---|---|---|",
    ...rows,
    "",
    `\`${self} sync\` creates the namespaces an environment lacks, under these titles, and reuses`,
    "one that exists; `--kv-id <env>.<BINDING>=<id>` uses a namespace you already have.",
    "",
    "",
  ].join("\n");
}

/** package.json with a `deploy:<env>` script per environment, in the template's own layout. */
const PUBLISHED: ToolSource = { kind: "package", version: VERSION };

/** package.json with a deploy script per environment, and create-do-kv pinned where it is a package. */
function withProjectScripts(content: string, options: CreateOptions, pm: PackageManager, source: ToolSource): string {
  if (options.environments.length === 0 && source.kind === "clone") return content;
  const manifest = JSON.parse(content) as { scripts: Record<string, string>; devDependencies: Record<string, string> };
  // Each deploy checks first, as the top level's does (with `run`: `yarn check` is yarn 1's own command).
  const run = managerWords(pm).run;
  for (const env of options.environments) manifest.scripts[`deploy:${env}`] = `${run} check && wrangler deploy --env ${env}`;
  if (source.kind === "package") {
    const pinned = { ...manifest.devDependencies, "create-do-kv": source.version };
    manifest.devDependencies = Object.fromEntries(Object.entries(pinned).sort(([a], [b]) => compareText(a, b)));
  }
  return `${JSON.stringify(manifest, null, "\t")}\n`;
}

/** yarn berry's files that are state, not source (the .yarnrc.yml keeps node_modules, so no PnP files are made). */
const YARN_IGNORES = ["", "# yarn", ".yarn/*", "!.yarn/patches", "!.yarn/plugins", "!.yarn/releases", "!.yarn/versions", ".pnp.*"];

/** The editor extensions the project's files use: Vitest always, a TOML one for wrangler.toml. */
function editorExtensions(options: CreateOptions): string {
  const ids = ["vitest.explorer", ...(options.format === "toml" ? ["tamasfe.even-better-toml"] : [])];
  return ids.map((id) => JSON.stringify(id)).join(", ");
}

/** The config's declaration of the class, in the lifecycle form and format asked for. */
function lifecycleBlock(options: CreateOptions): string {
  const name = options.className;
  if (options.lifecycle === "exports") {
    return options.format === "toml"
      ? [
          "# Each Durable Object class this Worker exports, with its storage. Never remove an entry: a",
          '# rename or a deletion changes its state (`state = "renamed"`, `renamed_to`) and moves or',
          "# deletes its stored data.",
          `[exports.${name}]`,
          'type = "durable-object"',
          'storage = "sqlite"',
        ].join("\n")
      : [
          "// Each Durable Object class this Worker exports, with its storage. Never remove an entry: a",
          '\t// rename or a deletion changes its state ("state": "renamed", "renamed_to") and moves or',
          "\t// deletes its stored data.",
          `\t"exports": { ${JSON.stringify(name)}: { "type": "durable-object", "storage": "sqlite" } },`,
        ].join("\n");
  }
  return options.format === "toml"
    ? [
        "# Migrations are append-only: a deployed step must never be edited. Rename or delete a class",
        "# with a new step.",
        "[[migrations]]",
        'tag = "v1"',
        `new_sqlite_classes = [${JSON.stringify(name)}]`,
      ].join("\n")
    : [
        "// Migrations are append-only: a deployed step must never be edited. Rename or delete a class",
        "\t// with a new step.",
        `\t"migrations": [{ "tag": "v1", "new_sqlite_classes": [${JSON.stringify(name)}] }],`,
      ].join("\n");
}

/** The rules AGENTS.md gives for the lifecycle form the config uses. */
function lifecycleRules(options: CreateOptions): string {
  return options.lifecycle === "exports"
    ? [
        "The config declares classes in the `exports` map, one entry per class.",
        "",
        "- Never remove an entry that may have been deployed: its state is the history.",
        '- A new class needs an entry with `type = "durable-object"` and `storage = "sqlite"`.',
        '- Renaming a class sets the old entry to `state = "renamed"` with `renamed_to`, and adds the',
        "  new class's entry; without it the deploy fails.",
        '- `state = "deleted"` deletes every instance\'s data. Only set it when asked to, in so many words.',
      ].join("\n")
    : [
        "The config declares classes in the `migrations` array, one step per change.",
        "",
        "- Never edit or remove a migration step that may have been deployed; add a new step with a new tag.",
        "- A new class needs a step with `new_sqlite_classes`.",
        "- Renaming a class needs a `renamed_classes` step (`from`, `to`); without it the deploy fails.",
        "- `deleted_classes` deletes every instance's data. Only add it when asked to, in so many words.",
      ].join("\n");
}

/**
 * Where the generated project finds create-do-kv: the published package at this version, a
 * devDependency as wrangler is (installed with the rest, offline after that, the version the
 * project pinned), or, from a clone before publication, the command that runs that clone.
 */
export type ToolSource = { kind: "package"; version: string } | { kind: "clone"; command: string };

/** How the project's docs run create-do-kv: the pinned one, through the manager's runner of installed bins. */
export function selfIn(pm: PackageManager, source: ToolSource): string {
  return source.kind === "package" ? `${managerWords(pm).exec} create-do-kv` : source.command;
}

/** The generated `check` script (its `deploy` scripts run it first). */
export function checkScript(source: ToolSource): string {
  return source.kind === "package" ? "create-do-kv check" : `${source.command} check`;
}

export function templateValues(options: CreateOptions, pm: PackageManager = { name: "npm" }, source: ToolSource = PUBLISHED): Values {
  const words = managerWords(pm);
  return {
    CHECK_SCRIPT: checkScript(source),
    SELF: selfIn(pm, source),
    PM_INSTALL: words.install,
    PM_CI: words.ci,
    PM_RUN: words.run,
    PM_EXEC: words.exec,
    PM_IGNORES: pm.name === "yarn" ? YARN_IGNORES.join("\n") : "",
    EDITOR_EXTENSIONS: editorExtensions(options),
    WORKER_NAME: options.name,
    CLASS_NAME: options.className,
    DO_BINDING: options.doBinding,
    KV_BINDING: options.kvBindings[0]!,
    // Each class keeps its keys apart in a namespace it may share: `add` uses the class's name.
    KEY_PREFIX: "room",
    // The Worker routes each request to an object by a room's name: the class's comments say room.
    INSTANCE: "room",
    KV_AND_ENVIRONMENTS: kvAndEnvironments(options),
    ENVIRONMENTS_DOC: environmentsDoc(options, pm, selfIn(pm, source)),
    // How the config records a class rename: a migration step, or the exports map's own entry.
    RENAME_RECORD:
      options.lifecycle === "exports" ? 'its `exports` entry marked `state = "renamed"` with `renamed_to`' : "a `renamed_classes` migration step",
    RENAME_RECORD_SHORT: options.lifecycle === "exports" ? "the `exports` entry" : "the `renamed_classes` migration",
    COMPATIBILITY_DATE,
    CONFIG_FILE: configFileName(options),
    LIFECYCLE: lifecycleBlock(options),
    LIFECYCLE_RULES: lifecycleRules(options),
  };
}

export class PlanError extends Error {}

/**
 * Checks the rendered config with a real parser: it must parse and read back exactly the
 * names that were asked for, so no input can produce a config that means something else.
 */
export function checkRenderedConfig(source: string, options: CreateOptions): void {
  const config = readConfig(source, options.format);
  const doBindings = config.durable_objects?.bindings ?? [];
  const expected = {
    name: options.name,
    do: [{ name: options.doBinding, class_name: options.className }],
    kv: options.kvBindings,
    migrations: options.lifecycle === "exports" ? undefined : [{ tag: "v1", new_sqlite_classes: [options.className] }],
    exports: options.lifecycle === "exports" ? { [options.className]: { type: "durable-object", storage: "sqlite" } } : undefined,
    observability: { enabled: true },
    env:
      options.environments.length === 0
        ? undefined
        : Object.fromEntries(
            options.environments.map((env) => [
              env,
              {
                do: [{ name: options.doBinding, class_name: options.className }],
                kv: options.kvBindings,
              },
            ]),
          ),
  };
  const actual = {
    name: config.name,
    do: doBindings.map(({ name, class_name }) => ({ name, class_name })),
    kv: (config.kv_namespaces ?? []).map((entry) => entry.binding),
    migrations: config.migrations,
    exports: config.exports,
    observability: config.observability,
    env:
      config.env === undefined
        ? undefined
        : Object.fromEntries(
            Object.entries(config.env).map(([env, section]) => [
              env,
              {
                do: (section.durable_objects?.bindings ?? []).map(({ name, class_name }) => ({ name, class_name })),
                kv: (section.kv_namespaces ?? []).map((entry) => entry.binding),
              },
            ]),
          ),
  };
  if (JSON.stringify(actual) !== JSON.stringify(expected)) {
    throw new PlanError(`The rendered ${configFileName(options)} does not read back as asked: ${JSON.stringify(actual)}`);
  }
  // The same check every command that writes a config makes: safe to deploy as far as classes go.
  const problems = lifecycleProblems(config);
  if (problems.length > 0) throw new PlanError(`The rendered ${configFileName(options)} is not safe to deploy: ${problems.join(" ")}`);
}

/** `pm` spells the commands in the generated README and AGENTS.md; npm unless said. */
export function planProject(
  templateFiles: ReadonlyMap<string, string>,
  options: CreateOptions,
  pm: PackageManager = { name: "npm" },
  source: ToolSource = PUBLISHED,
): PlannedFile[] {
  const values = templateValues(options, pm, source);
  const otherConfig = options.format === "toml" ? "wrangler.jsonc" : "wrangler.toml";
  const files: PlannedFile[] = [];
  for (const [path, template] of [...templateFiles].sort(([a], [b]) => compareText(a, b))) {
    if (path === otherConfig) continue;
    const content = fill(template, values, path);
    files.push({ path: RENAMES[path] ?? path, content: path === "package.json" ? withProjectScripts(content, options, pm, source) : content });
  }
  const config = files.find((file) => file.path === configFileName(options));
  if (!config) throw new PlanError(`The template has no ${configFileName(options)}.`);
  checkRenderedConfig(config.content, options);
  return files;
}
