/** What sync calls a rename, from evidence only: table-driven on config objects and records. */
import { describe, expect, it } from "vitest";
import type { WranglerConfig } from "../../src/core/config/read.js";
import { recordFromConfig } from "../../src/core/rename/record.js";
import type { Renames } from "../../src/core/rename/plan.js";
import { inferRenames } from "../../src/core/rename/sync-infer.js";

const ID = "0123456789abcdef0123456789abcdef";
const ID2 = "fedcba9876543210fedcba9876543210";
const base: WranglerConfig = {
  name: "app",
  durable_objects: { bindings: [{ name: "ROOM", class_name: "Room" }] },
  migrations: [{ tag: "v1", new_sqlite_classes: ["Room"] }],
  kv_namespaces: [{ binding: "CACHE", id: ID }, { binding: "LOG" }],
};
const record = recordFromConfig(base);
const exports =
  (...names: string[]) =>
  () =>
    new Set(names);
const none: Renames = { classes: [], doBindings: [], kv: [] };
const edit = (change: Partial<WranglerConfig>): WranglerConfig => ({ ...base, ...change });
const bindings = (...list: { name: string; class_name: string; script_name?: string }[]) => ({ bindings: list });

describe("inferRenames", () => {
  it.each<[string, WranglerConfig, string[], Partial<Renames>, number]>([
    ["nothing changed", base, ["Room"], {}, 0],
    [
      "the class renamed in the config with its step written by hand, the code not: the code is finished (never asked backwards)",
      edit({
        durable_objects: bindings({ name: "ROOM", class_name: "Chat" }),
        migrations: [...base.migrations!, { tag: "v2", renamed_classes: [{ from: "Room", to: "Chat" }] }],
      }),
      ["Room"],
      { classes: [{ from: "Room", to: "Chat" }] },
      0,
    ],
    [
      "the same with the exports map",
      edit({
        durable_objects: bindings({ name: "ROOM", class_name: "Chat" }),
        migrations: undefined,
        exports: { Room: { type: "durable-object", state: "renamed", renamed_to: "Chat" }, Chat: { type: "durable-object", storage: "sqlite" } },
      }),
      ["Room"],
      { classes: [{ from: "Room", to: "Chat" }] },
      0,
    ],
    [
      "a binding added above the existing one is not a rename (position is no evidence)",
      edit({
        durable_objects: bindings({ name: "LOBBY", class_name: "Lobby" }, { name: "ROOM", class_name: "Room" }),
        migrations: [...base.migrations!, { tag: "v2", new_sqlite_classes: ["Lobby"] }],
      }),
      ["Room", "Lobby"],
      {},
      0,
    ],
    [
      "a DO binding renamed, same class",
      edit({ durable_objects: bindings({ name: "ROOMS", class_name: "Room" }) }),
      ["Room"],
      { doBindings: [{ from: "ROOM", to: "ROOMS" }] },
      0,
    ],
    [
      "a class renamed in the config, code still has the old one",
      edit({ durable_objects: bindings({ name: "ROOM", class_name: "Chat" }) }),
      ["Room"],
      { classes: [{ from: "Room", to: "Chat" }] },
      0,
    ],
    [
      "a class renamed in the editor and the config",
      edit({ durable_objects: bindings({ name: "ROOM", class_name: "Chat" }) }),
      ["Chat"],
      { classes: [{ from: "Room", to: "Chat" }] },
      0,
    ],
    [
      "the code exports both: a new class or a rename? asked",
      edit({ durable_objects: bindings({ name: "ROOM", class_name: "Chat" }) }),
      ["Room", "Chat"],
      {},
      1,
    ],
    [
      "re-pointed to a class that already exists: not a rename",
      edit({
        durable_objects: bindings({ name: "ROOM", class_name: "Chat" }),
        migrations: [...base.migrations!, { tag: "v2", new_sqlite_classes: ["Chat"] }],
      }),
      ["Room", "Chat"],
      {},
      0,
    ],
    [
      "a binding removed and another added, both names new: asked",
      edit({ durable_objects: bindings({ name: "HALL", class_name: "Hall" }) }),
      ["Hall"],
      {},
      1,
    ],
    [
      "a KV binding renamed, its id kept",
      edit({ kv_namespaces: [{ binding: "STORE", id: ID }, { binding: "LOG" }] }),
      ["Room"],
      { kv: [{ from: "CACHE", to: "STORE" }] },
      0,
    ],
    [
      "a KV binding without an id renamed by hand: asked, never guessed",
      edit({ kv_namespaces: [{ binding: "CACHE", id: ID }, { binding: "EVENTS" }] }),
      ["Room"],
      {},
      1,
    ],
    ["a KV binding added", edit({ kv_namespaces: [...base.kv_namespaces!, { binding: "NEW" }] }), ["Room"], {}, 0],
    ["a KV binding removed", edit({ kv_namespaces: [{ binding: "CACHE", id: ID }] }), ["Room"], {}, 0],
    [
      "two KV bindings reordered and one renamed: matched by id",
      edit({ kv_namespaces: [{ binding: "LOG" }, { binding: "DATA", id: ID }] }),
      ["Room"],
      { kv: [{ from: "CACHE", to: "DATA" }] },
      0,
    ],
    [
      "another Worker's class with the old name is no evidence",
      edit({ durable_objects: bindings({ name: "ROOM", class_name: "Room" }, { name: "REMOTE", class_name: "Chat", script_name: "other" }) }),
      ["Room"],
      {},
      0,
    ],
  ])("%s", (_what, config, exported, expected, questions) => {
    const result = inferRenames(record, config, exports(...exported));
    expect(result.renames).toEqual({ ...none, ...expected });
    expect(result.questions).toHaveLength(questions);
  });

  it("a question says what yes would do", () => {
    const { questions } = inferRenames(record, edit({ durable_objects: bindings({ name: "HALL", class_name: "Hall" }) }), exports("Hall"));
    expect(questions[0]!.text).toBe("Is the Durable Object binding HALL (class Hall) the binding ROOM (class Room) renamed?");
    expect(questions[0]!.renames).toEqual({ ...none, doBindings: [{ from: "ROOM", to: "HALL" }], classes: [{ from: "Room", to: "Hall" }] });
  });

  it("without a record, finishes an editor rename from the migration state and the code alone", () => {
    const config = edit({ durable_objects: bindings({ name: "ROOM", class_name: "Chat" }) });
    expect(inferRenames(undefined, config, exports("Chat")).renames).toEqual({ ...none, classes: [{ from: "Room", to: "Chat" }] });
    // The code still exports Room: maybe a new class; nothing is guessed.
    expect(inferRenames(undefined, config, exports("Chat", "Room")).renames).toEqual(none);
  });

  it("with a record already up to date, still finishes an editor rename", () => {
    const config = edit({ durable_objects: bindings({ name: "ROOM", class_name: "Chat" }) });
    expect(inferRenames(recordFromConfig(config), config, exports("Chat")).renames.classes).toEqual([{ from: "Room", to: "Chat" }]);
  });

  it("never asks for the code's exports when no class question needs them", () => {
    const asked = () => {
      throw new Error("asked");
    };
    const noObjects = edit({ durable_objects: bindings(), migrations: [], kv_namespaces: [{ binding: "STORE", id: ID2 }] });
    expect(inferRenames(recordFromConfig({ ...noObjects, kv_namespaces: base.kv_namespaces }), noObjects, asked).questions).toHaveLength(2);
  });
});

describe("a class renamed in the editor only", () => {
  it("is asked about, naming both classes", () => {
    const { renames, questions } = inferRenames(record, base, exports("Chat"));
    expect(renames).toEqual(none);
    expect(questions.map((q) => q.renames)).toEqual([{ ...none, classes: [{ from: "Room", to: "Chat" }] }]);
  });
  it("is no question when the code cannot be read", () => {
    expect(inferRenames(record, base, () => undefined).questions).toEqual([]);
  });
});
