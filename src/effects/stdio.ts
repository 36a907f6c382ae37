/**
 * Standard output and error for the bin. On a pipe, a socket or a file (CI, scripts, `| tee`,
 * `> log`) each write goes straight to the descriptor: creating process.stdout there loads
 * node:net and the stream modules first, which BENCHMARKS.md ("Output without streams")
 * measured as most of the scaffold's lead over create-vite. On anything else (a terminal,
 * /dev/null) Node's own stream, which knows terminal widths and is what the prompts need.
 */
import { fstatSync, writeSync } from "node:fs";
import type { Writable } from "node:stream";

/** What the CLI writes its output to: the descriptor writer below or a Node stream. */
export type Output = Writable & { isTTY?: boolean; columns?: number };

/** Whether the descriptor is a pipe, a socket or a regular file: never a terminal. */
function isPipeOrFile(fd: number): boolean {
  try {
    const stat = fstatSync(fd);
    return stat.isFIFO() || stat.isSocket() || stat.isFile();
  } catch {
    return false; // closed (`>&-`) or odd: Node's stream decides what that means
  }
}

const pause = new Int32Array(new SharedArrayBuffer(4));

/**
 * Synchronous writes to one descriptor, so nothing is pending at exit. A reader that went away
 * (EPIPE: `| head`) or a failed write (a full disk) drops the rest; `failure` keeps the first
 * error so the bin can still exit non-zero for it.
 */
export class DescriptorOutput {
  readonly isTTY = false;
  failure: NodeJS.ErrnoException | undefined;
  private stopped = false;

  constructor(readonly fd: number) {}

  write(text: string | Uint8Array): boolean {
    if (this.stopped) return true;
    const bytes = typeof text === "string" ? Buffer.from(text) : text;
    let offset = 0;
    while (offset < bytes.length) {
      try {
        offset += writeSync(this.fd, bytes, offset);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        // A descriptor another program made non-blocking: wait a moment for the reader.
        if (code === "EAGAIN") {
          Atomics.wait(pause, 0, 0, 1);
          continue;
        }
        this.stopped = true;
        if (code !== "EPIPE") this.failure = error as NodeJS.ErrnoException;
        return true;
      }
    }
    return true;
  }
}

/**
 * The output for descriptor 1 or 2: the direct writer on a pipe, socket or file, else the Node
 * stream `stream()` returns (read only then: creating it is the cost this file avoids). Either
 * way a reader that went away (`--help | head`) is no error, and any other failure is kept.
 */
export function standardOutput(fd: 1 | 2, stream: () => Output): Output {
  if (isPipeOrFile(fd)) return new DescriptorOutput(fd) as unknown as Output;
  const node = stream();
  node.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE" && !streamFailures.has(node)) streamFailures.set(node, error);
  });
  return node;
}

const streamFailures = new WeakMap<Output, NodeJS.ErrnoException>();

/**
 * The first failed write of either output (not a reader gone away), for the bin's exit code. A
 * Node stream reports its error on a later tick, so its `errored` is read too: a run that ends
 * right after its last write (`> /dev/full`) is still seen to have failed.
 */
export function outputFailure(...outputs: Output[]): NodeJS.ErrnoException | undefined {
  for (const output of outputs) {
    const failure =
      (output as unknown) instanceof DescriptorOutput
        ? (output as unknown as DescriptorOutput).failure
        : (streamFailures.get(output) ?? (output.errored as NodeJS.ErrnoException | null) ?? undefined);
    if (failure && failure.code !== "EPIPE") return failure;
  }
  return undefined;
}
