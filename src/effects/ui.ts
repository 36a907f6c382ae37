/**
 * Human-readable output, coloured as wantsColor decides.
 */
import type { Writable } from "node:stream";
import { styleText } from "node:util";
import { interruption, throwIfInterrupted } from "./interrupt.js";
import type { Step } from "./spinner.js";

type Style = Parameters<typeof styleText>[0];
type Stream = Writable & { isTTY?: boolean };

export interface Ui {
  info(message: string): void;
  success(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /**
   * Work that takes seconds (an install, wrangler calls): `start` while it runs, `done` when it
   * succeeded (none when the caller reports each result itself). A spinner with the elapsed time
   * on a terminal, plain lines anywhere else.
   */
  step: Step;
}

/**
 * Node's own conventions (util.styleText, tty.getColorDepth): --no-color first, then FORCE_COLOR
 * ("0" or "false" off, any other value on, terminal or not), then NO_COLOR and TERM=dumb (off),
 * then whether the stream is a terminal.
 */
export function wantsColor(stream: Stream, env: NodeJS.ProcessEnv, flag: boolean): boolean {
  if (!flag) return false;
  if (env.FORCE_COLOR !== undefined) return env.FORCE_COLOR !== "0" && env.FORCE_COLOR !== "false";
  if (env.NO_COLOR) return false;
  if (env.TERM === "dumb") return false;
  return Boolean(stream.isTTY);
}

export function createUi(
  out: Stream,
  err: Stream,
  options: {
    env: NodeJS.ProcessEnv;
    color: boolean;
    /** A terminal session: steps get a spinner. */
    spinner?: boolean;
    /** Without one, how often a long step says it is still running (a CI log must not look stalled). */
    heartbeatMs?: number;
  },
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
      const started = Date.now();
      const every = options.heartbeatMs ?? 30_000;
      const heartbeat = setInterval(() => out.write(`  still running after ${Math.round((Date.now() - started) / 1000)} s: ${start}\n`), every);
      heartbeat.unref();
      let result: Awaited<ReturnType<typeof work>>;
      try {
        result = await work();
      } catch (error) {
        throw interruption(start) ?? error;
      } finally {
        clearInterval(heartbeat);
      }
      throwIfInterrupted(start);
      if (done) success(done);
      return result;
    },
  };
}
