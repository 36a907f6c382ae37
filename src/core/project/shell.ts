/** Commands printed for people to paste: safe in a POSIX shell whatever the names hold. */

/** An argument as a POSIX shell reads it back: bare when safe, else in single quotes ($ and ` stay text). */
export function quoteArg(value: string): string {
  return /^[\w./:=@%+-]+$/.test(value) ? value : `'${value.replace(/'/g, "'\\''")}'`;
}

/**
 * `cd` into a folder given relative to where the command ran. A name starting with `-` would be
 * an option to cd (`cd -` goes to the previous folder), so it gets `./` in front.
 */
export function cdCommand(path: string): string {
  return `cd ${quoteArg(path.startsWith("-") ? `./${path}` : path)}`;
}
