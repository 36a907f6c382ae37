/** The migration model: replaying steps and reading the exports map, table-driven. */
import { describe, expect, it } from "vitest";
import type { WranglerConfig } from "../../src/core/config/read.js";
import { lifecycleOf, lifecycleProblems, readExports, replayMigrations } from "../../src/core/migrations/lifecycle.js";

const room = { name: "ROOM", class_name: "Room" };

describe("replayMigrations", () => {
  it.each([
    ["nothing", [], [], []],
    ["a new class", [{ tag: "v1", new_sqlite_classes: ["Room"] }], ["Room"], []],
    ["legacy KV-backed classes too", [{ tag: "v1", new_classes: ["Old"] }], ["Old"], []],
    [
      "a rename moves the class",
      [
        { tag: "v1", new_sqlite_classes: ["Room"] },
        { tag: "v2", renamed_classes: [{ from: "Room", to: "Chat" }] },
      ],
      ["Chat"],
      [],
    ],
    [
      "a delete ends it",
      [
        { tag: "v1", new_sqlite_classes: ["Room", "Log"] },
        { tag: "v2", deleted_classes: ["Log"] },
      ],
      ["Room"],
      [],
    ],
    ["a transfer in makes it live", [{ tag: "v1", transferred_classes: [{ from: "A", from_script: "other", to: "B" }] }], ["B"], []],
    [
      "a deleted name can be created again",
      [
        { tag: "v1", new_sqlite_classes: ["A"] },
        { tag: "v2", deleted_classes: ["A"] },
        { tag: "v3", new_sqlite_classes: ["A"] },
      ],
      ["A"],
      [],
    ],
    [
      "renaming what does not exist",
      [{ tag: "v1", renamed_classes: [{ from: "Room", to: "Chat" }] }],
      ["Chat"],
      ['Migration "v1" renames "Room", which does not exist at that point.'],
    ],
    [
      "renaming onto a live class",
      [
        { tag: "v1", new_sqlite_classes: ["A", "B"] },
        { tag: "v2", renamed_classes: [{ from: "A", to: "B" }] },
      ],
      ["B"],
      ['Migration "v2" renames "A" to "B", which already exists.'],
    ],
    [
      "creating twice",
      [
        { tag: "v1", new_sqlite_classes: ["A"] },
        { tag: "v2", new_sqlite_classes: ["A"] },
      ],
      ["A"],
      ['Migration "v2" creates "A", which already exists.'],
    ],
    [
      "deleting what does not exist",
      [{ tag: "v1", deleted_classes: ["A"] }],
      [],
      ['Migration "v1" deletes "A", which does not exist at that point.'],
    ],
    [
      "a repeated tag",
      [
        { tag: "v1", new_sqlite_classes: ["A"] },
        { tag: "v1", new_sqlite_classes: ["B"] },
      ],
      ["A", "B"],
      ['Migration "v1" uses a tag an earlier step already used.'],
    ],
    ["a step without a tag", [{ new_sqlite_classes: ["A"] }], ["A"], ["Migration step 1 has no tag."]],
    [
      "one class twice in a step",
      [
        { tag: "v1", new_sqlite_classes: ["A"] },
        { tag: "v2", renamed_classes: [{ from: "A", to: "B" }], deleted_classes: ["A"] },
      ],
      ["B"],
      ['Migration "v2" names the class "A" more than once.', 'Migration "v2" deletes "A", which does not exist at that point.'],
    ],
  ])("%s", (_what, steps, live, problems) => {
    const model = replayMigrations(steps as never);
    expect([...model.live].sort()).toEqual(live);
    expect(model.problems).toEqual(problems);
  });

  it("remembers where a renamed class came from", () => {
    const model = replayMigrations([
      { tag: "v1", new_sqlite_classes: ["Room"] },
      { tag: "v2", renamed_classes: [{ from: "Room", to: "Chat" }] },
    ]);
    expect(model.renamedFrom.get("Chat")).toBe("Room");
  });
});

describe("readExports", () => {
  it.each([
    ["a live class", { Room: { type: "durable-object", storage: "sqlite" } }, ["Room"], []],
    ["other kinds of exports are not classes", { api: { type: "worker" } }, [], []],
    [
      "a rename",
      { Room: { type: "durable-object", state: "renamed", renamed_to: "Chat" }, Chat: { type: "durable-object", storage: "sqlite" } },
      ["Chat"],
      [],
    ],
    [
      "a rename into nothing",
      { Room: { type: "durable-object", state: "renamed", renamed_to: "Chat" } },
      [],
      ['exports.Room is renamed to "Chat", which has no live entry in exports.'],
    ],
    ["a rename without a target", { Room: { type: "durable-object", state: "renamed" } }, [], ["exports.Room is renamed but has no renamed_to."]],
    [
      "two renamed into one",
      {
        A: { type: "durable-object", state: "renamed", renamed_to: "C" },
        B: { type: "durable-object", state: "renamed", renamed_to: "C" },
        C: { type: "durable-object" },
      },
      ["C"],
      ['exports.B and exports.A are both renamed to "C".'],
    ],
    ["deleted", { Room: { type: "durable-object", state: "deleted" } }, [], []],
    ["expecting a transfer is live", { Room: { type: "durable-object", state: "expecting-transfer" } }, ["Room"], []],
    [
      "transferred without a target",
      { Room: { type: "durable-object", state: "transferred" } },
      [],
      ["exports.Room is transferred but has no transferred_to."],
    ],
    ["an unknown state", { Room: { type: "durable-object", state: "paused" } }, [], ['exports.Room has an unknown state "paused".']],
  ])("%s", (_what, entries, live, problems) => {
    const model = readExports(entries as never);
    expect([...model.live].sort()).toEqual(live);
    expect(model.problems).toEqual(problems);
  });
});

describe("lifecycleProblems", () => {
  const base: WranglerConfig = { name: "a", durable_objects: { bindings: [room] }, migrations: [{ tag: "v1", new_sqlite_classes: ["Room"] }] };
  it("passes a generated config", () => {
    expect(lifecycleProblems(base)).toEqual([]);
  });
  it("names a bound class no migration creates, at the top level and in an environment", () => {
    const config: WranglerConfig = {
      ...base,
      durable_objects: { bindings: [{ name: "ROOM", class_name: "Chat" }] },
      env: { staging: { durable_objects: { bindings: [{ name: "LOG", class_name: "Log" }] } } },
    };
    expect(lifecycleProblems(config)).toEqual([
      'The binding "ROOM" (the top level) uses the class "Chat", which no migration creates (or one renames or deletes it).',
      'The binding "LOG" (env.staging) uses the class "Log", which no migration creates (or one renames or deletes it).',
    ]);
  });
  it("ignores bindings to another Worker's classes", () => {
    const config: WranglerConfig = { ...base, durable_objects: { bindings: [room, { name: "OTHER", class_name: "Chat", script_name: "other" }] } };
    expect(lifecycleProblems(config)).toEqual([]);
  });
  it("refuses migrations and exports together", () => {
    const config: WranglerConfig = { ...base, exports: { Room: { type: "durable-object" } } };
    expect(lifecycleProblems(config)[0]).toContain("both `migrations` and `exports`");
    expect(lifecycleOf(config).form).toBe("exports");
  });
});
