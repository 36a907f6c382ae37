#!/usr/bin/env node
// Plain CommonJS that any Node can parse, so an old Node gets one clear line, not a crash.
// CommonJS, like the bundle it loads: an ES module here would start Node's ESM loader (about 8 ms).
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `create-do-kv needs Node.js 22.12 or newer (as wrangler does); this is Node.js ${process.versions.node}.`,
  );
  process.exit(1);
}
// Reuse V8's compiled code across runs (Node's on-disk cache in the temp folder).
// NODE_DISABLE_COMPILE_CACHE=1 turns it off.
process.getBuiltinModule("node:module").enableCompileCache?.();
const { main } = require("../dist/cli.cjs");
// A reader that went away (`create-do-kv --help | head`) is not an error worth a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error) => {
    if (error.code !== "EPIPE") throw error;
  });
}
main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  // A getter: opening process.stdin costs 5 to 10 ms, and only prompts need it.
  get stdin() {
    return process.stdin;
  },
  stdout: process.stdout,
  stderr: process.stderr,
}).then((code) => {
  process.exitCode = code;
});
