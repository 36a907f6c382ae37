/**
 * The inputs of `create`, one record each: its flag, its prompt, its rule and its default. The
 * resolver walks them in order: flag, else default (with --yes or without a terminal), else
 * prompt. Flags and prompts share one validator, so both show the same message.
 */
import { basename, resolve } from "node:path";
import { UsageError } from "../../errors.js";
import {
  splitList,
  toUpperSnake,
  validateBindingName,
  validateClassName,
  validateEnvironments,
  validateKvBindings,
  validateWorkerName,
  workerNameFromDirectory,
} from "./names.js";
import { kvTitleClash, plannedKvEntries } from "../kv/plan.js";
import { CONFIG_FORMATS, type ConfigFormat } from "../config/types.js";

/**
 * How the config declares the Durable Object classes: the `migrations` array (what every peer
 * generates, and the default) or the declarative `exports` map Cloudflare recommends for new
 * Workers since June 2026. rename and sync work on both.
 */
export const LIFECYCLES = [
  { value: "migrations", label: "migrations", hint: "an append-only list of steps (v1, v2, ...)" },
  { value: "exports", label: "exports", hint: "one entry per class, its state changed in place" },
] as const;
export type Lifecycle = (typeof LIFECYCLES)[number]["value"];
/** Templates under templates/: `default` is complete; others hold only the files they change. */
export const TEMPLATES = [
  { value: "default", label: "default", hint: "serialized KV writes and shared reads over HTTP" },
  { value: "broadcast", label: "broadcast", hint: "one KV read broadcast to every WebSocket client of a room" },
] as const;
export type TemplateName = (typeof TEMPLATES)[number]["value"];

export interface CreateOptions {
  directory: string;
  name: string;
  className: string;
  doBinding: string;
  kvBindings: string[];
  /** `[env.<name>]` sections, each repeating the bindings with KV namespaces of its own. */
  environments: string[];
  format: ConfigFormat;
  template: TemplateName;
  lifecycle: Lifecycle;
}

/** What commander hands over: everything optional, lists already collected. */
export interface CreateFlags {
  directory?: string;
  name?: string;
  class?: string;
  doBinding?: string;
  kv?: string[];
  env?: string[];
  format?: string;
  template?: string;
  lifecycle?: string;
}

export const DEFAULT_DIRECTORY = "do-kv-app";
export const DEFAULT_CLASS = "Room";
export const DEFAULT_KV = ["CACHE"];

/** What an input's rules may look at besides the value: earlier answers and the filesystem. */
export interface ResolveContext {
  cwd: string;
  /** Says why a directory cannot be used (exists and is not empty, is a file, ...). */
  directoryProblem(path: string): string | undefined;
}

/** The options resolved so far, in CREATE_INPUTS order: what a later rule or default may depend on. */
type Chosen = Partial<CreateOptions>;

export interface Input {
  key: keyof CreateOptions;
  /** How the user names it on the command line (from option.spec). */
  flag: string;
  /** The flag as commander declares it (with its value's name), and its --help line: the only declaration. */
  option: { spec: string; help: string; repeatable?: boolean };
  message: string;
  choices?: readonly { value: string; label: string; hint?: string }[];
  /** false: a flag only, never asked (a choice most people should not have to make). */
  asked?: false;
  raw(flags: CreateFlags): string | undefined;
  /** A problem with the raw text, given the answers before it. */
  validate(raw: string, before: Chosen, ctx: ResolveContext): string | undefined;
  /** The default, shown as the prompt's initial value; undefined means the value is required. */
  fallback(before: Chosen, ctx: ResolveContext): string | undefined;
  parse(raw: string): CreateOptions[keyof CreateOptions];
}

const trimmed = (raw: string) => raw.trim();

/** KV titles must differ across the top level and every environment (`STAGING_CACHE` vs staging's `CACHE`). */
function envTitleClash(envs: readonly string[], before: Chosen): string | undefined {
  // The flags are checked on their own before the name is known: titles that clash clash under any name.
  return kvTitleClash(before.name ?? "<worker>", plannedKvEntries(before.kvBindings ?? [], envs));
}

const DEFINITIONS: readonly Omit<Input, "flag">[] = [
  {
    key: "directory",
    option: { spec: "[directory]", help: `where to create the project (with --yes: ${DEFAULT_DIRECTORY})` },
    message: "Where should the project go?",
    raw: (flags) => flags.directory,
    validate: (raw, _before, ctx) =>
      trimmed(raw) === "" ? "Name a directory for the project." : ctx.directoryProblem(resolve(ctx.cwd, trimmed(raw))),
    fallback: () => undefined,
    parse: trimmed,
  },
  {
    key: "name",
    option: { spec: "--name <name>", help: "Worker name (default: from the directory name)" },
    message: "Worker name",
    raw: (flags) => flags.name,
    validate: (raw) => validateWorkerName(trimmed(raw)),
    fallback: (before, ctx) => workerNameFromDirectory(basename(resolve(ctx.cwd, before.directory ?? DEFAULT_DIRECTORY))),
    parse: trimmed,
  },
  {
    key: "className",
    option: { spec: "--class <ClassName>", help: `Durable Object class name (default: ${DEFAULT_CLASS})` },
    message: "Durable Object class name",
    raw: (flags) => flags.class,
    validate: (raw) => validateClassName(trimmed(raw)),
    fallback: () => DEFAULT_CLASS,
    parse: trimmed,
  },
  {
    key: "doBinding",
    option: { spec: "--do-binding <NAME>", help: "Durable Object binding (default: the class name in UPPER_SNAKE)" },
    message: "Durable Object binding name",
    raw: (flags) => flags.doBinding,
    validate: (raw) => validateBindingName(trimmed(raw)),
    fallback: (before) => toUpperSnake(before.className ?? DEFAULT_CLASS),
    parse: trimmed,
  },
  {
    key: "kvBindings",
    option: { spec: "--kv <NAME>", help: `KV binding; repeat or comma-separate for several (default: ${DEFAULT_KV.join(",")})`, repeatable: true },
    message: "KV binding names (comma-separated)",
    raw: (flags) => (flags.kv && flags.kv.length > 0 ? flags.kv.join(",") : undefined),
    validate: (raw, before) =>
      validateKvBindings(splitList([raw]), before.doBinding) ?? envTitleClash([], { ...before, kvBindings: splitList([raw]) }),
    fallback: () => DEFAULT_KV.join(", "),
    parse: (raw) => splitList([raw]),
  },
  {
    key: "environments",
    option: {
      spec: "--env <name>",
      help: "an environment ([env.<name>]) with the same bindings and KV namespaces of its own; repeat or comma-separate (default: none)",
      repeatable: true,
    },
    message: "Environments, each with its own KV namespaces (comma-separated, e.g. staging,production; empty for none)",
    raw: (flags) => (flags.env && flags.env.length > 0 ? flags.env.join(",") : undefined),
    validate: (raw, before) =>
      validateEnvironments(splitList([raw]), before.name, before.kvBindings?.length ?? 1) ?? envTitleClash(splitList([raw]), before),
    fallback: () => "",
    parse: (raw) => splitList([raw]),
  },
  {
    key: "format",
    option: { spec: "--format <format>", help: "wrangler config format (default: toml)" },
    message: "Wrangler config format",
    choices: [
      { value: "toml", label: "wrangler.toml" },
      { value: "jsonc", label: "wrangler.jsonc", hint: "JSON with comments, checked by a schema" },
    ],
    raw: (flags) => flags.format,
    validate: (raw) =>
      (CONFIG_FORMATS as readonly string[]).includes(trimmed(raw))
        ? undefined
        : `"${raw}" is not a config format: use ${CONFIG_FORMATS.join(" or ")}.`,
    fallback: () => "toml",
    parse: trimmed,
  },
  {
    key: "template",
    option: {
      spec: "--template <name>",
      help: `what the Durable Object does: ${TEMPLATES.map((t) => `${t.value} (${t.hint})`).join(" or ")} (default: default)`,
    },
    message: "Template",
    choices: TEMPLATES,
    raw: (flags) => flags.template,
    validate: (raw) =>
      TEMPLATES.some((t) => t.value === trimmed(raw)) ? undefined : `"${raw}" is not a template: use ${TEMPLATES.map((t) => t.value).join(" or ")}.`,
    fallback: () => "default",
    parse: trimmed,
  },
  {
    key: "lifecycle",
    option: {
      spec: "--lifecycle <form>",
      help: `how the config declares Durable Object classes: ${LIFECYCLES.map((l) => `${l.value} (${l.hint})`).join(" or ")} (default: migrations)`,
    },
    message: "Durable Object classes declared with",
    choices: LIFECYCLES,
    // migrations is what every peer and most docs use; exports is for those who ask for it.
    asked: false,
    raw: (flags) => flags.lifecycle,
    validate: (raw) =>
      LIFECYCLES.some((l) => l.value === trimmed(raw))
        ? undefined
        : `"${raw}" is not a lifecycle form: use ${LIFECYCLES.map((l) => l.value).join(" or ")}.`,
    fallback: () => "migrations",
    parse: trimmed,
  },
];

export const CREATE_INPUTS: readonly Input[] = DEFINITIONS.map((definition) => ({ ...definition, flag: definition.option.spec.split(" ")[0]! }));

/** A question for the prompt layer; answers come back as raw text. */
export interface Question {
  input: Input;
  initial: string | undefined;
  validate(raw: string): string | undefined;
}
export type Ask = (question: Question) => Promise<string>;

export interface ResolveMode {
  /** Accept defaults for everything not given. */
  yes: boolean;
  /** Present only with a terminal; without it nothing is ever asked. */
  ask?: Ask;
  /** What was detected that rules out asking, for the message naming a missing value. */
  notInteractive?: string;
}

function flagError(input: Input, problem: string): UsageError {
  const name = input.key === "directory" ? "directory argument" : input.flag;
  return new UsageError(`${name}: ${problem}`);
}

/**
 * Resolves every input. Throws UsageError (exit 2) naming the flag for an invalid flag value, or
 * for a required value that is missing when nothing may be asked.
 */
export function resolveCreateOptions(flags: CreateFlags, mode: ResolveMode, ctx: ResolveContext): Promise<CreateOptions> {
  return resolveInputs(CREATE_INPUTS, flags, mode, ctx) as Promise<CreateOptions>;
}

/** The inputs `add` takes (the project exists: its name, format and lifecycle are the project's). */
export const ADD_INPUTS: readonly Input[] = CREATE_INPUTS.filter((input) => ["className", "doBinding", "kvBindings", "template"].includes(input.key));

/** Resolves `inputs`, in order, as resolveCreateOptions does for all of create's. */
export async function resolveInputs(
  inputs: readonly Input[],
  flags: CreateFlags,
  mode: ResolveMode,
  ctx: ResolveContext,
): Promise<Partial<CreateOptions>> {
  // Flags are checked on their own first, so a typo fails before any question is asked; with the
  // Worker's name where the flags already settle it, so a message can name what it derives.
  const creating = inputs.some((input) => input.key === "directory");
  const directory = creating ? (flags.directory ?? (mode.yes ? DEFAULT_DIRECTORY : undefined)) : undefined;
  const name =
    (creating ? flags.name?.trim() : undefined) ||
    (directory === undefined ? undefined : workerNameFromDirectory(basename(resolve(ctx.cwd, directory.trim()))));
  const known: Chosen = name !== undefined && validateWorkerName(name) === undefined ? { name } : {};
  for (const input of inputs) {
    const raw = input.raw(flags);
    const problem = raw === undefined ? undefined : input.validate(raw, input.key === "name" ? {} : known, ctx);
    if (problem) throw flagError(input, problem);
  }

  const before: Chosen = {};
  for (const input of inputs) {
    const given = input.raw(flags);
    const fallback = input.key === "directory" && mode.yes ? DEFAULT_DIRECTORY : input.fallback(before, ctx);
    let raw: string;
    if (given !== undefined) {
      raw = given;
    } else if (mode.ask && !mode.yes && input.asked !== false) {
      // The directory is offered with the name --yes would use; Enter takes it.
      const initial = input.key === "directory" ? DEFAULT_DIRECTORY : fallback;
      raw = await mode.ask({ input, initial, validate: (value) => input.validate(value, before, ctx) });
    } else if (fallback !== undefined) {
      raw = fallback;
    } else {
      throw new UsageError(
        `Missing ${input.key === "directory" ? "the project directory" : input.flag}: nothing can be asked: ${mode.notInteractive ?? "there is no terminal"}.`,
        "Pass it as `create-do-kv <directory>`, or add --yes to accept every default.",
      );
    }
    // Rules that depend on earlier answers (a KV binding equal to the DO binding, a default
    // directory that is taken) are checked here, with everything known.
    const problem = input.validate(raw, before, ctx);
    if (problem) throw flagError(input, problem);
    Object.assign(before, { [input.key]: input.parse(raw) });
  }
  return before;
}

/**
 * One line for each given value that had white space around it, which is removed: said, so a
 * pasted value with a stray space or newline is not changed without the user knowing.
 */
export function trimNotes(flags: CreateFlags): string[] {
  const notes: string[] = [];
  for (const input of CREATE_INPUTS) {
    const raw = input.raw(flags);
    if (raw === undefined || raw === raw.trim()) continue;
    const name = input.key === "directory" ? "The directory argument" : input.flag;
    notes.push(`${name} ${JSON.stringify(raw)} was taken as ${JSON.stringify(raw.trim())}: the white space around it was removed.`);
  }
  return notes;
}
