/**
 * `npm run bench`: create-do-kv side by side with create-vite and create-cloudflare (pinned),
 * each pair run alternately after a warm-up, medians and ratios printed as a Markdown table,
 * plus packed and installed sizes. Ratios, not absolute times, are the point: these machines
 * are noisy. `--full` adds the end-to-end run with installs (slow).
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { run } from "../src/effects/process.js";
import { startFakeCloudflare } from "../test/helpers/fake-cloudflare.js";

const PEERS = { "create-vite": "9.3.0", "create-cloudflare": "2.74.0" };
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const REPO = fileURLToPath(new URL("../", import.meta.url));
const full = process.argv.includes("--full");

const work = mkdtempSync(join(tmpdir(), "cdk-bench-"));
const sh = (cmd: string, args: string[], cwd = work) => execFileSync(cmd, args, { cwd, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

console.error(`Installing the peers into ${work} ...`);
sh("npm", ["init", "-y"]);
sh("npm", ["install", "--no-audit", "--no-fund", ...Object.entries(PEERS).map(([n, v]) => `${n}@${v}`)]);
const packed = JSON.parse(sh("npm", ["pack", "--json", "--pack-destination", work], REPO))[0];
sh("npm", ["install", "--no-audit", "--no-fund", join(work, packed.filename)]);

const bin = {
  ours: join(work, "node_modules", "create-do-kv", "bin", "create-do-kv.js"),
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

let counter = 0;
/**
 * Runs once in a fresh folder; returns milliseconds. Asynchronous, because the fake API answers
 * from this same process.
 */
async function time(args: (dir: string) => string[]): Promise<number> {
  // A new project name every run: the KV titles derive from it, and a title that exists already
  // would send create-do-kv down its (slower) reuse path.
  const name = `app-${counter}`;
  const cwd = join(work, `run-${counter++}`);
  mkdirSync(cwd);
  const started = performance.now();
  const result = await run(process.execPath, args(name), { cwd, env });
  const ms = performance.now() - started;
  if (result.exitCode !== 0) throw new Error(`${args(name).join(" ")} failed:\n${result.all}`);
  rmSync(cwd, { recursive: true, force: true });
  return ms;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/** Alternates the contenders round by round, after one warm-up each. */
async function compare(name: string, contenders: Record<string, (dir: string) => string[]>, rounds = ROUNDS) {
  console.error(`Measuring ${name} ...`);
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(contenders).map((k) => [k, []]));
  for (const args of Object.values(contenders)) await time(args);
  for (let i = 0; i < rounds; i++) {
    for (const [key, args] of Object.entries(contenders)) samples[key]!.push(await time(args));
  }
  return { name, medians: Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)])) };
}

fake.latencyMs = 300;
const wrangler = join(REPO, "node_modules", ".bin", "wrangler");
const offline = ["--yes", "--no-install", "--no-git", "--no-create-kv"];
const results = [
  await compare("--help", {
    "create-do-kv": () => [bin.ours, "--help"],
    "create-vite": () => [bin.vite, "--help"],
    "create-cloudflare": () => [bin.c3, "--help"],
  }),
  await compare("--version", {
    "create-do-kv": () => [bin.ours, "--version"],
    "create-cloudflare": () => [bin.c3, "--version"],
  }),
  await compare("scaffold, no network", {
    "create-do-kv": (d) => [bin.ours, d, ...offline],
    "create-vite": (d) => [bin.vite, d, "--template", "vanilla-ts", "--no-interactive", "--no-immediate"],
  }),
  await compare("KV: 4 bindings vs 1, API latency 300 ms", {
    "1 binding": (d) => [bin.ours, d, "--yes", "--no-install", "--no-git", "--kv", "A", "--wrangler", wrangler],
    "4 bindings": (d) => [bin.ours, d, "--yes", "--no-install", "--no-git", "--kv", "A,B,C,D", "--wrangler", wrangler],
  }, 5),
];
if (full) {
  fake.latencyMs = 0;
  results.push(
    await compare("end to end with install (warm cache) and KV", {
      "create-do-kv": (d) => [bin.ours, d, "--yes", "--no-git"],
      "create-cloudflare": (d) => [
        bin.c3, d, "--type=hello-world-durable-object", "--lang=ts", "--no-deploy", "--no-git", "--no-open", "--no-auto-update",
      ],
    }, 3),
  );
}
await fake.close();

const sizes = [
  ["create-do-kv", packed.size, packed.unpackedSize, 0],
  ...Object.entries(PEERS).map(([name, version]) => {
    const info = JSON.parse(sh("npm", ["pack", `${name}@${version}`, "--dry-run", "--json"]))[0];
    const deps = Object.keys(JSON.parse(sh("npm", ["view", `${name}@${version}`, "dependencies", "--json"]) || "{}") ?? {});
    return [name, info.size, info.unpackedSize, deps.length];
  }),
];

const fmt = (ms: number) => `${ms.toFixed(0)} ms`;
console.log(`Node ${process.version}, ${ROUNDS} rounds (medians), ${new Date().toISOString().slice(0, 10)}\n`);
console.log("| scenario | medians | ratio |\n|---|---|---|");
for (const { name, medians } of results) {
  const [first, ...others] = Object.entries(medians);
  const ratio = others.map(([k, v]) => `${first![0]} / ${k} = ${(first![1] / v).toFixed(2)}`).join("; ");
  const shown = Object.entries(medians).map(([k, v]) => `${k} ${fmt(v)}`).join(", ");
  console.log(`| ${name} | ${shown} | ${name.startsWith("KV") ? `4 / 1 = ${(medians["4 bindings"]! / medians["1 binding"]!).toFixed(2)}` : ratio} |`);
}
console.log("\n| package | packed | unpacked | runtime dependencies |\n|---|---|---|---|");
for (const [name, size, unpacked, deps] of sizes) {
  console.log(`| ${name} | ${(Number(size) / 1000).toFixed(1)} kB | ${(Number(unpacked) / 1000).toFixed(1)} kB | ${deps} |`);
}
rmSync(work, { recursive: true, force: true });

