/**
 * Gives every KV binding of a project a namespace id: from --kv-id, or by creating the namespace
 * with the real wrangler (all at once), reusing one that already has the title. Only ids read
 * from wrangler's output, or given by the user, are ever written.
 */
import { readFileSync } from "node:fs";
import { basename } from "node:path";
import { setKvNamespaceField, type KvIdField } from "../core/config-edit.js";
import { readConfig } from "../core/config-read.js";
import { decideKvCreation, planKvTasks, type KvTask } from "../core/kv-plan.js";
import type { ConfigFormat } from "../core/options.js";
import {
  parseCreatedNamespaceId,
  parseNamespaceList,
  titleAlreadyExists,
  wranglerErrorMessage,
} from "../core/wrangler-output.js";
import { CancelledError, CliError, UsageError } from "../errors.js";
import { replaceFileAtomic } from "./files.js";
import type { Ui } from "./ui.js";
import { findWrangler, hasApiToken, hasWranglerLogin, runWrangler, runWranglerLogin, type WranglerCommand } from "./wrangler.js";

export interface KvOutcome {
  binding: string;
  field: KvIdField;
  title?: string;
  status: "created" | "reused" | "given" | "failed";
  id?: string;
  message?: string;
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
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  interactive: boolean;
  /** false with --yes: nothing may be asked even on a terminal. */
  mayAsk?: boolean;
  ui: Ui;
  /** Asks a yes/no question; only on a terminal. */
  confirm?: (message: string) => Promise<boolean>;
  /** The command that finishes the job later, shown when something is left undone. */
  finishCommand: string;
  /** Receives the outcomes before a failure is thrown, for the report. */
  onOutcomes?: (outcomes: KvOutcome[]) => void;
}

export interface KvReport {
  outcomes: KvOutcome[];
  skipped?: string;
}

async function lookUpByTitle(
  wrangler: WranglerCommand,
  title: string,
  options: KvOptions,
): Promise<{ id?: string; message?: string }> {
  const listed = await runWrangler(wrangler, ["kv", "namespace", "list"], {
    cwd: options.projectDir,
    timeoutMs: options.timeoutMs,
    env: options.env,
  });
  if (listed.timedOut) return { message: `wrangler kv namespace list did not finish within ${options.timeoutMs / 1000} s.` };
  if (listed.exitCode !== 0) return { message: wranglerErrorMessage(listed.stderr, listed.stdout) };
  try {
    return { id: parseNamespaceList(listed.stdout).find((item) => item.title === title)?.id };
  } catch (error) {
    return { message: (error as Error).message };
  }
}

async function runTask(wrangler: WranglerCommand, task: KvTask, options: KvOptions): Promise<KvOutcome> {
  const base = { binding: task.binding, field: task.field, title: task.createdTitle };
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

function describe(outcome: KvOutcome): string {
  const what = outcome.field === "preview_id" ? `${outcome.binding} (preview)` : outcome.binding;
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

export async function ensureKvIds(options: KvOptions): Promise<KvReport> {
  const { ui } = options;
  const file = basename(options.configPath);
  const original = readFileSync(options.configPath, "utf8");
  const config = readConfig(original, options.format, file);
  const bindings = new Set((config.kv_namespaces ?? []).map((entry) => entry.binding));
  for (const binding of options.given.keys()) {
    if (!bindings.has(binding)) {
      throw new UsageError(`--kv-id: there is no KV binding "${binding}" in ${file} (it has: ${[...bindings].join(", ") || "none"}).`);
    }
  }

  const outcomes: KvOutcome[] = [...options.given].map(([binding, id]) => ({ binding, field: "id", status: "given", id }));
  const tasks = planKvTasks(config, { preview: options.preview, given: options.given });
  let skipped: string | undefined;

  if (tasks.length > 0) {
    let decision = decideKvCreation({
      flag: options.createKv,
      hasToken: hasApiToken(options.env),
      loggedIn: hasWranglerLogin(options.env),
      interactive: options.interactive,
      mayAsk: options.mayAsk,
    });
    const wrangler = findWrangler(options.projectDir, options.env, options.wrangler);
    if (decision.action === "offer-login") {
      const login = await options
        .confirm?.("You are not logged in to Cloudflare. Run `wrangler login` now to create the KV namespaces?")
        .catch((error: unknown) => {
          if (!(error instanceof CancelledError)) throw error;
          throw new CancelledError("Cancelled at the login question; the project is kept, without KV ids.", `To finish: ${options.finishCommand}`);
        });
      decision = login && (await runWranglerLogin(wrangler, options.projectDir, options.env))
        ? { action: "create" }
        : { action: "skip", reason: "not logged in to Cloudflare" };
    }
    if (decision.action === "fail") {
      throw new CliError(`Cannot create KV namespaces: ${decision.reason}.`, undefined, `Set CLOUDFLARE_API_TOKEN (and CLOUDFLARE_ACCOUNT_ID), then run: ${options.finishCommand}`);
    }
    if (decision.action === "skip") {
      skipped = decision.reason;
      ui.warn(`KV namespaces not created: ${decision.reason}. To create them later: ${options.finishCommand}`);
    } else {
      const done = await ui
        .step(
          `Creating KV namespaces with wrangler (${wrangler.source}): ${tasks.map((t) => t.createdTitle).join(", ")}`,
          `wrangler answered for ${tasks.length} namespace${tasks.length === 1 ? "" : "s"}`,
          () => Promise.all(tasks.map((task) => runTask(wrangler, task, options))),
        )
        .catch((error: unknown) => {
          // Namespaces wrangler created before the Ctrl-C have no id in the config yet.
          if (!(error instanceof CancelledError)) throw error;
          throw new CancelledError(error.message, `To finish: ${options.finishCommand} (namespaces created already are found by their titles).`);
        });
      outcomes.push(...done);
    }
  }

  let source = original;
  for (const outcome of outcomes) {
    if (outcome.id) source = setKvNamespaceField({ source, format: options.format, file }, outcome.binding, outcome.field, outcome.id);
    (outcome.status === "failed" ? ui.error : ui.success)(describe(outcome));
  }
  if (source !== original) replaceFileAtomic(options.configPath, source, original);
  options.onOutcomes?.(outcomes);

  const failed = outcomes.filter((outcome) => outcome.status === "failed");
  if (failed.length > 0) {
    throw new CliError(
      `${failed.length} KV namespace${failed.length === 1 ? " was" : "s were"} not created; ${file} is valid and works locally without ${failed.length === 1 ? "its id" : "their ids"}.`,
      undefined,
      `To finish: ${options.finishCommand}`,
    );
  }
  return { outcomes, skipped };
}
