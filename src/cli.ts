/**
 * The command line: flags to commands, and the one place that turns errors into exit codes.
 * Prompts are loaded only when there is a terminal to prompt on.
 */
import { CommanderError } from "commander";
import { join } from "node:path";
import type { Readable } from "node:stream";
import { emptyReport, type Report } from "./core/project/report.js";
import { CliError, EXIT, type ExitCode, fromSystemError, UsageError } from "./errors.js";
import { createUi, type Ui } from "./effects/ui.js";
import { buildProgram, commandOf, earlyFlags, speakerFor } from "./program.js";
import type { TextAsk } from "./commands/rename.js";
import type { Ask } from "./core/project/options.js";
import type { Output } from "./effects/stdio.js";
import { guardTerminal, stopSignal, watchSignals } from "./effects/interrupt.js";
import { showFullOutput } from "./effects/process.js";
import { VERSION } from "./version.js";

// For the bin, which builds the io of a real run.
export { outputFailure, standardOutput } from "./effects/stdio.js";

export { VERSION };

/**
 * What a command gets from the run: where and with what it runs, how it speaks and asks, and
 * the report it fills. Each command's deps type is the part of this it uses.
 */
export interface CommandContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  templatesDir: string;
  ui: Ui;
  report: Report;
  interactive: boolean;
  /** Why there is no prompting, for messages; undefined in a terminal. */
  notInteractive?: string;
  ask?: Ask;
  askText?: TextAsk;
  confirm?: (message: string, initial?: boolean) => Promise<boolean>;
  bin?: string;
}

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

function exitCodeOf(error: unknown): ExitCode {
  if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  if (error instanceof CliError) return error.exitCode;
  return EXIT.failed;
}

// A signal that ended the run is a cancellation too; exitCode says which (130, 143, 129).
const STATUS: Record<ExitCode, Report["status"]> = { 0: "ok", 1: "failed", 2: "invalid", 129: "cancelled", 130: "cancelled", 143: "cancelled" };

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
    // Every command: a fresh report, its own code loaded, prompts where there is a terminal, then
    // the one context every command takes what it needs from.
    const run =
      <F extends object>(name: Report["command"], load: () => Promise<(flags: F, deps: CommandContext) => Promise<void>>) =>
      async (flags: F) => {
        working();
        report = emptyReport(name, "dryRun" in flags && flags.dryRun === true);
        const command = await load();
        const p = name === "check" ? undefined : await prompts();
        await command(flags, {
          cwd: cwd(),
          env: io.env,
          templatesDir: io.templatesDir ?? defaultTemplatesDir(),
          ui,
          report,
          interactive,
          notInteractive,
          ask: p?.createAsk(streams),
          askText: p?.createTextAsk(streams),
          confirm: p?.createConfirm(streams),
          bin: io.bin,
        });
      };
    const program = buildProgram(io, {
      create: run("create", async () => (await import("./commands/create.js")).runCreate),
      rename: run("rename", async () => (await import("./commands/rename.js")).runRename),
      sync: run("sync", async () => (await import("./commands/sync.js")).runSync),
      add: run("add", async () => (await import("./commands/add.js")).runAdd),
      check: run("check", async () => (await import("./commands/check.js")).runCheck),
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
