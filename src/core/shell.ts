/** Commands printed for people to paste: safe in a POSIX shell whatever the names hold. */

/** An argument as a POSIX shell reads it back: bare when safe, else in single quotes ($ and ` stay text). */
export function quoteArg(value: string): string {
  return /^[\w./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}
