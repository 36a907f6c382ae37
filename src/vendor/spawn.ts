/**
 * execa, for starting every program (src/effects/process.ts). The build bundles this file on
 * its own (dist/spawn.cjs), required on the first spawn: a run that starts nothing never loads it.
 */
export { execa } from "execa";
