/** The Node a project's scripts will run on, found and asked for its version (node-line.ts in core). */
import { accessSync, constants, realpathSync } from "node:fs";
import { join } from "node:path";
import { nodeSearchPath, tooOldForWrangler } from "../core/project/node-line.js";
import { run } from "./process.js";
import { openToOthers } from "./project-files.js";

/** A line saying the project's scripts will meet a Node wrangler refuses; undefined when they will not. */
export async function oldNodeWarning(projectDir: string, env: NodeJS.ProcessEnv, scripts: string): Promise<string | undefined> {
  const names = process.platform === "win32" ? ["node.exe", "node.cmd"] : ["node"];
  const found = nodeSearchPath(projectDir, env.PATH)
    .flatMap((dir) => names.map((name) => join(dir, name)))
    .find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
  if (found === undefined) return `No \`node\` on your PATH: ${scripts} need Node.js 22.12 or newer.`;
  // The Node running now (checked by the bin) needs no question; another one is asked its version,
  // unless another user could have put it there (a node_modules/.bin above the project, in /tmp):
  // that one is named, never run.
  const same = sameFile(found, process.execPath);
  const open = same ? undefined : openFrom(found);
  if (open) return `The \`node\` ${scripts} would run first is ${found}, which other users can change (${open}); create-do-kv did not run it.`;
  const version = same ? process.versions.node : await versionOf(found, projectDir, env);
  if (version === undefined || !tooOldForWrangler(version)) return undefined;
  return `Your shell's Node (${found}) is ${version}; wrangler, and so ${scripts}, needs 22.12 or newer: install Node.js 22 or later (nodejs.org, or \`nvm install 22\`) first.`;
}

/** The first thing on the way to `file` (its link, its real file, their folders) that others could change. */
function openFrom(file: string): string | undefined {
  try {
    return openToOthers(file, "/") ?? openToOthers(realpathSync(file), "/");
  } catch {
    return file; // unreadable on the way: not run either
  }
}

function sameFile(a: string, b: string): boolean {
  try {
    return realpathSync(a) === realpathSync(b);
  } catch {
    return false;
  }
}

async function versionOf(node: string, cwd: string, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const asked = await run(node, ["-p", "process.versions.node"], { cwd, env, timeoutMs: 10_000 });
  const version = asked.stdout.trim();
  return asked.exitCode === 0 && /^\d+\.\d+/.test(version) ? version : undefined;
}
