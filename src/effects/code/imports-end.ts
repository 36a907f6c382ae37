/**
 * Where main's imports end, as the project's own TypeScript parses it: `add` puts its export
 * line there. TypeScript 7 has no parser API to load; then, and without TypeScript, undefined
 * (the caller appends at the end, which is as valid).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import type * as TS from "typescript";
import { UsageError } from "../../errors.js";
import { projectTypeScript } from "./typescript.js";

export function importsEnd(projectDir: string, fileName: string, text: string): number | undefined {
  let found: ReturnType<typeof projectTypeScript>;
  try {
    found = projectTypeScript(projectDir);
  } catch (error) {
    if (error instanceof UsageError) return undefined; // none, too old, or not to be trusted: not loaded
    throw error;
  }
  if (found.major >= 7) return undefined;
  const ts = createRequire(join(projectDir, "package.json"))(found.dir) as typeof TS;
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, false); // the kind (.ts, .tsx) from the name;
  let end: number | undefined;
  for (const statement of source.statements) {
    if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) end = statement.end;
  }
  return end;
}
