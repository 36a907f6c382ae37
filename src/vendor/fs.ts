/**
 * fs-extra, for the file moves and copies of all-or-nothing writes and `--force` backups. The
 * build bundles this file on its own (dist/fs.cjs), required on first use: the offline scaffold
 * never loads it (its cost is in BENCHMARKS.md).
 */
export { copySync, ensureDirSync, moveSync, outputFileSync, removeSync } from "fs-extra";
