/**
 * What a child program printed, made fit to show: its colours and terminal controls removed, and
 * any secret it echoed (an API token in an error, a `Bearer` header) replaced. Applied where the
 * text enters (effects/process.ts), so every message and `--json` field built from it is clean.
 */
import { stripVTControlCharacters } from "node:util";

/** The variables wrangler takes credentials from. */
const SECRET_VARIABLES = ["CLOUDFLARE_API_TOKEN", "CLOUDFLARE_API_KEY", "CF_API_TOKEN", "CF_API_KEY"];

export const REDACTED = "[redacted]";

/** The secret values in `env`; short values are left out, as replacing them would mangle text. */
export function secretsOf(env: NodeJS.ProcessEnv): string[] {
  return SECRET_VARIABLES.map((name) => env[name]?.trim() ?? "").filter((value) => value.length >= 8);
}

/** Text to show: no VT sequences, no C0 controls but tab and newline, no secrets. */
export function shownText(text: string, secrets: readonly string[]): string {
  let shown = stripVTControlCharacters(text)
    .replace(/\r\n?/g, "\n")
    .replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, "");
  for (const secret of secrets) shown = shown.split(secret).join(REDACTED);
  return shown.replace(/\b(Bearer|Authorization:)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`);
}
