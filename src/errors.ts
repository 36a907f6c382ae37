/** Errors that carry their exit code. The CLI entry is the only place that turns them into one. */

/** 130, 143 and 129: a shell's 128 + the number of SIGINT, SIGTERM and SIGHUP. */
export const EXIT = { ok: 0, failed: 1, usage: 2, hangup: 129, cancelled: 130, terminated: 143 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: ExitCode = EXIT.failed,
    /** A line telling the user what to do next, shown after the message. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad flags or invalid input: nothing was written. */
export class UsageError extends CliError {
  constructor(message: string, hint?: string) {
    super(message, EXIT.usage, hint);
  }
}

/** The user pressed Ctrl-C, answered a prompt with cancel, or a signal ended the run. */
export class CancelledError extends CliError {
  constructor(message = "Cancelled; nothing was written.", hint?: string, exitCode: ExitCode = EXIT.cancelled) {
    super(message, exitCode, hint);
  }

  /** The same cancellation (and exit code) with another message or a hint. */
  with(change: { message?: string; hint?: string }): CancelledError {
    return new CancelledError(change.message ?? this.message, change.hint ?? this.hint, this.exitCode);
  }
}

/**
 * What the machine refused, in words, for the file system's errors a user or their machine can
 * cause (a read-only mount, a full disk, a name too long, a file where a folder should be). They
 * are the environment's, so exit 1, with the path; anything else stays unexpected.
 */
const SYSTEM_ERRORS: Record<string, string> = {
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  EDQUOT: "the disk quota is used up",
  ENAMETOOLONG: "a file name is too long for the file system (255 bytes per name on most)",
  ENOTDIR: "a part of the path is a file, not a folder",
  EISDIR: "a folder is where a file should be",
  EMFILE: "too many open files",
  EBUSY: "the file is in use",
  EEXIST: "it appeared while this ran",
  ELOOP: "too many symbolic links on the way",
};

export function fromSystemError(error: unknown): CliError | undefined {
  const { code, path, syscall } = (error ?? {}) as NodeJS.ErrnoException;
  if (typeof code !== "string" || !(code in SYSTEM_ERRORS)) return undefined;
  const where = path ? ` ${path}` : "";
  return new CliError(`Cannot ${syscall ?? "write"}${where}: ${SYSTEM_ERRORS[code]} (${code}).`, EXIT.failed, "Fix that and run the command again.");
}
