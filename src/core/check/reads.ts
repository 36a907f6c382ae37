/**
 * What a module's text reads from the Worker's env and which modules it imports, found in the
 * text (no compiler): `env.NAME`, `this.env.NAME`, `env["NAME"]`, and relative import specifiers.
 * Comments are left out first, so a commented-out read is not a read. Pure.
 */

/** The text without // and block comments (strings kept, so a URL's // survives). */
function withoutComments(text: string): string {
  return text.replace(
    /("(?:\\.|[^"\\\n])*"|'(?:\\.|[^'\\\n])*'|`(?:\\.|[^`\\])*`)|\/\/[^\n]*|\/\*[\s\S]*?\*\//g,
    (_match, string: string | undefined) => string ?? " ",
  );
}

/** The binding names the text reads from an object called `env`. */
export function envReads(text: string): Set<string> {
  const code = withoutComments(text);
  const names = new Set<string>();
  for (const match of code.matchAll(/\benv\s*(?:\?\.|\.)\s*([A-Za-z_$][\w$]*)/g)) names.add(match[1]!);
  for (const match of code.matchAll(/\benv\s*(?:\?\.)?\[\s*(["'])([^"'\n]+)\1\s*\]/g)) names.add(match[2]!);
  return names;
}

/** The relative modules the text imports or re-exports, statically or dynamically. */
export function relativeImports(text: string): string[] {
  const code = withoutComments(text);
  const found = new Set<string>();
  for (const match of code.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)(["'])(\.{1,2}\/[^"'\n]*)\1/g)) found.add(match[2]!);
  return [...found];
}
