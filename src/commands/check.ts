/**
 * `check`: whether the next deploy is safe, offline and read-only; exit 0 when it is, 1 with the
 * findings (each with file:line and what to do). The reading is here; the judging is
 * core/check/findings.ts.
 */
import { realpathSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { checkProject, type Finding } from "../core/check/findings.js";
import { readConfig, type WranglerConfig } from "../core/config/read.js";
import { describeConfig, type Report } from "../core/project/report.js";
import { parseRecord, RECORD_FILE } from "../core/rename/record.js";
import { envNames } from "../core/types-env.js";
import { CliError, UsageError } from "../errors.js";
import { findConfig } from "../effects/config-file.js";
import { run } from "../effects/process.js";
import { bindingsRead, exportedClasses } from "../effects/module-exports.js";
import { readRegularFile, readRegularFileIfAny } from "../effects/project-files.js";
import type { Ui } from "../effects/ui.js";
import { projectTypesSetup } from "../effects/wrangler.js";

export interface CheckFlags {
  cwd?: string;
  /** Fail on notices too (the record or the types out of date), not only on data at risk. */
  strict?: boolean;
}

export interface CheckDeps {
  cwd: string;
  env: NodeJS.ProcessEnv;
  ui: Ui;
  report: Report;
}

/** The config as the last commit has it, or undefined outside git (or before the first commit). */
async function committedConfig(
  projectDir: string,
  configPath: string,
  env: NodeJS.ProcessEnv,
  format: "toml" | "jsonc",
): Promise<WranglerConfig | undefined> {
  const top = await run("git", ["rev-parse", "--show-toplevel"], { cwd: projectDir, env, timeoutMs: 60_000 });
  if (top.exitCode !== 0) return undefined;
  const path = relative(realpathSync(top.stdout.trim()), configPath).split("\\").join("/");
  const shown = await run("git", ["show", `HEAD:${path}`], { cwd: projectDir, env, timeoutMs: 60_000 });
  if (shown.exitCode !== 0) return undefined;
  try {
    return readConfig(shown.stdout, format, `${basename(configPath)} at HEAD`);
  } catch {
    return undefined; // a commit with a broken config is no reference
  }
}

export async function runCheck(flags: CheckFlags, deps: CheckDeps): Promise<void> {
  const { ui, report } = deps;
  let projectDir: string;
  try {
    projectDir = realpathSync(resolve(deps.cwd, flags.cwd ?? "."));
  } catch {
    throw new UsageError(`${resolve(deps.cwd, flags.cwd ?? ".")} does not exist.`, "Run it in the project, or pass --cwd <dir>.");
  }
  const found = findConfig(projectDir);
  const source = readRegularFile(found.path);
  const file = basename(found.path);
  const config = readConfig(source, found.format, file);
  Object.assign(report, { directory: projectDir, config: { path: found.path, format: found.format }, ...describeConfig(config, [], undefined) });
  const recordText = readRegularFileIfAny(join(projectDir, RECORD_FILE));
  const committed = await committedConfig(projectDir, found.path, deps.env, found.format);
  const main = config.main ?? "src/index.ts";
  const mainFile = resolve(projectDir, main);
  const mainReadable = readRegularFileIfAny(mainFile) !== undefined;
  const typesFile = projectTypesSetup(projectDir).file;
  const findings: Finding[] = checkProject({
    file,
    format: found.format,
    source,
    config,
    ...(committed ? { committed: { config: committed, where: "the last commit" } } : {}),
    ...(recordText === undefined ? {} : { record: parseRecord(recordText) }),
    main,
    ...(mainReadable ? { mainClasses: exportedClasses(mainFile), codeReads: bindingsRead(mainFile) } : {}),
    typesEnv: envNames(readRegularFileIfAny(join(projectDir, typesFile))),
    typesFile,
  });
  report.findings = findings;
  const errors = findings.filter((finding) => finding.level === "error");
  const notices = findings.filter((finding) => finding.level === "notice");
  for (const finding of errors)
    ui.error(`${finding.file}:${finding.line} ${finding.message}\n    ${finding.fix}${finding.rule ? `\n    Rule: ${finding.rule}` : ""}`);
  // Out of date, nothing at risk: shown, and a failure only with --strict.
  for (const finding of notices) ui.warn(`${finding.file}:${finding.line} ${finding.message}\n    ${finding.fix}`);
  const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;
  if (errors.length > 0) throw new CliError(`${count(errors.length, "finding")}: the next deploy is not safe as it stands.`);
  if (flags.strict && notices.length > 0) throw new CliError(`${count(notices.length, "notice")}, and --strict fails on notices.`);
  ui.success(
    `The next deploy is safe for the Durable Objects and KV of ${config.name ?? file}${reference(Boolean(committed), recordText !== undefined)}${
      notices.length > 0 ? `; ${count(notices.length, "notice")} above: out of date, nothing at risk` : ""
    }.`,
  );
}

/** What the verdict was judged against, when it is not the last commit. */
function reference(committed: boolean, record: boolean): string {
  if (committed) return "";
  return record
    ? " (no commit to compare with: create-do-kv.json is the reference)"
    : " (no commit and no create-do-kv.json to compare with: judged by the config and code alone)";
}
