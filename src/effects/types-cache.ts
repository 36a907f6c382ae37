/**
 * A per-user cache of wrangler's runtime types, keyed by the header wrangler writes above them.
 * A new types file starts as a copy of the cached section, so `wrangler types` keeps it instead
 * of starting workerd (the time saved is in BENCHMARKS.md). Only ever a speed-up: every
 * failure here is ignored, and wrangler regenerates whatever does not match its own header.
 */
import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { readConfig } from "../core/config/read.js";
import { cacheFilesToPrune, cacheName, runtimeHeader, runtimeSection, seal, unseal } from "../core/runtime-types.js";
import { pruneFolder } from "./cache-folder.js";
import { findConfig } from "./config-file.js";
import { privateFolder } from "./private-folder.js";
import { readRegularFile, readRegularFileIfAny } from "./project-files.js";

/** The cache's folder: this user's own, or undefined (then there is no cache). */
export function cacheDir(env: NodeJS.ProcessEnv): string | undefined {
  return privateFolder(env, "runtime-types");
}

/** The header `wrangler types` would write in this project, or undefined if it cannot be known. */
function expectedHeader(projectDir: string): string | undefined {
  const workerd = readRegularFileIfAny(join(projectDir, "node_modules", "workerd", "package.json"));
  if (workerd === undefined) return undefined; // a wrangler from elsewhere: its workerd is unknown
  const { version } = JSON.parse(workerd) as { version?: string };
  const { path, format } = findConfig(projectDir);
  const config = readConfig(readRegularFile(path), format);
  const flags = Array.isArray(config.compatibility_flags) ? config.compatibility_flags.map(String) : [];
  if (!version || !config.compatibility_date) return undefined;
  return runtimeHeader(version, config.compatibility_date, flags);
}

/**
 * Writes the cached runtime section to `target`, a new file, when the cache holds this project's
 * header. Whole or not at all: a short write (a full disk) would leave a file wrangler keeps as
 * if it were complete, so any failure removes what was written. Returns whether it seeded.
 */
export function seedRuntimeTypes(projectDir: string, target: string, env: NodeJS.ProcessEnv): boolean {
  let created = false;
  try {
    const header = expectedHeader(projectDir);
    if (!header) return false;
    const dir = cacheDir(env);
    if (!dir) return false;
    const cached = join(dir, cacheName(header));
    if (!existsSync(cached)) return false;
    const section = unseal(readFileSync(cached, "utf8"));
    if (!section || runtimeSection(section)?.header !== header) return false;
    const fd = openSync(target, "wx");
    created = true;
    try {
      writeFileSync(fd, section);
    } finally {
      closeSync(fd);
    }
    if (readFileSync(target, "utf8") !== section) throw new Error("short write");
    // Used now: pruning keeps what is used, not what was stored first.
    const now = new Date();
    utimesSync(cached, now, now);
    return true;
  } catch {
    if (created) rmSync(target, { force: true });
    return false;
  }
}

/** Keeps the runtime section of a types file wrangler just wrote, if the cache lacks it. */
export function storeRuntimeTypes(target: string, env: NodeJS.ProcessEnv): void {
  try {
    const section = runtimeSection(readFileSync(target, "utf8"));
    if (!section) return;
    const dir = cacheDir(env);
    if (!dir) return;
    const file = join(dir, cacheName(section.header));
    if (existsSync(file)) return;
    // Through a temporary name, so a reader never sees half a file.
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, seal(section.text));
    try {
      renameSync(temporary, file);
    } finally {
      rmSync(temporary, { force: true });
    }
    pruneFolder(dir, (files) => cacheFilesToPrune(files));
  } catch {
    // A read-only home or a full disk: the next run generates the types again, nothing worse.
  }
}
