import { describe, expect, it } from "vitest";
import { describeRenames } from "../../src/commands/apply-renames.js";
import { readConfig } from "../../src/core/config/read.js";

describe("describeRenames", () => {
  const renames = { classes: [], doBindings: [], kv: [{ from: "CACHE", to: "STORE" }] };

  it("says the namespace id is kept only where the binding has one", () => {
    const withId = readConfig('name = "a"\n[[kv_namespaces]]\nbinding = "STORE"\nid = "0123456789abcdef0123456789abcdef"\n', "toml");
    expect(describeRenames(renames, undefined, withId)).toBe("  KV binding CACHE -> STORE (namespace id kept)");
    const withoutId = readConfig('name = "a"\n[[kv_namespaces]]\nbinding = "STORE"\n', "toml");
    expect(describeRenames(renames, undefined, withoutId)).toBe("  KV binding CACHE -> STORE (no namespace id yet: sync creates one)");
  });

  it("counts an id in an environment as kept", () => {
    const inEnv = readConfig('name = "a"\n[[kv_namespaces]]\nbinding = "STORE"\n[[env.prod.kv_namespaces]]\nbinding = "STORE"\nid = "ab"\n', "toml");
    expect(describeRenames(renames, undefined, inEnv)).toContain("(namespace id kept)");
  });
});
