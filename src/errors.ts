/** Errors that carry their exit code. The CLI entry is the only place that turns them into one. */

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;
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

/** The user pressed Ctrl-C or answered a prompt with cancel. */
export class CancelledError extends CliError {
  constructor(message = "Cancelled; nothing was written.", hint?: string) {
    super(message, EXIT.cancelled, hint);
  }
}
