/**
 * The command line's shape: every command, its flags, help and examples, declared once for
 * commander. What each command does is in commands/; how a run ends is in cli.ts.
 */
import { Command, Option } from "commander";
import type { AddFlags } from "./commands/add.js";
import type { CheckFlags } from "./commands/check.js";
import type { CreateFlagsAll } from "./commands/create.js";
import type { RenameFlags } from "./commands/rename.js";
import type { SyncFlags } from "./commands/sync.js";
import { DEFAULT_TIMEOUT_SECONDS } from "./core/kv/flags.js";
import { ADD_INPUTS, CREATE_INPUTS, type Input } from "./core/project/options.js";
import { PACKAGE_MANAGERS } from "./core/project/package-manager-names.js";
import { selfCommand, shellFor, speakAs } from "./core/project/shell.js";
import type { Output } from "./effects/stdio.js";
import { wantsColor } from "./effects/ui.js";
import { VERSION } from "./version.js";

/** What the program reads of a run's io (cli.ts MainIo has it all). */
export interface ProgramIo {
  argv: readonly string[];
  env: NodeJS.ProcessEnv;
  stdout: Output;
  stderr: Output;
  bin?: string;
  node?: string;
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

function addKvOptions(command: Command): Command {
  return command
    .option("--create-kv", "create KV namespaces now; fail if that is not possible")
    .option("--no-create-kv", "do not create KV namespaces (default: create when credentials are available)")
    .option("--preview", "also create a preview namespace for each binding (preview_id)")
    .option("--kv-id <BINDING=ID>", "use an existing namespace for a binding; repeatable", collect)
    .option("--wrangler <path>", "the wrangler to run (default: the project's, then PATH; never a download of another version)")
    .option("--timeout <seconds>", `time limit for each wrangler call (default: ${DEFAULT_TIMEOUT_SECONDS})`);
}

/** Options every command takes, declared once: commander reads them, and so does earlyFlags. */
const COMMON_OPTIONS = {
  json: { flag: "--json", help: "print one JSON object describing the result on stdout, and nothing else there" },
  color: { flag: "--no-color", help: "no colours (also: NO_COLOR, or when output is not a terminal)" },
  verbose: { flag: "--verbose", help: "a failed program's whole output, and stack traces of unexpected errors" },
} as const;

/**
 * The common flags, read before commander parses: a command line commander refuses must still
 * get its error as JSON (--json) and without colour (--no-color). Nothing after `--` counts.
 */
export function earlyFlags(argv: readonly string[]): Required<CommonFlags> {
  const end = argv.indexOf("--");
  const given = new Set(end === -1 ? argv : argv.slice(0, end));
  return {
    json: given.has(COMMON_OPTIONS.json.flag),
    color: !given.has(COMMON_OPTIONS.color.flag),
    verbose: given.has(COMMON_OPTIONS.verbose.flag),
  };
}

function addCommonOptions(command: Command, io: ProgramIo): Command {
  for (const { flag, help } of Object.values(COMMON_OPTIONS)) command.option(flag, help);
  return command.exitOverride().configureOutput({
    writeOut: (text) => io.stdout.write(speakerFor(io)(text)),
    writeErr: (text) => io.stderr.write(text),
    // Its errors are printed by main, in the tool's one style (mark, hint, --json object).
    outputError: () => {},
    // From the io, which tests replace, not process.stdout.
    // 80 is commander's own width where it knows none.
    getOutHelpWidth: () => (io.stdout.isTTY && io.stdout.columns) || 80,
    getErrHelpWidth: () => (io.stderr.isTTY && io.stderr.columns) || 80,
    getOutHasColors: () => wantsColor(io.stdout, io.env, earlyFlags(io.argv).color),
    getErrHasColors: () => wantsColor(io.stderr, io.env, earlyFlags(io.argv).color),
  });
}

/** Each command's own examples; the top-level help shows them all. */
const EXAMPLES = {
  create: [
    ["Interactive, asks for everything not given:", "npx create-do-kv"],
    [
      "CI, no prompts; KV namespaces created when CLOUDFLARE_API_TOKEN is set:",
      "npx --yes create-do-kv my-app --yes --class ChatRoom --kv CACHE --kv SESSIONS --format jsonc --json",
    ],
  ],
  rename: [["Rename, in the project (code, config, types and the migration):", "npx create-do-kv rename --class Room=ChatRoom --kv CACHE=STORE"]],
  sync: [["After editing the config by hand, bring the rest into agreement and fill in KV ids:", "npx create-do-kv sync"]],
  add: [["Into a Worker that exists (create-cloudflare's, say), in its folder:", "npx create-do-kv add --class Room --kv CACHE"]],
  check: [["Before a deploy (exit 1 if a Durable Object's data is at risk):", "npx create-do-kv check"]],
} as const;

function examples(...commands: (keyof typeof EXAMPLES)[]): string {
  const lines = commands.flatMap((name) => EXAMPLES[name].flatMap(([what, line]) => [`  ${what}`, `    ${line}`]));
  return `\nExamples:\n${lines.join("\n")}`;
}

export interface Handlers {
  create(flags: CreateFlagsAll & CommonFlags): Promise<void>;
  sync(flags: SyncFlags & CommonFlags): Promise<void>;
  rename(flags: RenameFlags & CommonFlags): Promise<void>;
  check(flags: CheckFlags & CommonFlags): Promise<void>;
  add(flags: AddFlags & CommonFlags): Promise<void>;
}

export interface CommonFlags {
  json?: boolean;
  color?: boolean;
  verbose?: boolean;
}

/** The project's inputs are declared once, in CREATE_INPUTS (flag, help, choices, prompt). */
function addInputOptions(command: Command, inputs: readonly Input[]): void {
  for (const input of inputs) {
    const { spec, help, repeatable } = input.option;
    if (spec.startsWith("[")) {
      command.argument(spec, help);
      continue;
    }
    const option = new Option(spec, help);
    if (input.choices) option.choices(input.choices.map((choice) => choice.value));
    if (repeatable) option.argParser(collect);
    command.addOption(option);
  }
}

export function buildProgram(io: ProgramIo, handlers: Handlers): Command {
  const program = new Command("create-do-kv")
    .description(
      "Create a Cloudflare Worker whose Durable Object reads and writes Workers KV. Asks for anything not given as a flag when run in a terminal; never asks in CI.",
    )
    .version(VERSION, "-v, --version", "print the version")
    // `create-do-kv help [command]` is help, not a project named "help".
    .helpCommand("help [command]", "show help for a command")
    // Sub-commands have flags of the same names (--kv, --class) with other meanings.
    .enablePositionalOptions();
  addInputOptions(program, CREATE_INPUTS);
  program
    .option("-y, --yes", "accept the default for every value not given")
    .option("--force", "write into a non-empty directory (files with the same names are replaced, after a copy to <directory>.backup-<time>)")
    .option("--dry-run", "show what would be done; write nothing")
    .addOption(
      new Option("--pm <manager>", "package manager to install with (default: the one that ran create-do-kv, else npm)").choices(PACKAGE_MANAGERS),
    )
    .option("--no-install", "do not install dependencies")
    .option("--no-git", "do not create a git repository")
    .option("--deploy", "once created, run the checks of `check`, then `wrangler deploy` (asked in a terminal when logged in)")
    .option("--no-deploy", "do not deploy, and do not ask");
  addCommonOptions(addKvOptions(program), io)
    .addHelpText("after", examples("create", "rename", "sync", "add", "check"))
    .action(async (directory: string | undefined, options: CreateFlagsAll) => {
      await handlers.create({ ...options, directory });
    });

  const rename = program
    .command("rename")
    .description(
      "Rename a Durable Object class or binding, or a KV binding, everywhere: config, code (as TypeScript renames it), types, and a renamed_classes migration. KV ids are kept. In a terminal without flags, asks for each name.",
    )
    .option("--class <OLD=NEW>", "rename a Durable Object class", collect)
    .option("--do-binding <OLD=NEW>", "rename a Durable Object binding", collect)
    .option("--kv <OLD=NEW>", "rename a KV binding; repeatable", collect)
    .option("--cwd <dir>", "the project directory (default: the current directory)")
    .option("--dry-run", "print the changes as a unified diff; write nothing")
    .option("--wrangler <path>", "the wrangler to run for `wrangler types` (default: the project's)");
  addCommonOptions(rename, io)
    .addHelpText("after", examples("rename"))
    .action(async (options: RenameFlags) => {
      await handlers.rename(options);
    });

  const sync = program
    .command("sync")
    .description(
      "Bring the project into agreement with a config you edited by hand: renames found against create-do-kv.json carried into code, types and migrations; KV namespace ids filled in.",
    )
    .option("--cwd <dir>", "the project directory (default: the current directory)")
    .option("--dry-run", "print the rename changes as a unified diff; write nothing")
    .option("--no-renames", "infer no renames: take the config as it is (bindings sync would ask about count as removed and added)");
  addCommonOptions(addKvOptions(sync), io)
    .addHelpText("after", examples("sync"))
    .action(async (options: SyncFlags) => {
      await handlers.sync(options);
    });

  const add = program
    .command("add")
    .description(
      "Add a Durable Object that is the one reader and writer of its KV to a Worker that exists (made by create-cloudflare, by hand, or by create-do-kv): the class in its own file, exported from main, its binding and KV bindings in every environment, its migration, KV namespaces and types. Your fetch handler is not edited: the lines that call the class are printed.",
    );
  addInputOptions(add, ADD_INPUTS);
  add
    .option("-y, --yes", "accept the default for every value not given")
    .option("--cwd <dir>", "the Worker's directory (default: the current directory)")
    .option("--dry-run", "print the changes as a unified diff; write nothing");
  addCommonOptions(addKvOptions(add), io)
    .addHelpText("after", examples("add"))
    .action(async (options: AddFlags) => {
      await handlers.add(options);
    });

  const check = program
    .command("check")
    .description(
      "Check, offline and without writing anything, that the next deploy is safe for the Worker's data: every bound class live, every live class exported, no committed migration step edited, no rename without its step, no KV namespace or Worker name changed since the last commit, no binding the code reads removed. Exit 1 on data at risk; the record or types out of date are notices (exit 0, or 1 with --strict).",
    )
    .option("--cwd <dir>", "the project directory (default: the current directory)")
    .option("--strict", "fail on notices too (the record or the types out of date), not only on data at risk");
  addCommonOptions(check, io)
    .addHelpText("after", examples("check"))
    .action(async (options: CheckFlags) => {
      await handlers.check(options);
    });
  return program;
}

/** The sub-command a command line names ("rename "), or "" for create. */
export function commandOf(argv: readonly string[]): string {
  const first = argv.find((arg) => !arg.startsWith("-"));
  return first && ["rename", "sync", "add", "check"].includes(first) ? `${first} ` : "";
}

/** From a clone, `npx create-do-kv` in any message is spoken as the command that runs this clone. */
export function speakerFor(io: ProgramIo): (text: string) => string {
  const self = selfCommand("npx", io.bin, shellFor(process.platform), io.node ?? process.execPath);
  return (text) => speakAs(text, self);
}
