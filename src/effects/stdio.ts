/**
 * Standard output and error for the bin: Node's own streams, with their failures kept. A reader
 * that went away (`--help | head`, EPIPE) is no error; any other failed write (a full disk,
 * /dev/full) makes the exit 1, even one Node reports on a tick after the run ended.
 */
import type { Writable } from "node:stream";

/** What the CLI writes its output to. */
export type Output = Writable & { isTTY?: boolean; columns?: number };

const failures = new WeakMap<Output, NodeJS.ErrnoException>();

/** `stream` with its write failures kept for outputFailure (and none of them thrown). */
export function standardOutput(stream: Output): Output {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (!failures.has(stream)) failures.set(stream, error);
  });
  return stream;
}

/** The first failed write of either output that is not a reader gone away, for the bin's exit code. */
export function outputFailure(...outputs: Output[]): NodeJS.ErrnoException | undefined {
  for (const output of outputs) {
    const failure = failures.get(output) ?? (output.errored as NodeJS.ErrnoException | null) ?? undefined;
    if (failure && failure.code !== "EPIPE") return failure;
  }
  return undefined;
}
