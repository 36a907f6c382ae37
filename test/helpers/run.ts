/** Runs the built CLI and other commands as a user would, with a clean, offline-safe environment. */
import { execa, type Options } from "execa";
import { mkdirSync } from "node:fs";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { selfCommand } from "../../src/core/project/shell.js";
import { tempDir } from "./tmp.js";

export const REPO = fileURLToPath(new URL("../../", import.meta.url));
export const BIN = join(REPO, "bin", "create-do-kv.cjs");
/** How the CLI's printed commands run it again when it runs from this clone (shell.ts selfCommand). */
export const SELF = selfCommand("npx", BIN, "posix", process.execPath);

const wranglerHome = tempDir("cdk-wrangler-home-");
mkdirSync(join(wranglerHome, "tmp"), { recursive: true });

/** Environment for child processes: no CI prompts, no telemetry, wrangler state kept apart. */
export function childEnv(extra: Record<string, string | undefined> = {}): Record<string, string | undefined> {
  return {
    ...process.env,
    // A shell whose `node` is the one running the tests (22.12 or newer), as the README asks of a
    // user; readme-path.test.ts tries a shell with an older one.
    PATH: `${dirname(process.execPath)}${delimiter}${process.env.PATH}`,
    CI: "true",
    NO_COLOR: "1",
    WRANGLER_SEND_METRICS: "false",
    WRANGLER_HIDE_BANNER: "true",
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    XDG_CONFIG_HOME: join(wranglerHome, "config"),
    // create-do-kv's runtime-types cache: per test file, never the developer's own.
    XDG_CACHE_HOME: join(wranglerHome, "cache"),
    GIT_AUTHOR_NAME: "Test",
    GIT_AUTHOR_EMAIL: "test@example.com",
    GIT_COMMITTER_NAME: "Test",
    GIT_COMMITTER_EMAIL: "test@example.com",
    ...extra,
  };
}

export interface CliRun {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** The built CLI, as its user runs it, with text output. */
export async function runCli(args: string[], options: Options & { cwd: string }): Promise<CliRun> {
  const result = await execa(process.execPath, [BIN, ...args], {
    reject: false,
    stdin: "ignore",
    env: childEnv(),
    timeout: 60_000,
    ...options,
  });
  return {
    exitCode: result.exitCode,
    stdout: String(result.stdout ?? ""),
    stderr: String(result.stderr ?? ""),
    timedOut: Boolean(result.timedOut),
  };
}
