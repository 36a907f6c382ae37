/** When output is coloured: Node's conventions, table-driven. */
import { describe, expect, it } from "vitest";
import { wantsColor } from "../../src/effects/ui.js";

const tty = { isTTY: true } as never;
const pipe = { isTTY: false } as never;

describe("wantsColor", () => {
  it.each<[string, boolean, Record<string, string>, boolean, boolean]>([
    ["a terminal", true, {}, true, true],
    ["a pipe", false, {}, true, false],
    ["--no-color wins over everything", true, { FORCE_COLOR: "1" }, false, false],
    ["FORCE_COLOR on a pipe", false, { FORCE_COLOR: "1" }, true, true],
    ["FORCE_COLOR wins over NO_COLOR", false, { FORCE_COLOR: "3", NO_COLOR: "1" }, true, true],
    ["FORCE_COLOR=0 on a terminal", true, { FORCE_COLOR: "0" }, true, false],
    ["FORCE_COLOR=false on a terminal", true, { FORCE_COLOR: "false" }, true, false],
    ["NO_COLOR on a terminal", true, { NO_COLOR: "1" }, true, false],
    ["TERM=dumb on a terminal", true, { TERM: "dumb" }, true, false],
    ["TERM=xterm on a terminal", true, { TERM: "xterm-256color" }, true, true],
  ])("%s", (_what, isTerminal, env, flag, expected) => {
    expect(wantsColor(isTerminal ? tty : pipe, env, flag)).toBe(expected);
  });
});
