import { describe, expect, it } from "vitest";
import {
  instanceNoun,
  splitList,
  toUpperSnake,
  validateBindingName,
  validateClassName,
  validateKvBindings,
  validateWorkerName,
  workerNameFromDirectory,
  pathNotes,
} from "../../src/core/project/names.js";

describe("validateWorkerName", () => {
  it.each(["a", "my-app", "app2", "a-b-c", "x".repeat(63), "0day"])("accepts %s", (name) => {
    expect(validateWorkerName(name)).toBeUndefined();
  });
  it.each([
    ["", "empty"],
    ["My-App", "lowercase"],
    ["-app", "dash"],
    ["app-", "dash"],
    ["my_app", "lowercase letters, digits and dashes"],
    ["my app", "lowercase letters"],
    ["x".repeat(64), "at most 63"],
    ['a"b', "lowercase"],
  ])("refuses %j", (name, says) => {
    expect(validateWorkerName(name)).toContain(says);
  });
});

describe("validateKvBindings count", () => {
  it("takes 100 bindings and refuses 101, saying why", () => {
    const names = (n: number) => Array.from({ length: n }, (_, i) => `KV${i}`);
    expect(validateKvBindings(names(100))).toBeUndefined();
    expect(validateKvBindings(names(101))).toBe("At most 100 KV bindings (each is a namespace, and an account holds 1,000); 101 were given.");
  });
});

describe("validateClassName", () => {
  it.each(["Room", "ChatRoom", "Room2", "HTTPCache", "R", `R${"a".repeat(190)}`])("accepts %s", (name) => {
    expect(validateClassName(name)).toBeUndefined();
  });
  it("refuses a name too long for local Durable Object storage, saying the limit and why", () => {
    expect(validateClassName(`R${"a".repeat(191)}`)).toBe(
      'A Durable Object class name is at most 191 characters (local storage keeps each class in a folder named "<worker>-<class>", 255 bytes at most, and a Worker name may have 63); this one has 192.',
    );
  });
  it.each([
    ["room", "PascalCase"],
    ["Chat_Room", "PascalCase"],
    ["2Room", "PascalCase"],
    ["Chat-Room", "PascalCase"],
    ["", "PascalCase"],
    ["Room$", "PascalCase"],
    ["DurableObject", "already used"],
    ["Env", "already used"],
    ["Response", "already used"],
    ["Promise", "already used"],
  ])("refuses %j", (name, says) => {
    expect(validateClassName(name)).toContain(says);
  });
});

describe("validateBindingName", () => {
  it.each(["CACHE", "kv", "_private", "$x", "MY_KV_2", "camelCase", "__VITEST_POOL_WORKER", "VITEST_POOL_WORKERS_X"])("accepts %s", (name) => {
    expect(validateBindingName(name)).toBeUndefined();
  });
  it.each([
    ["2KV", "not a valid binding"],
    ["MY-KV", "not a valid binding"],
    ["my kv", "not a valid binding"],
    ["", "not a valid binding"],
    ['A"B', "not a valid binding"],
    ["class", "reserved"],
    ["default", "reserved"],
    ["constructor", "reserved"],
    ["__VITEST_POOL_WORKERS_LOOPBACK_SERVICE", "keeps for its own bindings"],
    ["__VITEST_POOL_WORKERS_X", "keeps for its own bindings"],
  ])("refuses %j", (name, says) => {
    expect(validateBindingName(name)).toContain(says);
  });
});

describe("validateKvBindings", () => {
  it("accepts distinct valid names", () => {
    expect(validateKvBindings(["CACHE", "SESSIONS"], "ROOM")).toBeUndefined();
  });
  it.each([
    [[], "ROOM", "at least one"],
    [["CACHE", "CACHE"], "ROOM", 'name "CACHE" is used twice'],
    [["ROOM"], "ROOM", '"ROOM" is already the Durable Object binding'],
    [["OK", "no-good"], "ROOM", '"no-good" is not a valid binding'],
  ])("refuses %j with DO binding %s", (names, doBinding, says) => {
    expect(validateKvBindings(names, doBinding)).toContain(says);
  });
});

describe("name conversions", () => {
  it.each([
    ["Room", "ROOM"],
    ["ChatRoom", "CHAT_ROOM"],
    ["HTTPCache", "HTTP_CACHE"],
    ["Room2Go", "ROOM2_GO"],
  ])("toUpperSnake(%s) = %s", (input, output) => {
    expect(toUpperSnake(input)).toBe(output);
  });
  it.each([
    ["my-app", "my-app"],
    ["My App!", "my-app"],
    ["__", "do-kv-app"],
    ["Ünïcode", "n-code"],
    ["a".repeat(70), "a".repeat(63)],
    [`${"x".repeat(62)}-y`, "x".repeat(62)],
  ])("workerNameFromDirectory(%j) = %j", (dir, name) => {
    expect(workerNameFromDirectory(dir)).toBe(name);
    expect(validateWorkerName(workerNameFromDirectory(dir))).toBeUndefined();
  });
  it("splits comma lists and repeated flags", () => {
    expect(splitList(["A, B", "C", " ,D,"])).toEqual(["A", "B", "C", "D"]);
  });
});

describe("pathNotes", () => {
  it.each([
    ["/home/me/app", []],
    ["/home/me/c#/app", ['holds "#"']],
    ["/home/me/what?/app", ['holds "?"']],
    ["/x#y?z", ['holds "#"', 'holds "?"']],
  ])("%s", (path, says) => {
    const notes = pathNotes(path);
    expect(notes).toHaveLength(says.length);
    for (const [i, text] of says.entries()) expect(notes[i]).toContain(text);
  });
});

describe("instanceNoun", () => {
  it.each([
    ["Room", "room"],
    ["Counter", "counter"],
    ["ChatRoom", "chat room"],
    ["HTTPCache", "http cache"],
    ["Room2Go", "room2 go"],
  ])("%s -> %s", (className, noun) => {
    expect(instanceNoun(className)).toBe(noun);
  });
});
