/** Reads a template folder into memory: relative path (with /) -> text. */
import { readdir, readFile } from "node:fs/promises";
import { join, relative, sep } from "node:path";

export async function readTemplate(templatesDir: string, name: string): Promise<Map<string, string>> {
  const root = join(templatesDir, name);
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = new Map<string, string>();
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const full = join(entry.parentPath, entry.name);
    files.set(relative(root, full).split(sep).join("/"), await readFile(full, "utf8"));
  }
  return files;
}

/** A template's files: `default`'s, with the named template's own files laid over them. */
export async function readTemplateLayers(templatesDir: string, name: string): Promise<Map<string, string>> {
  const files = await readTemplate(templatesDir, "default");
  if (name !== "default") for (const [path, text] of await readTemplate(templatesDir, name)) files.set(path, text);
  return files;
}
