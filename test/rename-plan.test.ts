import { describe, expect, it } from "vitest";
import type { WranglerConfig } from "../src/core/config-read.js";
import { recordFromConfig } from "../src/core/record.js";
import { checkRenames, migrationFor, nextMigrationTag, renamesFromRecord } from "../src/core/rename-plan.js";
import { UsageError } from "../src/errors.js";

const ID = "0123456789abcdef0123456789abcdef";
const config: WranglerConfig = {
  name: "app",
  durable_objects: { bindings: [{ name: "ROOM", class_name: "Room" }] },
  migrations: [{ tag: "v1", new_sqlite_classes: ["Room"] }],
  kv_namespaces: [{ binding: "CACHE", id: ID }, { binding: "LOG" }],
};
const none = { classes: [], doBindings: [], kv: [] };

describe("checkRenames", () => {
  it("keeps what is to do and drops what is already done", () => {
    const { todo, done } = checkRenames(config, {
      classes: [{ from: "Old", to: "Room" }],
      doBindings: [{ from: "ROOM", to: "ROOMS" }],
      kv: [{ from: "CACHE", to: "STORE" }],
    });
    expect(todo).toEqual({ classes: [], doBindings: [{ from: "ROOM", to: "ROOMS" }], kv: [{ from: "CACHE", to: "STORE" }] });
    expect(done).toEqual(["Durable Object class Old is already Room"]);
  });
  it.each([
    [{ ...none, kv: [{ from: "NOPE", to: "X" }] }, 'there is no KV binding "NOPE"'],
    [{ ...none, kv: [{ from: "CACHE", to: "LOG" }] }, '"LOG" is already used'],
    [{ ...none, kv: [{ from: "CACHE", to: "ROOM" }] }, '"ROOM" is already used'],
    [{ ...none, doBindings: [{ from: "ROOM", to: "CACHE" }] }, '"CACHE" is already used'],
    [{ ...none, classes: [{ from: "Room", to: "room" }] }, "not a valid class name"],
    [{ ...none, classes: [{ from: "Room", to: "Response" }] }, "already used by the generated code"],
  ])("refuses %j", (renames, message) => {
    expect(() => checkRenames(config, renames)).toThrow(UsageError);
    expect(() => checkRenames(config, renames)).toThrow(message);
  });
});

describe("migrations", () => {
  it.each([
    [[], "v1"],
    [[{ tag: "v1" }], "v2"],
    [[{ tag: "v1" }, { tag: "v7" }], "v8"],
    [[{ tag: "initial" }, { tag: "second" }], "v3"],
  ])("after %j the next tag is %s", (steps, tag) => {
    expect(nextMigrationTag(steps)).toBe(tag);
  });
  it("adds no step for a rename a migration already records", () => {
    const withStep = { ...config, migrations: [...config.migrations!, { tag: "v2", renamed_classes: [{ from: "Room", to: "Chat" }] }] };
    expect(migrationFor(withStep, [{ from: "Room", to: "Chat" }])).toBeUndefined();
    expect(migrationFor(config, [{ from: "Room", to: "Chat" }])).toEqual({
      tag: "v2",
      renamed_classes: [{ from: "Room", to: "Chat" }],
    });
  });
});

describe("renamesFromRecord", () => {
  const record = recordFromConfig(config);
  it("finds nothing when nothing changed", () => {
    expect(renamesFromRecord(record, config)).toEqual(none);
  });
  it("tells a KV rename (same id) from an added binding, and finds DO renames", () => {
    const edited: WranglerConfig = {
      ...config,
      durable_objects: { bindings: [{ name: "ROOMS", class_name: "Chat" }] },
      kv_namespaces: [{ binding: "STORE", id: ID }, { binding: "LOG" }, { binding: "NEW" }],
    };
    expect(renamesFromRecord(record, edited)).toEqual({
      classes: [{ from: "Room", to: "Chat" }],
      doBindings: [{ from: "ROOM", to: "ROOMS" }],
      kv: [{ from: "CACHE", to: "STORE" }],
    });
  });
  it("refuses a changed Worker name", () => {
    expect(() => renamesFromRecord(record, { ...config, name: "other" })).toThrow("transferred_classes");
  });
});
