/**
 * Ui.step on a terminal: one line redrawn in place with a spinner and the elapsed seconds.
 *
 * Written here rather than taken from @clack/prompts: its spinner puts stdin into raw mode, so
 * Ctrl-C no longer reaches the child process as SIGINT, and it answers the key with
 * process.exit(0), leaving `npm install` running behind a success exit code. This one leaves
 * stdin alone: Ctrl-C stops the child, and the step ends as a cancellation (exit 130, from the
 * CLI's one mapping). A second Ctrl-C ends the process as Node's default would.
 *
 * The listener stays registered until the step ends (not `once`): execa's child clean-up
 * (signal-exit) re-raises a signal that no other listener is waiting for, which would end the
 * process at the first Ctrl-C with no message and no exit 130.
 */
import type { Writable } from "node:stream";
import { CancelledError } from "../errors.js";
import type { Ui } from "./ui.js";

const FRAMES = ["◐", "◓", "◑", "◒"];
const CLEAR_LINE = "\r\x1b[2K";
const HIDE_CURSOR = "\x1b[?25l";
const SHOW_CURSOR = "\x1b[?25h";

type Terminal = Writable & { columns?: number };
type Paint = (format: "green" | "red" | "dim", text: string) => string;

export function createSpinnerStep(output: Terminal, paint: Paint): Ui["step"] {
  return async (start, done, work) => {
    const started = performance.now();
    const elapsed = () => `[${Math.floor((performance.now() - started) / 1000)}s]`;
    // One line only: a wrapped line cannot be redrawn with a carriage return.
    const fit = (text: string) => {
      const width = (output.columns ?? 80) - 1;
      return text.length > width ? `${text.slice(0, width - 1)}…` : text;
    };
    let frame = 0;
    const draw = () => output.write(`${CLEAR_LINE}${fit(`${FRAMES[frame++ % FRAMES.length]} ${start} ${paint("dim", elapsed())}`)}`);
    let cancelled = false;
    const onInterrupt = () => {
      if (!cancelled) {
        cancelled = true;
        return;
      }
      process.removeListener("SIGINT", onInterrupt);
      process.kill(process.pid, "SIGINT");
    };
    const showCursor = () => output.write(SHOW_CURSOR);
    process.on("SIGINT", onInterrupt);
    process.once("exit", showCursor);
    output.write(HIDE_CURSOR);
    draw();
    const timer = setInterval(draw, 100);
    const finish = (line: string) => {
      clearInterval(timer);
      process.removeListener("SIGINT", onInterrupt);
      process.removeListener("exit", showCursor);
      output.write(`${CLEAR_LINE}${line}\n${SHOW_CURSOR}`);
    };
    let result;
    try {
      result = await work();
    } catch (error) {
      finish(`${paint("red", "✖")} ${start} ${elapsed()}`);
      throw cancelled ? cancellation(start) : error;
    }
    if (cancelled) {
      finish(`${paint("red", "✖")} ${start} ${elapsed()}`);
      throw cancellation(start);
    }
    finish(`${paint("green", "✔")} ${done} ${paint("dim", elapsed())}`);
    return result;
  };
}

const cancellation = (start: string) => new CancelledError(`Cancelled during: ${start}. What was done before it was kept.`);
