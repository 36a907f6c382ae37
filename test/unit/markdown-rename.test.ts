/** Code spans in the generated README.md and AGENTS.md follow a rename; prose and fenced blocks do not. */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { renameCodeSpans } from "../../src/core/rename/markdown.js";
import { noRenames, type Renames } from "../../src/core/rename/plan.js";

const renames: Renames = {
  ...noRenames(),
  classes: [{ from: "Room", to: "Chat" }],
  doBindings: [{ from: "ROOM", to: "HALLS" }],
  kv: [{ from: "CACHE", to: "STORE" }],
};

describe("renameCodeSpans", () => {
  it.each([
    ["the `Room` class", "the `Chat` class"],
    ["in `env.CACHE`.", "in `env.STORE`."],
    ["`env.ROOM.getByName(room)` over RPC", "`env.HALLS.getByName(room)` over RPC"],
    ["`this.env.CACHE.get(key)`", "`this.env.STORE.get(key)`"],
    ["(`room:<room>` in `CACHE`)", "(`room:<room>` in `STORE`)"],
    ["a Room in prose stays, and so does CACHE", "a Room in prose stays, and so does CACHE"],
    ["`RoomService` and `env.CACHE_2` are other names", "`RoomService` and `env.CACHE_2` are other names"],
    ["`new Room()` is not the name alone", "`new Room()` is not the name alone"],
    ["```sh\nnpx create-do-kv rename --class Room=Chat `Room`\n```", "```sh\nnpx create-do-kv rename --class Room=Chat `Room`\n```"],
  ])("%j", (before, after) => {
    expect(renameCodeSpans(before, renames)).toBe(after);
  });

  it.each(["README.md", "AGENTS.md"])("the template's %s: every span that named the old names names the new ones, nothing else changes", (file) => {
    const text = readFileSync(new URL(`../../templates/default/${file}`, import.meta.url), "utf8")
      .replaceAll("__CLASS_NAME__", "Room")
      .replaceAll("__DO_BINDING__", "ROOM")
      .replaceAll("__KV_BINDING__", "CACHE");
    const after = renameCodeSpans(text, renames);
    expect(after).not.toBe(text);
    const spans = (markdown: string) => markdown.match(/`[^`\n]+`/g) ?? [];
    expect(spans(after).filter((span) => /\b(Room|ROOM|CACHE)\b/.test(span) && !span.includes("<room>"))).toEqual([]);
    // Outside spans, not a character moved.
    expect(after.replace(/`[^`\n]+`/g, "``")).toBe(text.replace(/`[^`\n]+`/g, "``"));
  });
});
