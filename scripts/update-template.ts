/**
 * `npm run update-template`: moves the generated project's pinned toolchain forward in one step.
 *
 * One wrangler: the template pins exactly the wrangler that @cloudflare/vitest-plugin pins (so
 * `wrangler dev` and the tests share one wrangler, miniflare and workerd), and this repository's
 * own wrangler, which the tests run, is that same version. The others move to the newest release
 * of the major line they are on (a new major is a decision, made by editing the template).
 * Afterwards: `npm install`, then `npm test` (the end-to-end test installs the new pins).
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");
const TEMPLATE = join(ROOT, "templates", "default", "package.json");
const OWN = join(ROOT, "package.json");

type Pins = Record<string, string>;

function view(spec: string, field: string): unknown {
  const out = execFileSync("npm", ["view", spec, field, "--json"], { encoding: "utf8" });
  return out.trim() ? JSON.parse(out) : undefined;
}

/** The newest version of `name` in the major line of `pinned`. */
function newestInMajor(name: string, pinned: string): string {
  const found = view(`${name}@^${pinned.split(".")[0]}`, "version");
  const versions = (Array.isArray(found) ? found : [found]) as string[];
  return versions[versions.length - 1] ?? pinned;
}

const template = JSON.parse(readFileSync(TEMPLATE, "utf8")) as { devDependencies: Pins };
const own = JSON.parse(readFileSync(OWN, "utf8")) as { devDependencies: Pins };
const before: Pins = { ...template.devDependencies };

const plugin = view("@cloudflare/vitest-plugin@latest", "version") as string;
const wrangler = (view(`@cloudflare/vitest-plugin@${plugin}`, "dependencies") as Pins).wrangler;
if (!wrangler || !/^\d+\.\d+\.\d+$/.test(wrangler)) {
  throw new Error(`@cloudflare/vitest-plugin@${plugin} pins wrangler as "${wrangler}", not one exact version; pick one by hand.`);
}
const next: Pins = { ...before, "@cloudflare/vitest-plugin": plugin, wrangler };
for (const name of Object.keys(before)) {
  if (name !== "@cloudflare/vitest-plugin" && name !== "wrangler") next[name] = newestInMajor(name, before[name]!);
}

template.devDependencies = next;
writeFileSync(TEMPLATE, `${JSON.stringify(template, null, "\t")}\n`);
own.devDependencies.wrangler = wrangler;
writeFileSync(OWN, `${JSON.stringify(own, null, 2)}\n`);

for (const name of Object.keys(next)) {
  console.log(`${name.padEnd(28)} ${before[name]!.padEnd(10)} ${before[name] === next[name] ? "(unchanged)" : `-> ${next[name]}`}`);
}
console.log(`\nwrangler ${wrangler} in package.json too. Now: npm install && npm test`);
