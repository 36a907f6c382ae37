/**
 * The one JSON object `--json` prints: what was (or with --dry-run, would be) done. Commands
 * fill it in as they go, so a failure still reports how far it got.
 */
import type { ExportEntry, MigrationStep, WranglerConfig } from "../config/read.js";
import { kvEntries, type KvOutcome } from "../kv/plan.js";
import type { ConfigFormat } from "../config/types.js";
import type { Finding } from "../check/findings.js";

export interface KvBindingReport {
  binding: string;
  /** The environment whose section holds it; absent for the top level. */
  env?: string;
  id: string | null;
  preview_id?: string | null;
  /** created, reused, given (--kv-id), existing (already in the config), failed, skipped. */
  status: string;
  /** Why there is no id, when there is none. */
  reason?: string;
}

export interface Report {
  command: "create" | "sync" | "rename" | "check" | "add";
  status: "ok" | "failed" | "invalid" | "cancelled";
  exitCode: number;
  dryRun: boolean;
  directory: string | null;
  config: { path: string; format: ConfigFormat } | null;
  worker: string | null;
  durableObjects: { binding: string; class: string }[];
  kv: KvBindingReport[];
  migrations: MigrationStep[];
  /** The declarative map, when the config declares classes with it instead of migrations. */
  exports: Record<string, ExportEntry> | null;
  packageManager: string | null;
  installed: boolean;
  git: { initialized: boolean; committed: boolean } | null;
  files: string[];
  warnings: string[];
  error: string | null;
  /** `check`: what makes the next deploy unsafe, each with file:line and what to do. */
  findings?: Finding[];
  /** `add`: the lines that call the new class from the fetch handler. */
  usage?: string[];
  /** `create --deploy`: where the deployed Worker answers, as wrangler printed it. */
  deployed?: { urls: string[] };
}

export function emptyReport(command: Report["command"], dryRun: boolean): Report {
  return {
    command,
    status: "ok",
    exitCode: 0,
    dryRun,
    directory: null,
    config: null,
    worker: null,
    durableObjects: [],
    kv: [],
    migrations: [],
    exports: null,
    packageManager: null,
    installed: false,
    git: null,
    files: [],
    warnings: [],
    error: null,
  };
}

/** The config's bindings and migrations, with why each missing id is missing. */
export function describeConfig(
  config: WranglerConfig,
  results: readonly KvOutcome[],
  skipped: string | undefined,
): Pick<Report, "worker" | "durableObjects" | "kv" | "migrations" | "exports"> {
  return {
    worker: config.name ?? null,
    durableObjects: (config.durable_objects?.bindings ?? []).map((b) => ({ binding: b.name, class: b.class_name })),
    migrations: config.migrations ?? [],
    exports: config.exports ?? null,
    kv: kvEntries(config).map(({ binding, env, entry }) => {
      const mine = results.filter((r) => r.binding === binding && r.env === env);
      const main = mine.find((r) => r.field === "id");
      const failed = mine.find((r) => r.status === "failed");
      const report: KvBindingReport = {
        binding,
        ...(env === undefined ? {} : { env }),
        id: entry.id ?? null,
        status: main?.status ?? (entry.id ? "existing" : skipped ? "skipped" : "failed"),
      };
      if (entry.preview_id !== undefined || mine.some((r) => r.field === "preview_id")) report.preview_id = entry.preview_id ?? null;
      if (!entry.id || failed) report.reason = failed?.message ?? skipped ?? "no id";
      return report;
    }),
  };
}
