/**
 * A file create-do-kv adds to a project it did not make is formatted the project's way: by the
 * formatter the project configures and installs (Prettier, then Biome, then dprint, in that order
 * of evidence), given the text on stdin so nothing is written before the transaction; without one,
 * with the indentation of its .editorconfig or of the module it is imported from. The user's own
 * files are never run through it.
 */
import { existsSync, realpathSync } from "node:fs";
import { join, relative } from "node:path";
import { editorConfigIndent, indentUnitOf, indentWith, reindent } from "../core/project/code-style.js";
import { openToOthers, openToOthersWithin, packageRoot, readRegularFileIfAny } from "./project-files.js";
import { run } from "./process.js";

interface Formatter {
  name: string;
  /** Config files that say the project uses it. */
  configs: string[];
  /** Its package's JavaScript entry, run on our Node. */
  bin: string;
  args: (file: string) => string[];
}

const FORMATTERS: Formatter[] = [
  {
    name: "Prettier",
    configs: [
      ".prettierrc",
      ".prettierrc.json",
      ".prettierrc.yaml",
      ".prettierrc.yml",
      ".prettierrc.json5",
      ".prettierrc.toml",
      ".prettierrc.js",
      ".prettierrc.cjs",
      ".prettierrc.mjs",
      "prettier.config.js",
      "prettier.config.cjs",
      "prettier.config.mjs",
    ],
    bin: "prettier",
    args: (file) => ["--stdin-filepath", file],
  },
  { name: "Biome", configs: ["biome.json", "biome.jsonc"], bin: "biome", args: (file) => ["format", `--stdin-file-path=${file}`] },
  {
    name: "dprint",
    configs: ["dprint.json", ".dprint.json", "dprint.jsonc", ".dprint.jsonc"],
    bin: "dprint",
    args: (file) => ["fmt", "--stdin", file],
  },
];

function manifestNames(projectDir: string): { prettierKey: boolean } {
  try {
    const manifest = JSON.parse(readRegularFileIfAny(join(projectDir, "package.json")) ?? "{}") as Record<string, unknown>;
    return { prettierKey: manifest.prettier !== undefined };
  } catch {
    return { prettierKey: false };
  }
}

/** The formatter's program in the project's node_modules, when it is there and no one else can change it. */
function installed(projectDir: string, bin: string): string | undefined {
  const link = join(projectDir, "node_modules", ".bin", bin);
  if (!existsSync(link)) return undefined;
  const real = realpathSync(link);
  return (openToOthers(real, realpathSync(projectDir)) ?? openToOthersWithin(packageRoot(real))) ? undefined : real;
}

export interface Formatted {
  text: string;
  /** Which formatter made it, or why none did; for the progress line. */
  by: string;
}

/**
 * `text`, to be written at `path`, formatted the project's way. A formatter that fails leaves the
 * text as it was (said in `by`): formatting is never a reason to refuse an add.
 */
export async function formatNewFile(projectDir: string, path: string, text: string, env: NodeJS.ProcessEnv, beside: string): Promise<Formatted> {
  const file = relative(projectDir, path);
  const { prettierKey } = manifestNames(projectDir);
  for (const formatter of FORMATTERS) {
    const configured = formatter.configs.some((name) => existsSync(join(projectDir, name))) || (formatter.name === "Prettier" && prettierKey);
    if (!configured) continue;
    const program = installed(projectDir, formatter.bin);
    if (!program) return { text: plainStyle(projectDir, text, beside), by: `${formatter.name} is configured but not installed` };
    const result = await run(process.execPath, [program, ...formatter.args(file)], { cwd: projectDir, env, timeoutMs: 60_000, input: text });
    if (result.exitCode === 0 && result.stdout.trim() !== "") return { text: result.stdout, by: formatter.name };
    return { text: plainStyle(projectDir, text, beside), by: `${formatter.name} failed (exit ${result.exitCode ?? "none"})` };
  }
  return { text: plainStyle(projectDir, text, beside), by: ".editorconfig or the indentation of main" };
}

/**
 * Without a formatter: the indentation .editorconfig asks of TypeScript files, else that of
 * `beside` (the module the new file is imported from), applied to our tab-indented text.
 */
function plainStyle(projectDir: string, text: string, beside: string): string {
  const config = readRegularFileIfAny(join(projectDir, ".editorconfig"));
  if (config !== undefined && editorConfigIndent(config).style) return reindent(text, config);
  return indentWith(text, indentUnitOf(beside) ?? "\t");
}
