#!/usr/bin/env node
// Plain JavaScript that any Node can parse, so an old Node gets one clear line, not a crash.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `create-do-kv needs Node.js 22.12 or newer (as wrangler does); this is Node.js ${process.versions.node}.`,
  );
  process.exit(1);
}
const { main } = await import("../dist/cli.js");
process.exitCode = await main({
  argv: process.argv.slice(2),
  env: process.env,
  cwd: process.cwd(),
  stdin: process.stdin,
  stdout: process.stdout,
  stderr: process.stderr,
});
