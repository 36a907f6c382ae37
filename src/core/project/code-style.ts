/**
 * The indentation an .editorconfig asks of a TypeScript file, applied to text indented with tabs
 * (how the templates are written). Pure.
 */

/** Whether an .editorconfig section's glob takes `src/x.ts`: `*`, `*.ts`, `*.{js,ts}`, `**.ts`. */
function takesTypeScript(glob: string): boolean {
  const name = glob.replace(/^\*\*?\/?/, "*");
  if (name === "*") return true;
  const brace = /^\*\.\{([^}]*)\}$/.exec(name);
  if (brace) return brace[1]!.split(",").some((ext) => ext.trim() === "ts");
  return name === "*.ts";
}

/** indent_style and indent_size for TypeScript files, the later sections winning, as editors read it. */
export function editorConfigIndent(config: string): { style?: "tab" | "space"; size?: number } {
  const found: { style?: "tab" | "space"; size?: number } = {};
  let applies = false;
  for (const raw of config.split(/\r?\n/)) {
    const line = raw.replace(/\s[#;].*$/, "").trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      applies = takesTypeScript(section[1]!.trim());
      continue;
    }
    if (!applies) continue;
    const [key, value] = line.split("=").map((part) => part.trim().toLowerCase());
    if (key === "indent_style" && (value === "tab" || value === "space")) found.style = value;
    if (key === "indent_size" && value && /^\d+$/.test(value)) found.size = Number(value);
  }
  return found;
}

/** `text` with each leading tab made `indent_size` spaces when the .editorconfig asks for spaces. */
export function reindent(text: string, editorConfig: string): string {
  const { style, size } = editorConfigIndent(editorConfig);
  return style === "space" ? indentWith(text, " ".repeat(size ?? 2)) : text;
}

/** `text`, indented with tabs, indented with `unit` instead. */
export function indentWith(text: string, unit: string): string {
  return unit === "\t" ? text : text.replace(/^\t+/gm, (tabs) => unit.repeat(tabs.length));
}

/**
 * The indent unit a file is written with: a tab, or the smallest run of spaces that starts a
 * line (lines inside a block comment, which start " *", aside); undefined when nothing is indented.
 */
export function indentUnitOf(text: string): string | undefined {
  const leads = [...text.matchAll(/^([ \t]+)(?=\S)(?!\*)/gm)].map((m) => m[1]!);
  if (leads.length === 0) return undefined;
  const tabs = leads.filter((lead) => lead.startsWith("\t")).length;
  if (tabs >= leads.length - tabs) return "\t";
  const size = Math.min(...leads.filter((lead) => !lead.includes("\t")).map((lead) => lead.length));
  return " ".repeat(size);
}
