import { describe, expect, it } from "vitest";
import { envNames, typesStale } from "../../src/core/types-env.js";

const typesWith = (members: string, name = "__BaseEnv_Env") =>
  `/* eslint-disable */\ninterface ${name} {${members}\n}\ninterface Env extends __BaseEnv_Env {}\n`;

describe("envNames", () => {
  it("reads past members whose types hold braces (a JSON var, a K2 stream)", () => {
    const text = typesWith(
      '\n\tOBJ: {"a":1,"b":[1,"x"]};\n\tK2: {\n\t\tsend(records: { content: ArrayBuffer }[]): Promise<{ success: true }>;\n\t};\n\tCACHE: KVNamespace;',
    );
    expect(envNames(text)).toEqual(new Set(["OBJ", "K2", "CACHE"]));
  });

  it("reads an empty block, an `interface Env` block, and optional members", () => {
    expect(envNames(typesWith(""))).toEqual(new Set());
    expect(envNames(typesWith("\n\tA?: string;\n\tB: Fetcher;", "Env"))).toEqual(new Set(["A", "B"]));
  });

  it("finds no block in a one-line interface, or in text without one", () => {
    expect(envNames("interface Env {}\nconst x = {\n\tA: 1,\n}\n")).toBeUndefined();
    expect(envNames(undefined)).toBeUndefined();
  });
});

describe("typesStale", () => {
  it("is stale for a bound name not declared, or a formerly bound name still declared", () => {
    expect(typesStale(new Set(["A"]), new Set(["A", "B"]))).toBe(true);
    expect(typesStale(new Set(["A", "OLD"]), new Set(["A"]), ["OLD"])).toBe(true);
    expect(typesStale(new Set(["A", "SECRET"]), new Set(["A"]), ["A"])).toBe(false);
  });
});
