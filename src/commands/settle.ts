/**
 * The end of `create` and `sync`, whatever their KV step did: the config as it now is on disk
 * goes into the report, and create-do-kv.json records its names (so the next `sync` can tell a
 * rename from a removal). One place, so a field added to either is added for both.
 */
import { basename, join } from "node:path";
import { readConfig, type WranglerConfig } from "../core/config/read.js";
import { RECORD_FILE, recordFromConfig, serializeRecord, type ProjectRecord } from "../core/rename/record.js";
import { describeConfig, type Report } from "../core/project/report.js";
import { writeFileAtomic } from "../effects/files.js";
import { readRegularFile, readRegularFileIfAny } from "../effects/project-files.js";
import type { KvReport } from "../effects/kv.js";
import type { PlannedWrite } from "../effects/transaction.js";
import type { ConfigFormat } from "../core/config/types.js";

export interface SettledProject {
  config: WranglerConfig;
  /** Whether create-do-kv.json was (re)written: false when it already held these names. */
  recordWritten: boolean;
}

export function settleProject(
  project: { projectDir: string; configPath: string; format: ConfigFormat },
  report: Report,
  kv: KvReport,
): SettledProject {
  const config = readConfig(readRegularFile(project.configPath), project.format, basename(project.configPath));
  Object.assign(report, describeConfig(config, kv.outcomes, kv.skipped));
  const write = recordWrite(project.projectDir, recordFromConfig(config));
  if (write) writeFileAtomic(write.path, write.after);
  return { config, recordWritten: write !== undefined };
}

/** The record's new text, when it differs from what is on disk (missing counts as different). */
export function recordWrite(projectDir: string, record: ProjectRecord): PlannedWrite | undefined {
  const path = join(projectDir, RECORD_FILE);
  const after = serializeRecord(record);
  return readRegularFileIfAny(path) === after ? undefined : { path, after };
}
