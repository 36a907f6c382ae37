/**
 * How a project makes its types, so create-do-kv makes them the same way: the file and the flags
 * of the package script that runs `wrangler types` (`cf-typegen` first), else the flags the
 * existing file's header says made it, else wrangler's defaults; `--include-runtime=false` for a
 * project on @cloudflare/workers-types whose types have no runtime. Pure.
 */

/** wrangler's own default output. */
export const DEFAULT_TYPES_FILE = "worker-configuration.d.ts";

export interface TypesSetup {
  /** Where the types go, relative to the project, with "/". */
  file: string;
  /** wrangler types' flags besides the file (e.g. `--include-runtime=false`). */
  flags: string[];
  /** Where that was read, for messages: "the cf-typegen script", "its header", "wrangler's default". */
  from: string;
}

/** Flags of `wrangler types` that take a value as the next word. */
const VALUE_FLAGS = new Set(["--env-interface", "--include-runtime", "--include-env", "--strict-vars", "--config", "-c", "--env", "-e", "--path"]);
/** Flags that change what the command does, not what it writes: never repeated. */
const DROPPED = new Set(["--check"]);

/** The words after `wrangler types` in a shell command, up to the end of that command. */
function wordsAfterTypes(command: string): string[] | undefined {
  for (const part of command.split(/&&|\|\||;|\|/)) {
    const words = part.trim().match(/"[^"]*"|'[^']*'|\S+/g) ?? [];
    const at = words.findIndex((word, i) => /(^|\/)wrangler$/.test(word) && words[i + 1] === "types");
    if (at >= 0) return words.slice(at + 2).map((word) => word.replace(/^(["'])(.*)\1$/, "$2"));
  }
  return undefined;
}

/** The file and flags of `wrangler types [file] [flags]` from its words. */
export function parseTypesArgs(words: readonly string[]): Pick<TypesSetup, "file" | "flags"> {
  let file = DEFAULT_TYPES_FILE;
  const flags: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (word.startsWith("-")) {
      const name = word.split("=")[0]!;
      const takesNext = !word.includes("=") && VALUE_FLAGS.has(name) && words[i + 1] !== undefined && !words[i + 1]!.startsWith("-");
      if (name === "--path" || DROPPED.has(name)) {
        if (name === "--path") file = takesNext ? words[i + 1]! : word.slice("--path=".length);
      } else flags.push(takesNext ? `${word}=${words[i + 1]}` : word);
      if (takesNext) i++;
    } else file = word;
  }
  return { file: file.replace(/\\/g, "/").replace(/^\.\//, ""), flags };
}

/** `--include-runtime=false` in any of its spellings. */
export const withoutRuntime = (flags: readonly string[]) => flags.some((flag) => /^--include-runtime=(false|0|no)$/.test(flag));

/**
 * The project's way. `scripts`: package.json's; `header`: the second line of the default types
 * file, if there is one; `workersTypes`: whether the project depends on @cloudflare/workers-types.
 */
export function typesSetupOf(input: { scripts?: Record<string, unknown>; header?: string; workersTypes?: boolean }): TypesSetup {
  const scripts = Object.entries(input.scripts ?? {}).filter((entry): entry is [string, string] => typeof entry[1] === "string");
  const ordered = [...scripts.filter(([name]) => name === "cf-typegen"), ...scripts.filter(([name]) => name !== "cf-typegen")];
  for (const [name, command] of ordered) {
    const words = wordsAfterTypes(command);
    if (words) return { ...parseTypesArgs(words), from: `the ${name} script` };
  }
  const ran = input.header?.match(/running `wrangler types([^`]*)`/)?.[1];
  if (ran !== undefined) {
    const parsed = parseTypesArgs(ran.trim().split(/\s+/).filter(Boolean));
    return { file: DEFAULT_TYPES_FILE, flags: parsed.flags, from: "its header" };
  }
  if (input.workersTypes) return { file: DEFAULT_TYPES_FILE, flags: ["--include-runtime=false"], from: "@cloudflare/workers-types" };
  return { file: DEFAULT_TYPES_FILE, flags: [], from: "wrangler's default" };
}
