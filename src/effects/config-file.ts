/** Finding a project's wrangler config on disk. */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { UsageError } from "../errors.js";
import type { ConfigFormat } from "../core/config/types.js";

/** The config wrangler itself would read: wrangler.jsonc or .json wins over wrangler.toml. */
export function findConfig(projectDir: string): { path: string; format: ConfigFormat } {
  for (const [file, format] of [
    ["wrangler.jsonc", "jsonc"],
    ["wrangler.json", "jsonc"],
    ["wrangler.toml", "toml"],
  ] as const) {
    const path = join(projectDir, file);
    if (existsSync(path)) return { path, format };
  }
  throw new UsageError(`No wrangler.toml or wrangler.jsonc in ${projectDir}.`, "Run it in the project, or pass --cwd <dir>.");
}
