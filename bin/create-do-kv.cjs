#!/usr/bin/env node
// Plain CommonJS that any Node can parse, so an old Node gets one clear line, not a crash.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(`create-do-kv needs Node.js 22.12 or newer (as wrangler does); this is Node.js ${process.versions.node}.`);
  process.exit(1);
}
// Node's compile cache (BENCHMARKS.md, "Start-up"), in a folder of this user's that no one else
// may write: Node's default is in the shared temporary folder, where another user could plant
// code for us to run. No such folder, no cache. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
if (!process.env.NODE_DISABLE_COMPILE_CACHE) {
  const dir = require("../dist/private-folder.cjs").privateFolder(process.env, "compile-cache");
  if (dir) require("node:module").enableCompileCache(dir);
}

const cli = require("../dist/cli.cjs");
const stdout = cli.standardOutput(process.stdout);
const stderr = cli.standardOutput(process.stderr);
cli
  .main({
    argv: process.argv.slice(2),
    env: process.env,
    // Read when a command needs it (main says so if it has been removed).
    get cwd() {
      return process.cwd();
    },
    // A getter: only prompts need stdin, and opening it has a cost.
    get stdin() {
      return process.stdin;
    },
    stdout,
    stderr,
    bin: __filename,
    node: process.execPath,
  })
  .then((code) => {
    const failure = cli.outputFailure(stdout, stderr);
    if (failure && code === 0) {
      stderr.write(`create-do-kv: the output could not be written: ${failure.message}\n`);
      code = 1;
    }
    process.exitCode = code;
  });
