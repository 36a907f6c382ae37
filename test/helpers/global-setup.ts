/**
 * One temporary root per test run, removed at the end: the suites make hundreds of folders
 * (some with installed projects), and leaving them behind filled /tmp by tens of gigabytes.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export default function setup(): () => void {
  const root = mkdtempSync(join(tmpdir(), "cdk-tests-"));
  process.env.CDK_TEST_TMP = root;
  return () => {
    if (!process.env.CDK_KEEP_TMP) rmSync(root, { recursive: true, force: true });
  };
}
