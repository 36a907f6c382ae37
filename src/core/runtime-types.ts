/**
 * The runtime half of `wrangler types` output. wrangler reuses the runtime types already in the
 * file it is about to overwrite when their header line matches the one it would write (workerd
 * version, compatibility date, flags), and otherwise starts a local workerd to make them (most
 * of a fresh `wrangler types`). These functions let a new file start with a copy.
 * wrangler stays the judge: a header it would not write makes it regenerate, so a wrong guess
 * here costs time, never correctness.
 */
import { beyondNewest } from "./compare.js";
import { createHash } from "node:crypto";

const HEADER_PREFIX = "// Runtime types generated with workerd@";
const MARKER = "// Begin runtime types";
const SEAL = "// create-do-kv runtime types sha256 ";

/** The header line wrangler writes above runtime types (its format, as of wrangler 4.156). */
export function runtimeHeader(workerdVersion: string, compatibilityDate: string, flags: readonly string[] = []): string {
  return `${HEADER_PREFIX}${workerdVersion} ${compatibilityDate}${flags.length > 0 ? ` ${[...flags].sort().join(",")}` : ""}`;
}

/** Header line, marker and the types after it, from a types file; undefined when it has none. */
export function runtimeSection(content: string): { header: string; text: string } | undefined {
  const lines = content.split(/\r?\n/);
  const header = lines.find((line) => line.startsWith(HEADER_PREFIX));
  const start = lines.indexOf(MARKER);
  if (header === undefined || start === -1 || start === lines.length - 1) return undefined;
  return { header, text: [header, ...lines.slice(start)].join("\n") };
}

const digest = (text: string) => createHash("sha256").update(text).digest("hex");

/** A section with a checksum line on top, so a damaged cache file is never handed to wrangler. */
export function seal(section: string): string {
  return `${SEAL}${digest(section)}\n${section}`;
}

/** The section inside a sealed text, or undefined when the checksum does not match. */
export function unseal(sealed: string): string | undefined {
  const newline = sealed.indexOf("\n");
  if (!sealed.startsWith(SEAL) || newline === -1) return undefined;
  const section = sealed.slice(newline + 1);
  return sealed.slice(SEAL.length, newline) === digest(section) ? section : undefined;
}

/** The cache file name for a header: its digest, so any header makes a safe file name. */
export function cacheName(header: string): string {
  return `${digest(header).slice(0, 32)}.d.ts`;
}

/** How many headers the cache keeps: a few workerd versions, dates and flag sets in use at once. */
export const CACHE_KEEP = 8;

/**
 * The cache files to remove, given every file in the folder with its last use: those beyond the
 * newest CACHE_KEEP of the cache's own (other names in the folder are left alone).
 */
export function cacheFilesToPrune(files: readonly { name: string; usedMs: number }[], keep = CACHE_KEEP): string[] {
  return beyondNewest(
    files.filter(({ name }) => /^[0-9a-f]{32}\.d\.ts$/.test(name)),
    keep,
  );
}
