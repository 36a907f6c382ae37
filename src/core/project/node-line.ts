/**
 * Which Node the next steps of a project made from a clone will meet, and whether wrangler
 * takes it. `npm run create` put the clone's own Node first on PATH for that run only; the
 * user's shell, and `npm run dev` in a project outside the clone, find another one.
 */
import { delimiter, dirname, join } from "node:path";

/** wrangler's own floor (and the bin's). */
export const NODE_FLOOR = [22, 12] as const;

export function tooOldForWrangler(version: string): boolean {
  const [major = 0, minor = 0] = version.replace(/^v/, "").split(".").map(Number);
  return major < NODE_FLOOR[0] || (major === NODE_FLOOR[0] && minor < NODE_FLOOR[1]);
}

/**
 * Where `<manager> run` in `projectDir` looks for `node`, in order: each `node_modules/.bin` from
 * the project up to the root (npm adds them all), then the PATH the user's shell has, which is
 * this run's PATH without the folders a package manager put in front of it.
 */
export function nodeSearchPath(projectDir: string, path: string | undefined): string[] {
  const bins: string[] = [];
  for (let dir = projectDir; ; dir = dirname(dir)) {
    bins.push(join(dir, "node_modules", ".bin"));
    if (dirname(dir) === dir) break;
  }
  const shell = (path ?? "").split(delimiter).filter((entry) => entry !== "" && !/[\\/](node_modules[\\/]\.bin|node-gyp-bin)[\\/]?$/.test(entry));
  return [...bins, ...shell];
}
