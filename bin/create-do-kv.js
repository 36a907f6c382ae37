#!/usr/bin/env node
// Plain JavaScript that any Node can parse, so an old Node gets one clear line, not a crash.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `create-do-kv needs Node.js 22.12 or newer (as wrangler does); this is Node.js ${process.versions.node}.`,
  );
  process.exit(1);
}
// Reuse V8's compiled code across runs (Node's on-disk cache in the temp folder), a few ms of
// every start once warm. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
process.getBuiltinModule("node:module").enableCompileCache?.();
const { main } = await import("../dist/cli.js");
process.exitCode = await main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  // A getter: opening process.stdin costs 5 to 10 ms, and only prompts need it.
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
});
