/**
 * Ui.step on a terminal: one line redrawn in place with a spinner and the elapsed seconds.
 *
 * Written here rather than taken from @clack/prompts: its spinner puts stdin into raw mode and
 * answers Ctrl-C with process.exit(0), leaving `npm install` running behind a success exit code.
 * This one leaves stdin alone: Ctrl-C comes as SIGINT to interrupt.ts, which stops the child
 * processes, and the step ends as a cancellation (exit 130, from the CLI's one mapping).
 */
import type { Writable } from "node:stream";
import { interruption } from "./interrupt.js";

const FRAMES = ["◐", "◓", "◑", "◒"];
const CLEAR_LINE = "\r\x1b[2K";
const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";

type Terminal = Writable & { columns?: number };
type Paint = (format: "green" | "red" | "dim", text: string) => string;

/** Work that takes seconds, shown while it runs; `done` is its success line, if it has one. */
export type Step = <T>(start: string, done: string | undefined, work: () => Promise<T>) => Promise<T>;

export function createSpinnerStep(output: Terminal, paint: Paint): Step {
  return async (start, done, work) => {
    const started = performance.now();
    const elapsed = () => `[${Math.floor((performance.now() - started) / 1000)}s]`;
    // One line only: a wrapped line cannot be redrawn with a carriage return.
    const clip = (text: string) => {
      const width = (output.columns || 80) - 1;
      return text.length > width ? `${text.slice(0, width - 1)}…` : text;
    };
    let frame = 0;
    const draw = () => output.write(`${CLEAR_LINE}${clip(`${FRAMES[frame++ % FRAMES.length]} ${start} ${paint("dim", elapsed())}`)}`);
    const showCursor = () => output.write(SHOW_CURSOR);
    process.once("exit", showCursor);
    output.write(HIDE_CURSOR);
    draw();
    const timer = setInterval(draw, 100);
    const finish = (line: string | undefined) => {
      clearInterval(timer);
      process.removeListener("exit", showCursor);
      output.write(`${CLEAR_LINE}${line === undefined ? "" : `${line}\n`}${SHOW_CURSOR}`);
    };
    let result: Awaited<ReturnType<typeof work>>;
    try {
      result = await work();
    } catch (error) {
      finish(`${paint("red", "✖")} ${start} ${elapsed()}`);
      throw interruption(start) ?? error;
    }
    const stopped = interruption(start);
    if (stopped) {
      finish(`${paint("red", "✖")} ${start} ${elapsed()}`);
      throw stopped;
    }
    finish(done === undefined ? undefined : `${paint("green", "✔")} ${done} ${paint("dim", elapsed())}`);
    return result;
  };
}
