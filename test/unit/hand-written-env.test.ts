import { describe, expect, it } from "vitest";
import { handWrittenEnvAt, withEnvMembers } from "../../src/core/types-env.js";

const members = [
  { name: "COUNTER", type: 'DurableObjectNamespace<import("./counter").Counter>' },
  { name: "COUNTS", type: "KVNamespace" },
];

describe("a hand-written Env gets the new bindings", () => {
  it("at the end of the interface, at its members' indent; the rest byte for byte", () => {
    const text = "// mine\ninterface Env {\n  DB: D1Database; // the notes\n  MODE: string;\n}\n\nexport {};\n";
    expect(withEnvMembers(text, members)).toBe(
      '// mine\ninterface Env {\n  DB: D1Database; // the notes\n  MODE: string;\n  COUNTER: DurableObjectNamespace<import("./counter").Counter>;\n  COUNTS: KVNamespace;\n}\n\nexport {};\n',
    );
  });

  it("leaves out what it declares already, reads past nested braces, keeps CRLF", () => {
    const text = "export interface Env {\r\n\tCOUNTS: KVNamespace;\r\n\tOPTS: { a: { b: 1 } };\r\n}\r\n";
    expect(withEnvMembers(text, members)).toBe(
      'export interface Env {\r\n\tCOUNTS: KVNamespace;\r\n\tOPTS: { a: { b: 1 } };\r\n\tCOUNTER: DurableObjectNamespace<import("./counter").Counter>;\r\n}\r\n',
    );
    expect(withEnvMembers(text, [members[1]!])).toBe(text);
  });

  it("an empty or one-line interface, and none at all", () => {
    expect(withEnvMembers("interface Env {}\n", [members[1]!])).toBe("interface Env {\n\tCOUNTS: KVNamespace;\n}\n");
    expect(withEnvMembers("interface Other {}\n", members)).toBeUndefined();
    expect(handWrittenEnvAt("declare global {\n  interface Env {\n  }\n}\n")).toBeGreaterThan(0);
  });
});
