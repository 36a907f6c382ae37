/**
 * Human-readable output. Colours only when asked for by nobody's opt-out: not with NO_COLOR,
 * not with --no-color, and only when the stream is a terminal.
 */
import type { Writable } from "node:stream";
import { styleText } from "node:util";

type Style = Parameters<typeof styleText>[0];
type Stream = Writable & { isTTY?: boolean };

export interface Ui {
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /**
   * Work that takes seconds (an install, wrangler calls): `start` while it runs, `done` when it
   * succeeded. A spinner with the elapsed time on a terminal, two plain lines anywhere else.
   */
  step<T>(start: string, done: string, work: () => Promise<T>): Promise<T>;
}

export function wantsColor(stream: Stream, env: NodeJS.ProcessEnv, flag: boolean): boolean {
  return flag && !env.NO_COLOR && Boolean(stream.isTTY);
}

export function createUi(
  out: Stream,
  err: Stream,
  options: { env: NodeJS.ProcessEnv; color: boolean; /** a terminal session: steps get a spinner */ spinner?: boolean },
): Ui {
  const paint = (stream: Stream) => {
    const on = wantsColor(stream, options.env, options.color);
    return (format: Style, text: string) => (on ? styleText(format, text, { validateStream: false }) : text);
  };
  const onOut = paint(out);
  const onErr = paint(err);
  const success = (message: string) => out.write(`${onOut("green", "✔")} ${message}\n`);
  return {
    info: (message) => out.write(`${message}\n`),
    success,
    warn: (message) => err.write(`${onErr("yellow", "▲")} ${message}\n`),
    error: (message) => err.write(`${onErr("red", "✖")} ${message}\n`),
    async step(start, done, work) {
      if (options.spinner) {
        const { createSpinnerStep } = await import("./spinner.js");
        return createSpinnerStep(out, onOut)(start, done, work);
      }
      out.write(`${start} ...\n`);
      const result = await work();
      success(done);
      return result;
    },
  };
}
