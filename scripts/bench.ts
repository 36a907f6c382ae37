/**
 * `npm run bench`: create-do-kv side by side with create-vite and create-cloudflare (pinned),
 * the contenders of each scenario run alternately round by round after a warm-up, printed as a
 * Markdown table of medians and ratios, plus packed sizes. Ratios, not absolute times, are the
 * point: these machines are noisy, so each ratio is the median of the per-round ratios (a slow
 * moment hits both runs of a round) next to the ratio of the medians. `--full` adds the
 * end-to-end run with installs (slow).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { availableParallelism, cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../src/effects/process.js";
import { startFakeCloudflare } from "../test/helpers/fake-cloudflare.js";

const PEERS = { "create-vite": "9.3.0", "create-cloudflare": "2.74.0" };
/** Rounds for the sub-second scenarios; the slow ones use fewer. */
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 21);
const REPO = fileURLToPath(new URL("../", import.meta.url));
// --e2e-only: just the end-to-end scenario (minutes of installs), e.g. after a change to spawning.
const e2eOnly = process.argv.includes("--e2e-only");
// --startup-only: --help, --version and the offline scaffold, the scenarios where a few ms are
// the whole margin (with BENCH_ROUNDS=41 for a tighter median).
const startupOnly = process.argv.includes("--startup-only");
const full = (process.argv.includes("--full") || e2eOnly) && !startupOnly;

const work = mkdtempSync(join(tmpdir(), "cdk-bench-"));
const sh = (cmd: string, args: string[], cwd = work) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

console.error(`Installing the peers into ${work} ...`);
sh("npm", ["init", "-y"]);
sh("npm", ["install", "--no-audit", "--no-fund", ...Object.entries(PEERS).map(([n, v]) => `${n}@${v}`)]);
const packed = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", work], REPO))[0];
sh("npm", ["install", "--no-audit", "--no-fund", join(work, packed.filename)]);

const bin = {
  ours: join(work, "node_modules", "create-do-kv", "bin", "create-do-kv.cjs"),
  vite: join(work, "node_modules", "create-vite", "index.js"),
  c3: join(work, "node_modules", "create-cloudflare", "dist", "cli.js"),
};

const fake = await startFakeCloudflare();
const home = join(work, "home");
mkdirSync(home, { recursive: true });
const env = {
  ...process.env,
  CI: "true",
  ...fake.env(home),
  CREATE_CLOUDFLARE_TELEMETRY_DISABLED: "1",
  WRANGLER_SEND_METRICS: "false",
};

interface Sample {
  ms: number;
  /** CPU seconds (user + system) of the whole process tree. */
  cpu: number;
}

let counter = 0;
/**
 * Runs once in a fresh folder. With `cpu`, under bash so that its `times` builtin can report
 * the CPU time of every process the run started (bash's own start-up would blur the sub-second
 * scenarios, so only there). Asynchronous, because the fake API answers from this same process.
 */
async function time(args: (dir: string) => string[], cpu: boolean): Promise<Sample> {
  // A new project name every run: the KV titles derive from it, and a title that exists already
  // would send create-do-kv down its (slower) reuse path.
  const name = `app-${counter}`;
  const cwd = join(work, `run-${counter++}`);
  mkdirSync(cwd);
  const script = '"$@"; status=$?; times >&3; exit $status';
  const started = performance.now();
  const result = cpu
    ? await run("bash", ["-c", `exec 3>times.txt; ${script}`, "bench", process.execPath, ...args(name)], { cwd, env })
    : await run(process.execPath, args(name), { cwd, env });
  const ms = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`${args(name).join(" ")} failed:\n${result.all}`);
  // `times` prints the shell's own user/system time, then its children's: "0m1.234s 0m0.567s".
  const children = cpu ? (readFileSync(join(cwd, "times.txt"), "utf8").trim().split("\n")[1] ?? "") : "";
  const seconds = [...children.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
  rmSync(cwd, { recursive: true, force: true });
  return { ms, cpu: seconds };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Result {
  name: string;
  samples: Record<string, Sample[]>;
}

/** Alternates the contenders round by round, after one warm-up each. */
async function compare(name: string, contenders: Record<string, (dir: string) => string[]>, { rounds = ROUNDS, cpu = false } = {}): Promise<Result> {
  console.error(`Measuring ${name} (${rounds} rounds) ...`);
  const samples: Record<string, Sample[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (const args of Object.values(contenders)) await time(args, cpu);
  for (let i = 0; i < rounds; i++) {
    for (const [key, args] of Object.entries(contenders)) samples[key]!.push(await time(args, cpu));
  }
  return { name, samples };
}

/** "a / b = 0.98 (medians 0.97)": the median of per-round ratios, then the ratio of medians. */
function ratio(result: Result, a: string, b: string): string {
  const xs = result.samples[a]!.map((s) => s.ms);
  const ys = result.samples[b]!.map((s) => s.ms);
  const perRound = median(xs.map((x, i) => x / ys[i]!));
  return `${a} / ${b} = **${perRound.toFixed(2)}** (medians ${(median(xs) / median(ys)).toFixed(2)})`;
}

fake.latencyMs = 300;
const wrangler = join(REPO, "node_modules", ".bin", "wrangler");
const offline = ["--yes", "--no-install", "--no-git", "--no-create-kv"];
const results: { result: Result; ratios: string[] }[] = [];
if (!e2eOnly) {
  const help = await compare("`--help`", {
    "create-do-kv": () => [bin.ours, "--help"],
    "create-vite": () => [bin.vite, "--help"],
    "create-cloudflare": () => [bin.c3, "--help"],
  });
  results.push({ result: help, ratios: [ratio(help, "create-do-kv", "create-vite"), ratio(help, "create-do-kv", "create-cloudflare")] });
  // create-vite 9 has no --version; the yardstick for ours is its --help.
  const version = await compare("`--version`", {
    "create-do-kv": () => [bin.ours, "--version"],
    "create-vite --help": () => [bin.vite, "--help"],
    "create-cloudflare": () => [bin.c3, "--version"],
  });
  results.push({
    result: version,
    ratios: [ratio(version, "create-do-kv", "create-vite --help"), ratio(version, "create-do-kv", "create-cloudflare")],
  });
  const scaffold = await compare("scaffold, no network", {
    "create-do-kv": (d) => [bin.ours, d, ...offline],
    "create-vite": (d) => [bin.vite, d, "--template", "vanilla-ts", "--no-interactive", "--no-immediate"],
  });
  results.push({ result: scaffold, ratios: [ratio(scaffold, "create-do-kv", "create-vite")] });
}
if (!e2eOnly && !startupOnly) {
  const kv = await compare(
    "KV creation, API latency 300 ms",
    {
      "4 bindings": (d) => [bin.ours, d, "--yes", "--no-install", "--no-git", "--kv", "A,B,C,D", "--wrangler", wrangler],
      "1 binding": (d) => [bin.ours, d, "--yes", "--no-install", "--no-git", "--kv", "A", "--wrangler", wrangler],
      // Issue 16: one binding at the top level and in three environments, four namespaces.
      "1 binding x 3 environments": (d) => [
        bin.ours,
        d,
        "--yes",
        "--no-install",
        "--no-git",
        "--kv",
        "A",
        "--env",
        "staging,production,dev",
        "--wrangler",
        wrangler,
      ],
    },
    { rounds: 5, cpu: true },
  );
  // Four wrangler processes cannot finish before their CPU time is spread over the cores.
  const cores = availableParallelism();
  const floor = median(kv.samples["4 bindings"]!.map((s) => s.cpu)) / cores;
  results.push({
    result: kv,
    ratios: [
      ratio(kv, "4 bindings", "1 binding"),
      `CPU of 4 bindings ${median(kv.samples["4 bindings"]!.map((s) => s.cpu)).toFixed(1)} s, of 1 ${median(kv.samples["1 binding"]!.map((s) => s.cpu)).toFixed(1)} s; on ${cores} cores the 4 cannot take less than ${floor.toFixed(1)} s = ${((floor * 1000) / median(kv.samples["1 binding"]!.map((s) => s.ms))).toFixed(2)} x 1 binding`,
      ratio(kv, "1 binding x 3 environments", "1 binding"),
      `1 binding x 3 environments: CPU ${median(kv.samples["1 binding x 3 environments"]!.map((s) => s.cpu)).toFixed(1)} s, floor on ${cores} cores ${(median(kv.samples["1 binding x 3 environments"]!.map((s) => s.cpu)) / cores).toFixed(1)} s, wall ${(median(kv.samples["1 binding x 3 environments"]!.map((s) => s.ms)) / 1000).toFixed(1)} s`,
    ],
  });
  // rename against what it has to cost at least: a type-check of the project and `wrangler types`.
  console.error("Installing a generated project for the rename scenario ...");
  const project = join(work, "rename-project");
  const made = await run(process.execPath, [bin.ours, project, "--yes", "--no-git", "--no-create-kv"], { cwd: work, env });
  if (made.exitCode !== 0) throw new Error(`create failed:\n${made.all}`);
  execFileSync(join(project, "node_modules", ".bin", "wrangler"), ["types"], { cwd: project, env, stdio: "ignore" });
  // The same project on each TypeScript line a rename works with: 6 as pinned; 5 (what
  // create-cloudflare's templates take) and 7 (the native compiler, through its language server)
  // swapped in, each a hard-linked copy with its own typescript and tsc.
  const engines: [string, string][] = [["TypeScript 6 (pinned)", project]];
  for (const [line, spec] of [
    ["5", "typescript@^5.5.2"],
    ["7", "typescript@^7.0.2"],
  ] as const) {
    const side = join(work, `typescript-${line}`);
    sh("npm", ["install", "--no-audit", "--no-fund", "--prefix", side, spec]);
    const copy = join(work, `rename-project-${line}`);
    sh("cp", ["-al", project, copy]);
    rmSync(join(copy, "node_modules", "typescript"), { recursive: true, force: true });
    symlinkSync(join(side, "node_modules", "typescript"), join(copy, "node_modules", "typescript"));
    rmSync(join(copy, "node_modules", ".bin", "tsc"), { force: true });
    symlinkSync(join(side, "node_modules", "typescript", "bin", "tsc"), join(copy, "node_modules", ".bin", "tsc"));
    engines.push([`TypeScript ${line}`, copy]);
  }
  for (const [engine, dir] of engines) {
    const projectBin = (name: string) => join(dir, "node_modules", ".bin", name);
    let className = "Room";
    const baseline = `const { execFileSync } = require("node:child_process");
  execFileSync(${JSON.stringify(projectBin("tsc"))}, ["--noEmit", "-p", ${JSON.stringify(dir)}], { stdio: "ignore" });
  execFileSync(${JSON.stringify(projectBin("wrangler"))}, ["types"], { cwd: ${JSON.stringify(dir)}, stdio: "ignore" });`;
    const renameResult = await compare(
      `rename a class (code, config, migration, types), ${engine}`,
      {
        rename: () => {
          // Back and forth: each run appends one more renamed_classes step, as a user's would.
          const next = className === "Room" ? "Chat" : "Room";
          const args = [bin.ours, "rename", "--class", `${className}=${next}`, "--cwd", dir];
          className = next;
          return args;
        },
        "tsc --noEmit + wrangler types": () => ["-e", baseline],
      },
      { rounds: 7 },
    );
    results.push({ result: renameResult, ratios: [ratio(renameResult, "rename", "tsc --noEmit + wrangler types")] });
  }
}
if (full) {
  fake.latencyMs = 0;
  const e2e = await compare(
    "end to end: install (warm cache) + KV",
    {
      "create-do-kv": (d) => [bin.ours, d, "--yes", "--no-git"],
      "create-cloudflare": (d) => [
        bin.c3,
        d,
        "--type=hello-world-durable-object",
        "--lang=ts",
        "--no-deploy",
        "--no-git",
        "--no-open",
        "--no-auto-update",
      ],
    },
    { rounds: 3 },
  );
  results.push({ result: e2e, ratios: [ratio(e2e, "create-do-kv", "create-cloudflare")] });
}
await fake.close();

/** Bytes on disk under a folder: what `npm install <package>` left in node_modules. */
function installedBytes(dir: string): number {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .reduce((sum, entry) => sum + statSync(join(entry.parentPath, entry.name)).size, 0);
}
const installed = (name: string) => installedBytes(join(work, "node_modules", name));

const sizes = [
  ["create-do-kv", packed.size, installed("create-do-kv"), 0],
  ...Object.entries(PEERS).map(([name, version]) => {
    const info = JSON.parse(sh("npm", ["pack", `${name}@${version}`, "--dry-run", "--json"]))[0];
    const deps = Object.keys(JSON.parse(sh("npm", ["view", `${name}@${version}`, "dependencies", "--json"]) || "{}") ?? {});
    return [name, info.size, installed(name), deps.length];
  }),
];

const fmt = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
console.log(
  `${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${availableParallelism()} cores (${cpus()[0]?.model ?? "?"}), medians of each scenario's rounds\n`,
);
console.log("| scenario | medians | ratios |\n|---|---|---|");
for (const { result, ratios } of results) {
  const shown = Object.entries(result.samples)
    .map(([k, v]) => `${k} ${fmt(median(v.map((s) => s.ms)))}`)
    .join(", ");
  console.log(`| ${result.name} (${result.samples[Object.keys(result.samples)[0]!]!.length} rounds) | ${shown} | ${ratios.join("; ")} |`);
}
console.log("\n| package | packed | installed | runtime dependencies |\n|---|---|---|---|");
for (const [name, size, unpacked, deps] of sizes) {
  console.log(`| ${name} | ${(Number(size) / 1000).toFixed(1)} kB | ${(Number(unpacked) / 1000).toFixed(1)} kB | ${deps} |`);
}
rmSync(work, { recursive: true, force: true });
