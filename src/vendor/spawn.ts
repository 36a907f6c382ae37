/**
 * cross-spawn: on Windows, npm, npx, pnpm, yarn and wrangler are `.cmd` shims that Node's spawn
 * cannot start without a shell; cross-spawn finds the shim and quotes the arguments for cmd.exe.
 * Elsewhere it is Node's spawn. The build bundles this file on its own (dist/spawn.cjs),
 * required on the first spawn.
 */
export { spawn } from "cross-spawn";
