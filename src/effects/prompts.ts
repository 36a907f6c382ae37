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

export function createAsk(streams: PromptStreams = {}): Ask {
  return async ({ input, initial, validate }) => {
    const answer = input.choices
      ? await select({
          ...streams,
          message: input.message,
          options: input.choices.map((choice) => ({ ...choice })),
          initialValue: initial,
        })
      : await text({
          ...streams,
          message: input.message,
          initialValue: initial,
          validate: (value) => validate(value ?? ""),
        });
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
    const answer = await text({ ...streams, message, initialValue: initial, validate: (value) => validate(value ?? "") });
    if (isCancel(answer)) throw interruption(undefined, NOTHING_WRITTEN) ?? new CancelledError();
    return String(answer).trim();
  };
}
