/** In-process terminals for driving `main` with keypresses and reading what the user sees. */
import { PassThrough, Writable } from "node:stream";
import { stripVTControlCharacters } from "node:util";
import type { MainIo } from "../../src/cli.js";

export class FakeTtyIn extends PassThrough {
  isTTY = true;
  isRaw = false;
  setRawMode(mode: boolean): this {
    this.isRaw = mode;
    return this;
  }
}

export class Capture extends Writable {
  chunks: string[] = [];
  constructor(readonly isTTY = false) {
    super();
  }
  columns = 100;
  rows = 40;
  override _write(chunk: Buffer, _encoding: string, done: () => void): void {
    this.chunks.push(chunk.toString());
    done();
  }
  /** Everything written so far, without colours or cursor movement. */
  get text(): string {
    return stripVTControlCharacters(this.chunks.join(""));
  }
}

export function makeIo(overrides: Partial<MainIo> & { argv: string[]; cwd: string }) {
  const stdout = new Capture(false);
  const stderr = new Capture(false);
  const io: MainIo = {
    stdin: new PassThrough(),
    stdout,
    stderr,
    ...overrides,
    // A user's environment has a PATH (where wrangler and git are found); a test may replace it.
    env: { PATH: process.env.PATH, ...overrides.env },
  };
  return { io, stdout: io.stdout as Capture, stderr: io.stderr as Capture };
}

/** Waits until `out` shows `text` (after what it showed before), failing after a few seconds. */
export async function waitFor(out: Capture, text: string, after = 0, timeoutMs = 5000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const seen = out.text;
    const at = seen.indexOf(text, after);
    if (at >= 0) return at + text.length;
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${JSON.stringify(text)}; screen:\n${seen}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * The CLI in this process through `main(io)`, as a piped run sees it (no terminal): for tables
 * of bad input, where a process per row would only add its start-up.
 */
export async function runMain(argv: string[], cwd: string, env: NodeJS.ProcessEnv = { CI: "true", NO_COLOR: "1" }) {
  const { main } = await import("../../src/cli.js");
  const { io, stdout, stderr } = makeIo({ argv, cwd, env });
  const exitCode = await main(io);
  return { exitCode, stdout: stdout.text, stderr: stderr.text };
}
