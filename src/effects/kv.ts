/**
 * Gives every KV binding of a project a namespace id: from --kv-id, or by creating the namespace
 * with the real wrangler (all at once), reusing one that already has the title. Only ids read
 * from wrangler's output, or given by the user, are ever written.
 */
import { freemem } from "node:os";
import { basename } from "node:path";
import { setKvNamespaceField } from "../core/config/edit.js";
import { readConfig } from "../core/config/read.js";
import { checkGivenIds, decideKvCreation, kvEntries, kvKey, planKvTasks, type KvOutcome, type KvTask } from "../core/kv/plan.js";
import { parseCreatedNamespaceId, parseNamespaceList, titleAlreadyExists, wranglerErrorMessage } from "../core/kv/wrangler-output.js";
import { CancelledError, CliError } from "../errors.js";
import { replaceFileAtomic } from "./files.js";
import type { Ui } from "./ui.js";
import { findWrangler, hasApiToken, hasWranglerLogin, runWrangler, runWranglerLogin, type WranglerCommand } from "./wrangler.js";
import type { ConfigFormat } from "../core/config/types.js";
import { readRegularFile } from "./project-files.js";

export type { KvOutcome };

/** Some namespaces were not created; the outcomes (ids that were written among them) ride along. */
export class KvNotCreatedError extends CliError {
  constructor(
    message: string,
    hint: string,
    readonly outcomes: readonly KvOutcome[],
  ) {
    super(message, undefined, hint);
  }
}

export interface KvOptions {
  projectDir: string;
  configPath: string;
  format: ConfigFormat;
  preview: boolean;
  given: ReadonlyMap<string, string>;
  /** --create-kv / --no-create-kv; undefined when neither was given. */
  createKv: boolean | undefined;
  wrangler?: string;
  /** A project being created, not installed yet: `wrangler@<the version it pins>` for npx. */
  download?: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  /** false with --yes: nothing may be asked even on a terminal. */
  mayAsk?: boolean;
  ui: Ui;
  /** Asks a yes/no question; only on a terminal. */
  confirm?: (message: string, initial?: boolean) => Promise<boolean>;
  /** The command that finishes the job later, shown when something is left undone. */
  finishCommand: string;
  /** List first and adopt namespaces that exist under the titles (sync: a deploy may have made them). */
  adoptExisting?: boolean;
}

export interface KvReport {
  outcomes: KvOutcome[];
  skipped?: string;
}

/** The account's namespaces, from `wrangler kv namespace list`, or why they could not be listed. */
async function listNamespaces(wrangler: WranglerCommand, options: KvOptions): Promise<{ items?: { id: string; title: string }[]; message?: string }> {
  const listed = await runWrangler(wrangler, ["kv", "namespace", "list"], {
    cwd: options.projectDir,
    timeoutMs: options.timeoutMs,
    env: options.env,
  });
  if (listed.timedOut) return { message: `wrangler kv namespace list did not finish within ${options.timeoutMs / 1000} s.` };
  if (listed.exitCode !== 0) return { message: wranglerErrorMessage(listed.stderr, listed.stdout) };
  try {
    return { items: parseNamespaceList(listed.stdout) };
  } catch (error) {
    return { message: (error as Error).message };
  }
}

async function lookUpByTitle(wrangler: WranglerCommand, title: string, options: KvOptions): Promise<{ id?: string; message?: string }> {
  const listed = await listNamespaces(wrangler, options);
  return listed.items ? { id: listed.items.find((item) => item.title === title)?.id } : { message: listed.message };
}

/**
 * The namespaces that exist already under the titles the tasks would create (a `wrangler deploy`
 * provisions them for bindings without an id, and from CI does not write the ids back): adopted,
 * with no create. A list that fails adopts nothing; the creates then say what is wrong.
 */
async function adoptExisting(wrangler: WranglerCommand, tasks: readonly KvTask[], options: KvOptions): Promise<KvOutcome[]> {
  const listed = await options.ui.step("Looking for namespaces that exist already (a deploy makes them)", undefined, () =>
    listNamespaces(wrangler, options),
  );
  return tasks.flatMap((task) => {
    const id = listed.items?.find((item) => item.title === task.createdTitle)?.id;
    if (!id) return [];
    const where = { binding: task.binding, ...(task.env === undefined ? {} : { env: task.env }), path: task.path, field: task.field };
    return [{ ...where, title: task.createdTitle, status: "reused" as const, id }];
  });
}

async function runTask(wrangler: WranglerCommand, task: KvTask, options: KvOptions): Promise<KvOutcome> {
  const base = {
    binding: task.binding,
    ...(task.env === undefined ? {} : { env: task.env }),
    path: task.path,
    field: task.field,
    title: task.createdTitle,
  };
  const args = ["kv", "namespace", "create", task.title, ...(task.field === "preview_id" ? ["--preview"] : [])];
  const result = await runWrangler(wrangler, args, {
    cwd: options.projectDir,
    timeoutMs: options.timeoutMs,
    env: options.env,
  });
  if (result.timedOut) {
    return {
      ...base,
      status: "failed",
      message: `wrangler did not finish within ${options.timeoutMs / 1000} s and was stopped (change the limit with --timeout).`,
    };
  }
  if (result.exitCode === 0) {
    const id = parseCreatedNamespaceId(result.stdout, task.field);
    if (id) return { ...base, status: "created", id };
    // Created, but the snippet was not readable: find it by its title instead.
    const found = await lookUpByTitle(wrangler, task.createdTitle, options);
    return found.id
      ? { ...base, status: "created", id: found.id }
      : { ...base, status: "failed", message: found.message ?? "wrangler printed no namespace id, and the list does not show the title." };
  }
  if (titleAlreadyExists(result.stderr)) {
    const found = await lookUpByTitle(wrangler, task.createdTitle, options);
    return found.id
      ? { ...base, status: "reused", id: found.id }
      : { ...base, status: "failed", message: found.message ?? `A namespace titled "${task.createdTitle}" exists but is not in the list.` };
  }
  return { ...base, status: "failed", message: wranglerErrorMessage(result.stderr, result.stdout) };
}

function outcomeLine(outcome: KvOutcome): string {
  const key = kvKey(outcome.binding, outcome.env);
  const what = outcome.field === "preview_id" ? `${key} (preview)` : key;
  switch (outcome.status) {
    case "created":
      return `${what}: created ${outcome.title} (${outcome.id})`;
    case "reused":
      return `${what}: ${outcome.title} already exists; reusing it (${outcome.id})`;
    case "given":
      return `${what}: using ${outcome.id} from --kv-id`;
    case "failed":
      return `${what}: not created.\n    ${outcome.message?.split("\n").join("\n    ")}`;
  }
}

/**
 * Whether to create the namespaces now: credentials, flags, and (on a terminal, without --yes)
 * an offer to log in. Returns why not when not.
 */
async function mayCreate(wrangler: WranglerCommand, options: KvOptions): Promise<string | undefined> {
  let decision = decideKvCreation({
    flag: options.createKv,
    hasToken: hasApiToken(options.env),
    loggedIn: hasWranglerLogin(options.env),
    interactive: options.interactive,
    mayAsk: options.mayAsk,
  });
  if (decision.action === "offer-login") {
    const login = await options
      // Default no: Enter must not open a browser and wait on it. The project is whole without the
      // namespaces (sync creates them later; wrangler deploy provisions id-less bindings itself).
      .confirm?.("You are not logged in to Cloudflare. Run `wrangler login` now to create the KV namespaces?", false)
      .catch((error: unknown) => {
        if (!(error instanceof CancelledError)) throw error;
        throw error.with({
          message: "Cancelled at the login question; the project is kept, without KV ids.",
          hint: `To finish: ${options.finishCommand}`,
        });
      });
    const outcome = login ? await runWranglerLogin(wrangler, options.projectDir, options.env) : "failed";
    if (outcome === "cancelled") {
      // The run goes on (record, git, next steps) and ends as cancelled: exit 130.
      throw new CancelledError("Cancelled during: wrangler login. The project is kept, without KV ids.", `To finish: ${options.finishCommand}`);
    }
    decision = outcome === "logged-in" ? { action: "create" } : { action: "skip", reason: "not logged in to Cloudflare" };
  }
  if (decision.action === "fail") {
    throw new CliError(
      `Cannot create KV namespaces: ${decision.reason}.`,
      undefined,
      `Set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID), then run: ${options.finishCommand}`,
    );
  }
  return decision.action === "skip" ? decision.reason : undefined;
}

/**
 * How many wrangler calls run at once, sized by the memory free. Each call is two Node processes
 * (wrangler's bin starts a second) that together peak at about 260 MB. Not sized by cores: a
 * lower cap made the calls slower on 2 cores (the last wave waits for the slowest; BENCHMARKS.md),
 * so the cap is as high as memory allows, with half of it kept free, and at most 16.
 */
const MEMORY_PER_CALL = 2 * 260 * 1024 * 1024;
export function wranglerConcurrency(free = freemem()): number {
  return Math.max(2, Math.min(16, Math.floor(free / MEMORY_PER_CALL)));
}

/** `work` for each item, at most `limit` at a time, results in the items' order. */
export async function mapWithLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The tasks' wrangler calls, overlapping up to the cap, under one step. */
function createAll(wrangler: WranglerCommand, tasks: readonly KvTask[], options: KvOptions): Promise<KvOutcome[]> {
  return options.ui
    .step(
      `Creating KV namespaces with wrangler (${wrangler.source}): ${tasks.map((t) => t.createdTitle).join(", ")}`,
      // No verdict for the step as a whole: each namespace gets its own line (writeIds).
      undefined,
      () => mapWithLimit(tasks, wranglerConcurrency(), (task) => runTask(wrangler, task, options)),
    )
    .catch((error: unknown) => {
      // Namespaces wrangler created before the Ctrl-C have no id in the config yet.
      if (!(error instanceof CancelledError)) throw error;
      throw error.with({ hint: `To finish: ${options.finishCommand} (namespaces created already are found by their titles).` });
    });
}

/** Writes every id the outcomes carry into the config: one edit each, one atomic replace. */
function writeIds(options: KvOptions, original: string, outcomes: readonly KvOutcome[]): void {
  const file = basename(options.configPath);
  let source = original;
  for (const outcome of outcomes) {
    if (outcome.id) source = setKvNamespaceField({ source, format: options.format, file }, outcome.binding, outcome.field, outcome.id, outcome.path);
    (outcome.status === "failed" ? options.ui.error : options.ui.success)(outcomeLine(outcome));
  }
  if (source !== original) replaceFileAtomic(options.configPath, source, original);
}

/** Every KV binding of the config gets its id (given, created or reused), or the error says which did not. */
export async function ensureKvIds(options: KvOptions): Promise<KvReport> {
  const file = basename(options.configPath);
  const original = readRegularFile(options.configPath); // with the guards, as every read of a project file
  const config = readConfig(original, options.format, file);
  const entries = kvEntries(config);
  checkGivenIds(
    options.given,
    entries.map((entry) => entry.key),
    file,
  );

  const outcomes: KvOutcome[] = [...options.given].map(([key, id]) => {
    const { binding, env, path } = entries.find((entry) => entry.key === key)!;
    return { binding, ...(env === undefined ? {} : { env }), path, field: "id", status: "given", id };
  });
  const tasks = planKvTasks(config, { preview: options.preview, given: options.given });
  let skipped: string | undefined;
  if (tasks.length > 0) {
    const wrangler = findWrangler(options.projectDir, options.env, options.wrangler, options.download);
    skipped = await mayCreate(wrangler, options);
    if (skipped) options.ui.warn(`KV namespaces not created: ${skipped}. To create them later: ${options.finishCommand}`);
    else {
      const adopted = options.adoptExisting ? await adoptExisting(wrangler, tasks, options) : [];
      outcomes.push(...adopted);
      const rest = tasks.filter((task) => !adopted.some((a) => a.title === task.createdTitle));
      if (rest.length > 0) outcomes.push(...(await createAll(wrangler, rest, options)));
    }
  }
  writeIds(options, original, outcomes);

  const failed = outcomes.filter((outcome) => outcome.status === "failed");
  if (failed.length > 0) {
    throw new KvNotCreatedError(
      `${failed.length} KV namespace${failed.length === 1 ? " was" : "s were"} not created; ${file} is valid and works locally without ${failed.length === 1 ? "its id" : "their ids"}.`,
      `To finish: ${options.finishCommand}`,
      outcomes,
    );
  }
  return { outcomes, skipped };
}

/** What a KV step did, whether or not it failed: for the report, written before the failure is rethrown. */
export interface KvStepResult extends KvReport {
  failure?: unknown;
}

/** ensureKvIds, with its failure held rather than thrown, so a command can finish its other work first. */
export async function kvStep(options: KvOptions): Promise<KvStepResult> {
  try {
    return await ensureKvIds(options);
  } catch (failure) {
    return { outcomes: failure instanceof KvNotCreatedError ? [...failure.outcomes] : [], failure };
  }
}
