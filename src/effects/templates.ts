/**
 * Reads a template folder into memory: relative path (with /) -> text. Synchronous: a dozen
 * small files, read before anything else can happen. A plain walk rather than readdirSync's
 * recursive mode, which builds a Dirent and a joined path for every entry (slower; BENCHMARKS.md).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export function readTemplate(templatesDir: string, name: string): Map<string, string> {
  const files = new Map<string, string>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path, `${prefix}${entry.name}/`);
      else if (entry.isFile()) files.set(`${prefix}${entry.name}`, readFileSync(path, "utf8"));
    }
  };
  walk(join(templatesDir, name), "");
  return files;
}

/** A template's files: `default`'s, with the named template's own files laid over them. */
export function readTemplateLayers(templatesDir: string, name: string): Map<string, string> {
  const files = readTemplate(templatesDir, "default");
  if (name !== "default") for (const [path, text] of readTemplate(templatesDir, name)) files.set(path, text);
  return files;
}

/**
 * Files a package manager needs in the project (pnpm: its build approvals), from
 * templates/package-managers/<name>/; none for a manager without a folder there.
 */
export function readPackageManagerFiles(templatesDir: string, manager: string): Map<string, string> {
  try {
    return readTemplate(templatesDir, join("package-managers", manager));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return new Map();
    throw error;
  }
}
