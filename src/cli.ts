/**
 * The command line: flags to commands, and the one place that turns errors into exit codes.
 * Prompts are loaded only when there is a terminal to prompt on.
 */
import { Command, CommanderError, Option } from "commander";
import type { Readable, Writable } from "node:stream";
import type { CreateFlagsAll } from "./commands/create.js";
import type { SyncFlags } from "./commands/sync.js";
import { DEFAULT_TIMEOUT_SECONDS } from "./core/kv-flags.js";
import { CONFIG_FORMATS, DEFAULT_CLASS, DEFAULT_DIRECTORY, DEFAULT_KV } from "./core/options.js";
import { CliError, EXIT, type ExitCode } from "./errors.js";
import { fileURLToPath } from "node:url";
import { createUi } from "./effects/ui.js";

declare const __VERSION__: string | undefined;
export const VERSION = typeof __VERSION__ === "string" ? __VERSION__ : "0.0.0-dev";

export interface MainIo {
  argv: string[];
  env: NodeJS.ProcessEnv;
  cwd: string;
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable;
  templatesDir?: string;
}

/**
 * templates/ sits beside this file's folder both in the source tree (src/cli.ts) and in the
 * package (dist/cli.js), so this must stay in the entry module, not in a chunk.
 */
function defaultTemplatesDir(): string {
  return fileURLToPath(new URL("../templates/", import.meta.url));
}

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** CI=true (or any value but "false"/"0") means never prompt, whatever the streams say. */
export function isInteractive(io: Pick<MainIo, "env" | "stdin" | "stdout">): boolean {
  const ci = io.env.CI;
  const inCi = ci !== undefined && ci !== "" && ci !== "false" && ci !== "0";
  return Boolean(io.stdin.isTTY && io.stdout.isTTY) && !inCi;
}

function addKvOptions(command: Command): Command {
  return command
    .option("--create-kv", "create KV namespaces now; fail if that is not possible")
    .option("--no-create-kv", "do not create KV namespaces (default: create when credentials are available)")
    .option("--preview", "also create a preview namespace for each binding (preview_id)")
    .option("--kv-id <BINDING=ID>", "use an existing namespace for a binding; repeatable", collect)
    .option("--wrangler <path>", "the wrangler to run (default: the project's, then PATH, then npx wrangler@4)")
    .option("--timeout <seconds>", `time limit for each wrangler call (default: ${DEFAULT_TIMEOUT_SECONDS})`);
}

export interface Handlers {
  create(flags: CreateFlagsAll): Promise<void>;
  sync(flags: SyncFlags): Promise<void>;
}

export function buildProgram(io: MainIo, handlers: Handlers): Command {
  const program = new Command("create-do-kv")
    .description(
      "Create a Cloudflare Worker whose Durable Object reads and writes Workers KV.\n" +
        "Asks for anything not given as a flag when run in a terminal; never asks in CI.",
    )
    .version(VERSION, "-v, --version", "print the version")
    .argument("[directory]", `where to create the project (with --yes: ${DEFAULT_DIRECTORY})`)
    .option("--name <name>", "Worker name (default: from the directory name)")
    .option("--class <ClassName>", `Durable Object class name (default: ${DEFAULT_CLASS})`)
    .option("--do-binding <NAME>", "Durable Object binding (default: the class name in UPPER_SNAKE)")
    .option("--kv <NAME>", `KV binding; repeat or comma-separate for several (default: ${DEFAULT_KV.join(",")})`, collect)
    .addOption(new Option("--format <format>", "wrangler config format (default: toml)").choices(CONFIG_FORMATS))
    .option("-y, --yes", "accept the default for every value not given")
    .option("--force", "write into a non-empty directory (files with the same names are replaced)")
    .option("--dry-run", "show the files that would be written; write nothing");
  addKvOptions(program)
    .option("--verbose", "show stack traces of unexpected errors")
    .showHelpAfterError("(add --help for usage)")
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    })
    .action(async (directory: string | undefined, options: CreateFlagsAll) => {
      await handlers.create({ ...options, directory });
    });

  const sync = program
    .command("sync")
    .description("Fill in what the project's config is missing: KV namespace ids (creating the namespaces).")
    .option("--cwd <dir>", "the project directory (default: the current directory)");
  addKvOptions(sync)
    .option("--verbose", "show stack traces of unexpected errors")
    .exitOverride()
    .action(async (options: SyncFlags) => {
      await handlers.sync(options);
    });
  return program;
}

export async function main(io: MainIo): Promise<ExitCode> {
  const ui = createUi(io.stdout, io.stderr);
  const verbose = io.argv.includes("--verbose");
  const interactive = isInteractive(io);
  const prompts = async () =>
    interactive ? await import("./effects/prompts.js") : undefined;
  const streams = { input: io.stdin, output: io.stdout };
  try {
    const program = buildProgram(io, {
      async create(flags) {
        const { runCreate } = await import("./commands/create.js");
        const p = await prompts();
        await runCreate(flags, {
          cwd: io.cwd,
          env: io.env,
          templatesDir: io.templatesDir ?? defaultTemplatesDir(),
          ui,
          ask: p?.createAsk(streams),
          confirm: p?.createConfirm(streams),
        });
      },
      async sync(flags) {
        const { runSync } = await import("./commands/sync.js");
        const p = await prompts();
        await runSync(flags, { cwd: io.cwd, env: io.env, ui, interactive, confirm: p?.createConfirm(streams) });
      },
    });
    await program.parseAsync(io.argv, { from: "user" });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander has printed its own message (or the help/version) already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof CliError) {
      ui.error(error.message);
      if (error.hint) io.stderr.write(`  ${error.hint}\n`);
      return error.exitCode;
    }
    const err = error as Error;
    ui.error(`Unexpected error: ${err?.message ?? String(error)}`);
    if (verbose && err?.stack) io.stderr.write(`${err.stack}\n`);
    else io.stderr.write("  Run again with --verbose for details.\n");
    return EXIT.failed;
  }
}
