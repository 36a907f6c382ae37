import { mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";

export function tempDir(prefix = "cdk-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** Every file under `root` with its content, for before/after comparisons. */
export function snapshotTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(root, { recursive: true })) {
    const full = join(root, String(entry));
    if (statSync(full).isFile()) out[relative(root, full)] = readFileSync(full, "utf8");
  }
  return out;
}
