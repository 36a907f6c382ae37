/**
 * Commands printed for people to paste, safe in the shell they will be pasted into whatever the
 * names hold: a POSIX shell, or on Windows PowerShell (the default shell of Windows Terminal;
 * `&&` needs PowerShell 7, which cmd shares, but cmd has no quoting that keeps every character).
 */
export type Shell = "posix" | "powershell";

export function shellFor(platform: NodeJS.Platform): Shell {
  return platform === "win32" ? "powershell" : "posix";
}

/**
 * An argument as the shell reads it back: bare when safe, else in single quotes, where neither
 * shell expands anything ($ and ` stay text). A quote inside is `'\''` in POSIX, `''` in PowerShell.
 */
export function quoteArg(value: string, shell: Shell = "posix"): string {
  if (shell === "powershell") return /^[\w./:=+\\-]+$/.test(value) ? value : `'${value.replace(/'/g, "''")}'`;
  return /^[\w./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * How a printed command runs create-do-kv again. From a package (npx, dlx, an install: its file
 * is under node_modules) the package manager's runner finds it; from a clone of the repository,
 * where the name may not be on the registry at all (E404 before the first publish), the same file
 * on the same Node (`node`: the one running now): the shell's `node` may be older than 22.12,
 * since `npm run` put the clone's own Node first on PATH only for this run.
 */
export function selfCommand(dlx: string, bin: string | undefined, shell: Shell = "posix", node = "node"): string {
  if (runsFromPackage(bin)) return `${dlx} create-do-kv`;
  return `${quoteArg(node, shell)} ${quoteArg(bin!, shell)}`;
}

/** Whether this run came from an installed package rather than from a clone of the repository. */
export function runsFromPackage(bin: string | undefined): boolean {
  return bin === undefined || /[\\/]node_modules[\\/]/.test(bin);
}

/**
 * Messages name `npx create-do-kv ...` (what users of the published package type); from a clone
 * the same text names the command that runs this very file instead, so every hint runs as printed.
 */
export function speakAs(text: string, self: string): string {
  return self === "npx create-do-kv" ? text : text.replace(/\bnpx (?:--yes )?create-do-kv(?=[\s\x60'"]|$)/g, self);
}

/**
 * `cd` into a folder given relative to where the command ran. A name starting with `-` would be
 * an option to cd (`cd -` goes to the previous folder), so it gets `./` in front.
 */
export function cdCommand(path: string, shell: Shell = "posix"): string {
  return `cd ${quoteArg(path.startsWith("-") ? `./${path}` : path, shell)}`;
}

/** Commands with their `#` comments in one column, after the longest command that has one. */
export function nextSteps(steps: readonly (readonly [string, string?])[]): string[] {
  const width = Math.max(...steps.filter(([, why]) => why).map(([line]) => line.length));
  return steps.map(([line, why]) => (why ? `  ${line.padEnd(width)}   # ${why}` : `  ${line}`));
}
