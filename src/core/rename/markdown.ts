/**
 * The generated README.md and AGENTS.md name the class and the bindings in code spans (`Room`,
 * `env.CACHE`, `env.ROOM.getByName(room)`); a rename carries those along. Only inline code spans
 * change, never prose and never fenced blocks. Pure.
 */
import type { NameChange, Renames } from "./plan.js";

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** One span's text after the renames: the whole span naming a class or binding, or `env.NAME` in it. */
function renameSpan(span: string, renames: Renames): string {
  const whole = [...renames.classes, ...renames.doBindings, ...renames.kv].find((change) => change.from === span);
  if (whole) return whole.to;
  return [...renames.doBindings, ...renames.kv].reduce(
    (text, { from, to }: NameChange) => text.replace(new RegExp(`(?<![\\w$])env\\.${escapeRegExp(from)}(?![\\w$])`, "g"), `env.${to}`),
    span,
  );
}

export function renameCodeSpans(markdown: string, renames: Renames): string {
  let fenced = false;
  return markdown
    .split("\n")
    .map((line) => {
      if (/^\s*(```|~~~)/.test(line)) {
        fenced = !fenced;
        return line;
      }
      return fenced ? line : line.replace(/`([^`\n]+)`/g, (_, span: string) => `\`${renameSpan(span, renames)}\``);
    })
    .join("\n");
}
