/**
 * Asks the questions of the option resolver with @clack/prompts. Streams are injectable so
 * tests can type answers and read the screen in-process.
 */
import { confirm, isCancel, select, text } from "../vendor/prompts.js";
import type { Readable, Writable } from "node:stream";
import type { Ask } from "../core/project/options.js";
import { CancelledError } from "../errors.js";
import { interruption } from "./interrupt.js";

/** Every question comes before anything is written (the login question's caller says otherwise). */
const NOTHING_WRITTEN = "Nothing was written.";

export interface PromptStreams {
  input?: Readable;
  output?: Writable;
  /** Closes the prompt when a signal ends the run (interrupt.ts). */
  signal?: AbortSignal;
}

/**
 * A validation message wrapped to the terminal, its later lines indented under the first: clack
 * prints it after the frame's corner (`└  `) and lets a long one wrap to column 0, out of the frame.
 */
export function fitToFrame(message: string, columns = 80): string {
  const width = Math.max(20, columns - 4);
  const lines: string[] = [];
  let line = "";
  for (const word of message.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n   ");
}

/**
 * The default as a placeholder, taken by Enter, rather than as text to delete before typing (as
 * create-vite and create-cloudflare show theirs). clack validates before it fills the default in.
 */
function defaultShown(initial: string | undefined, validate: (value: string) => string | undefined, columns?: number) {
  return {
    placeholder: initial,
    defaultValue: initial,
    validate: (value: string | undefined) => {
      const problem = validate(value || (initial ?? ""));
      return problem === undefined ? undefined : fitToFrame(problem, columns);
    },
  };
}

const columnsOf = (streams: PromptStreams) => (streams.output as { columns?: number } | undefined)?.columns;

export function createAsk(streams: PromptStreams = {}): Ask {
  return async ({ input, initial, validate }) => {
    const answer = input.choices
      ? await select({
          ...streams,
          message: input.message,
          // Each choice with its description in view, not only the one under the cursor (clack
          // shows a hint only there): a template or format is picked by what it does.
          options: input.choices.map(({ value, label, hint }) => ({ value, label: hint ? `${label} (${hint})` : label })),
          initialValue: initial,
        })
      : await text({ ...streams, message: input.message, ...defaultShown(initial, validate, columnsOf(streams)) });
    if (isCancel(answer)) throw interruption(undefined, NOTHING_WRITTEN) ?? new CancelledError();
    return String(answer);
  };
}

export function createConfirm(streams: PromptStreams = {}): (message: string, initial?: boolean) => Promise<boolean> {
  return async (message, initial = true) => {
    const answer = await confirm({ ...streams, message, initialValue: initial });
    if (isCancel(answer)) throw interruption(undefined, NOTHING_WRITTEN) ?? new CancelledError();
    return answer;
  };
}

/** A free-text question with a default, for commands other than create. */
export function createTextAsk(streams: PromptStreams = {}) {
  return async (message: string, initial: string, validate: (value: string) => string | undefined): Promise<string> => {
    const answer = await text({ ...streams, message, ...defaultShown(initial, validate, columnsOf(streams)) });
    if (isCancel(answer)) throw interruption(undefined, NOTHING_WRITTEN) ?? new CancelledError();
    return String(answer).trim();
  };
}
