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
