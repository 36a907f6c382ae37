import { mkdtempSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** A new folder under the run's root (see global-setup.ts), removed when the run ends. */
export function tempDir(prefix = "cdk-test-"): string {
  return mkdtempSync(join(process.env.CDK_TEST_TMP ?? tmpdir(), prefix));
}

/** Folders a snapshot never descends into: installed or generated, not the user's files. */
const SKIPPED = new Set(["node_modules", ".wrangler", "dist", ".git"]);

/** Every file under `root` (but installed and generated folders) with its content. */
export function snapshotTree(root: string, prefix = ""): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of readdirSync(join(root, prefix), { withFileTypes: true })) {
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      if (!SKIPPED.has(entry.name)) Object.assign(out, snapshotTree(root, path));
    } else if (entry.isFile()) {
      out[path] = readFileSync(join(root, path), "utf8");
    }
  }
  return out;
}
