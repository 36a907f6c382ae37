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
const fs = process.getBuiltinModule("node:fs");
const path = process.getBuiltinModule("node:path");
const { createRequire, enableCompileCache } = process.getBuiltinModule("node:module");

// Node's on-disk compile cache, for the files loaded on demand; NODE_DISABLE_COMPILE_CACHE=1
// turns it off, and with it the cache below.
const compileCache = enableCompileCache?.();
const CACHE_KEEP = 4;
const CACHE_MAGIC = Buffer.from("create-do-kv code cache 1\n");

/**
 * dist/cli.cjs, compiled with V8's code cache. Node's compile cache holds only what V8 compiled
 * before the file ran, so every function a command calls was compiled again on each run; this
 * cache is made after a command has run and holds those functions too (BENCHMARKS.md, "Code
 * cache after the run"). It sits beside Node's, keyed by the hash the build writes on the
 * bundle's first line; V8 itself refuses a cache from another V8, other flags or other source.
 */
function loadCli() {
  const file = path.join(__dirname, "..", "dist", "cli.cjs");
  const source = fs.readFileSync(file, "utf8");
  const build = /^\/\/ build ([0-9a-f]{16})\n/.exec(source)?.[1];
  if (!compileCache?.directory || !build) return { cli: require(file), saveCache() {} };
  const dir = path.join(compileCache.directory, "create-do-kv");
  // Node's default folder is in the shared temporary folder: code is taken only from a folder
  // and file of this user's that no one else may write (POSIX), and written only to such a folder.
  if (!ownFolder(dir)) return { cli: require(file), saveCache() {} };
  const cacheFile = path.join(dir, `cli-${build}-${process.version}-${process.arch}.bin`);
  const cachedData = ownedByUser(cacheFile) ? readCache(cacheFile) : undefined;
  const { Script } = process.getBuiltinModule("node:vm");
  // The wrapper Node puts around a CommonJS file, so the bundle runs exactly as under require.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  const stale = cachedData === undefined || script.cachedDataRejected === true;
  return { cli: module.exports, saveCache: () => stale && saveCache(module.exports, dir, cacheFile, script) };
}

/** Whether `file` is this user's and no one else may write it; true where there are no uids (Windows). */
function ownedByUser(file) {
  if (!process.getuid) return true;
  try {
    const stat = fs.statSync(file);
    return stat.uid === process.getuid() && (stat.mode & 0o022) === 0;
  } catch {
    return false;
  }
}

/** The cache folder: one of this user's, or none yet (made private when the cache is saved). */
function ownFolder(dir) {
  return !fs.existsSync(dir) || ownedByUser(dir);
}

/**
 * The file holds the cache twice: V8 checks a cache's version, flags and length but not its
 * bytes (a flipped byte was measured to stop the process with a fatal error, run after run),
 * and comparing two copies is a native memcmp, where hashing would load zlib or crypto (5 to
 * 8 ms, more than the cache saves). A damaged or short file is no cache.
 */
function readCache(cacheFile) {
  let data;
  try {
    data = fs.readFileSync(cacheFile);
  } catch {
    return undefined;
  }
  const half = (data.length - CACHE_MAGIC.length) / 2;
  if (!Number.isInteger(half) || half === 0 || !data.subarray(0, CACHE_MAGIC.length).equals(CACHE_MAGIC)) return undefined;
  const copy = data.subarray(CACHE_MAGIC.length, CACHE_MAGIC.length + half);
  return copy.equals(data.subarray(CACHE_MAGIC.length + half)) ? copy : undefined;
}

/** Only ever a speed-up: a read-only or full disk leaves the next run as it is today. */
function saveCache(cli, dir, cacheFile, script) {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const cache = script.createCachedData();
    // Through a temporary name, so a reader never sees half a file.
    fs.writeFileSync(temporary, Buffer.concat([CACHE_MAGIC, cache, cache]), { mode: 0o600 });
    fs.renameSync(temporary, cacheFile);
    // Other builds and Node versions: the newest few stay (this one is the newest), for
    // side-by-side installs; the rule the runtime-types cache uses.
    cli.pruneFolder(dir, (files) => cli.beyondNewest(files.filter(({ name }) => /^cli-.*\.bin$/.test(name)), CACHE_KEEP));
  } catch {
    try {
      fs.rmSync(temporary, { force: true });
    } catch {
      // ignored, as above
    }
  }
}

const { cli, saveCache: saveCodeCache } = loadCli();
const stdout = cli.standardOutput(1, () => process.stdout);
const stderr = cli.standardOutput(2, () => process.stderr);
let ranCommand = false;
cli
  .main({
    argv: process.argv.slice(2),
    env: process.env,
    cwd: process.cwd(),
    // A getter: opening process.stdin costs 5 to 10 ms, and only prompts need it.
    get stdin() {
      return process.stdin;
    },
    stdout,
    stderr,
    onCommand: () => {
      ranCommand = true;
    },
  })
  .then((code) => {
    // After a command, not --help: the cache then holds what a command runs.
    if (ranCommand) saveCodeCache();
    const failure = cli.outputFailure(stdout, stderr);
    if (failure && code === 0) {
      stderr.write(`create-do-kv: the output could not be written: ${failure.message}\n`);
      code = 1;
    }
    // Every byte is written already: exit now, without Node's teardown of the heap.
    if (cli.allWritten(stdout, stderr)) process.exit(code);
    process.exitCode = code;
  });
