/**
 * Reads a template folder into memory: relative path (with /) -> text. Synchronous: a dozen
 * small files, read before anything else can happen.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative, sep } from "node:path";

export function readTemplate(templatesDir: string, name: string): Map<string, string> {
  const root = join(templatesDir, name);
  const files = new Map<string, string>();
  for (const entry of readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files.set(relative(root, full).split(sep).join("/"), readFileSync(full, "utf8"));
  }
  return files;
}

/** A template's files: `default`'s, with the named template's own files laid over them. */
export function readTemplateLayers(templatesDir: string, name: string): Map<string, string> {
  const files = readTemplate(templatesDir, "default");
  if (name !== "default") for (const [path, text] of readTemplate(templatesDir, name)) files.set(path, text);
  return files;
}
