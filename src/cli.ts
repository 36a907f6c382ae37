/**
 * The command line: flags to commands, and the one place that turns errors into exit codes.
 * Prompts are loaded only when there is a terminal to prompt on.
 */
import { Command, CommanderError, Option } from "commander";
import { join } from "node:path";
import type { Readable } from "node:stream";
import type { CreateFlagsAll } from "./commands/create.js";
import type { SyncFlags } from "./commands/sync.js";
import type { RenameFlags } from "./commands/rename.js";
import type { CheckFlags } from "./commands/check.js";
import type { AddFlags } from "./commands/add.js";
import { DEFAULT_TIMEOUT_SECONDS } from "./core/kv/flags.js";
import { PACKAGE_MANAGERS } from "./core/project/package-manager-names.js";
import { emptyReport, type Report } from "./core/project/report.js";
import { selfCommand, shellFor, speakAs } from "./core/project/shell.js";
import { ADD_INPUTS, CREATE_INPUTS, type Input } from "./core/project/options.js";
import { CliError, EXIT, type ExitCode, fromSystemError, UsageError } from "./errors.js";
import { createUi, wantsColor, type Ui } from "./effects/ui.js";
import type { Output } from "./effects/stdio.js";
import { guardTerminal, stopSignal, watchSignals } from "./effects/interrupt.js";
import { showFullOutput } from "./effects/process.js";
import { VERSION } from "./version.js";

// For the bin, which builds the io of a real run.
export { outputFailure, standardOutput } from "./effects/stdio.js";

export { VERSION };

export interface MainIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: Readable & { isTTY?: boolean };
  stdout: Output;
  stderr: Output;
  templatesDir?: string;
  /** The file the run was started from (the bin): printed commands run it again the same way. */
  bin?: string;
  /** The Node running it (process.execPath): from a clone, printed commands name it. */
  node?: string;
}

/**
 * templates/ sits beside this file's folder both in the source tree (src/cli.ts) and in the
 * package (dist/cli.cjs, where the build turns import.meta.dirname into __dirname).
 */
function defaultTemplatesDir(): string {
  return join(import.meta.dirname, "..", "templates");
}

/** Each command's page in docs/, which the package carries beside templates/. */
const DOCS: Record<Report["command"], string> = {
  create: "flags-and-prompts.md",
  rename: "rename-and-sync.md",
  sync: "rename-and-sync.md",
  add: "add.md",
  check: "check.md",
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

/**
 * CI=true (or any value but "false"/"0") means never prompt, whatever the streams say. stdin is
 * looked at last: opening process.stdin has a cost (BENCHMARKS.md), so a run that cannot prompt never does.
 */
export function isInteractive(io: Pick<MainIo, "env" | "stdin" | "stdout">): boolean {
  return whyNotInteractive(io) === undefined;
}

/** What was detected that rules out prompting, in words for messages; undefined when nothing does. */
export function whyNotInteractive(io: Pick<MainIo, "env" | "stdin" | "stdout">): string | undefined {
  const ci = io.env.CI;
  if (ci !== undefined && ci !== "" && ci !== "false" && ci !== "0") return `CI is set to "${ci}"`;
  if (!io.stdout.isTTY) return "stdout is not a terminal";
  if (!io.stdin.isTTY) return "stdin is not a terminal";
  return undefined;
}

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

function addCommonOptions(command: Command, io: MainIo): Command {
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

export function buildProgram(io: MainIo, handlers: Handlers): Command {
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
function commandOf(argv: readonly string[]): string {
  const first = argv.find((arg) => !arg.startsWith("-"));
  return first && ["rename", "sync", "add", "check"].includes(first) ? `${first} ` : "";
}

function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof CliError) return error.exitCode;
  return EXIT.failed;
}

// A signal that ended the run is a cancellation too; exitCode says which (130, 143, 129).
const STATUS: Record<ExitCode, Report["status"]> = { 0: "ok", 1: "failed", 2: "invalid", 129: "cancelled", 130: "cancelled", 143: "cancelled" };

/** From a clone, `npx create-do-kv` in any message is spoken as the command that runs this clone. */
function speakerFor(io: MainIo): (text: string) => string {
  const self = selfCommand("npx", io.bin, shellFor(process.platform), io.node ?? process.execPath);
  return (text) => speakAs(text, self);
}

/** Every string in a report as `speak` says it (arrays and objects walked; other values kept). */
function spokenStrings<T>(value: T, speak: (text: string) => string): T {
  if (typeof value === "string") return speak(value) as T;
  if (Array.isArray(value)) return value.map((item) => spokenStrings(item, speak)) as T;
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, spokenStrings(item, speak)])) as T;
  return value;
}

export async function main(io: MainIo): Promise<ExitCode> {
  const { json, color, verbose } = earlyFlags(io.argv);
  showFullOutput(verbose);
  // With --json, stdout carries only the JSON; everything for people goes to stderr.
  const human = json ? io.stderr : io.stdout;
  const notInteractive = whyNotInteractive(io);
  const interactive = notInteractive === undefined;
  const speak = speakerFor(io);
  const plainUi = createUi(human, io.stderr, { env: io.env, color, spinner: interactive });
  const baseUi: Ui = {
    ...plainUi,
    info: (message) => plainUi.info(speak(message)),
    success: (message) => plainUi.success(speak(message)),
    warn: (message) => plainUi.warn(speak(message)),
    error: (message) => plainUi.error(speak(message)),
  };
  let report: Report | undefined;
  const prompts = async () => {
    if (!interactive) return undefined;
    guardTerminal(io.stdin);
    // A terminal that reports no size (some containers and CI runners) would get prompts one
    // character wide; 80 is what a terminal of unknown width is taken to be.
    if (!human.columns) Object.assign(human, { columns: 80 });
    return await import("./effects/prompts.js");
  };
  const ui: Ui = {
    ...baseUi,
    warn: (message: string) => {
      report?.warnings.push(speak(message));
      baseUi.warn(message);
    },
  };
  const streams = {
    get input() {
      return io.stdin;
    },
    output: human,
    get signal() {
      return stopSignal();
    },
  };

  // Name and version first, for whoever reads a terminal (a bug report then says which version);
  // never in --json or piped output, where it would be noise in what a program reads.
  const announce = () => {
    if (!json && io.stdout.isTTY) ui.info(`create-do-kv ${VERSION}`);
  };

  // The bin reads the folder when a command asks: one removed under the shell fails as itself.
  const cwd = () => {
    try {
      return io.cwd;
    } catch {
      throw new UsageError(
        "The current folder no longer exists (removed or moved while the shell was in it), so nothing was done.",
        "cd into a folder that exists, then run the command again.",
      );
    }
  };
  let code: ExitCode = EXIT.ok;
  let error: unknown;
  // Set by the commands that do work (not --help): from then on a signal ends the run through
  // the error path below, with its message and --json object.
  let unwatch: (() => void) | undefined;
  const working = () => {
    unwatch ??= watchSignals();
    announce();
  };
  try {
    const program = buildProgram(io, {
      async create(flags) {
        working();
        report = emptyReport("create", flags.dryRun ?? false);
        const { runCreate } = await import("./commands/create.js");
        const p = await prompts();
        await runCreate(flags, {
          cwd: cwd(),
          env: io.env,
          templatesDir: io.templatesDir ?? defaultTemplatesDir(),
          ui,
          report,
          notInteractive,
          ask: p?.createAsk(streams),
          confirm: p?.createConfirm(streams),
          bin: io.bin,
        });
      },
      async rename(flags) {
        working();
        report = emptyReport("rename", flags.dryRun ?? false);
        const { runRename } = await import("./commands/rename.js");
        const p = await prompts();
        await runRename(flags, { cwd: cwd(), env: io.env, ui, report, ask: p?.createTextAsk(streams) });
      },
      async check(flags) {
        working();
        report = emptyReport("check", false);
        const { runCheck } = await import("./commands/check.js");
        await runCheck(flags, { cwd: cwd(), env: io.env, ui, report });
      },
      async add(flags) {
        working();
        report = emptyReport("add", flags.dryRun ?? false);
        const { runAdd } = await import("./commands/add.js");
        const p = await prompts();
        await runAdd(flags, {
          cwd: cwd(),
          env: io.env,
          templatesDir: io.templatesDir ?? defaultTemplatesDir(),
          ui,
          report,
          notInteractive,
          ask: p?.createAsk(streams),
          confirm: p?.createConfirm(streams),
          bin: io.bin,
        });
      },
      async sync(flags) {
        working();
        report = emptyReport("sync", false);
        const { runSync } = await import("./commands/sync.js");
        const p = await prompts();
        await runSync(flags, { cwd: cwd(), env: io.env, ui, report, interactive, confirm: p?.createConfirm(streams), bin: io.bin });
      },
    });
    await program.parseAsync(io.argv, { from: "user" });
  } catch (caught) {
    error = fromSystemError(caught) ?? caught;
    code = exitCodeOf(error);
    if (error instanceof CliError) {
      ui.error(error.message);
      if (error.hint) io.stderr.write(`  ${speak(error.hint)}\n`);
    } else if (error instanceof CommanderError) {
      // A bad command line; help and --version end here too, with nothing to say.
      if (code !== EXIT.ok) {
        ui.error(error.message.replace(/^error: /, "").replace(/\n\(Did you mean (.+)\?\)$/, " (did you mean $1?)"));
        io.stderr.write(`  Run \`create-do-kv ${commandOf(io.argv)}--help\` for usage.\n`);
      }
    } else {
      // Commander prints its own messages; anything else is unexpected.
      const err = error as Error;
      ui.error(`Unexpected error: ${err?.message ?? String(error)}`);
      if (verbose && err?.stack) io.stderr.write(`${err.stack}\n`);
      else io.stderr.write("  Run again with --verbose for details.\n");
    }
    if (report) report.error = error instanceof Error ? error.message : String(error);
  }
  // After a command that did its work: one line saying where to read more, as create-cloudflare does.
  // Not after a dry run, whose output is a plan or a patch that may be piped on.
  if (!json && code === EXIT.ok && report && !report.dryRun)
    ui.info(`Docs: ${join(io.templatesDir ?? defaultTemplatesDir(), "..", "docs", DOCS[report.command])}`);
  if (json) {
    const out = report ?? emptyReport((commandOf(io.argv).trim() || "create") as Report["command"], false);
    if (!report && code !== EXIT.ok) out.error = error instanceof Error ? error.message.replace(/^error: /, "") : "invalid command line";
    out.exitCode = code;
    out.status = STATUS[code];
    if (code !== EXIT.ok || report) io.stdout.write(`${JSON.stringify(spokenStrings(out, speak), null, 2)}\n`);
  }
  unwatch?.();
  return code;
}
