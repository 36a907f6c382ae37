import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseCreatedNamespaceId, parseNamespaceList, titleAlreadyExists, wranglerErrorMessage } from "../../src/core/kv/wrangler-output.js";

/** Outputs recorded from wrangler 4.164.0 against the fake API (wrangler 3's shape from the notes). */
const fixture = (name: string) => readFileSync(new URL(`../fixtures/wrangler/${name}`, import.meta.url), "utf8");

describe("parseCreatedNamespaceId", () => {
  it.each([
    ["create-toml.stdout.txt", "id", "475b01396075d308eec9f52dd20968ed"],
    ["create-toml-color-banner.stdout.txt", "id", "23e9b28674dc58fc8c9820a32bb3b13b"],
    ["create-jsonc.stdout.txt", "id", "8d84f87a806c10ee2a04de2453ab890e"],
    ["create-wrangler3.stdout.txt", "id", "0f2ac74b498b48028cb68387c421e279"],
    ["create-preview.stdout.txt", "preview_id", "cff7947580cdf15916d3175605fc939e"],
  ] as const)("reads the %s snippet's %s", (file, field, id) => {
    expect(parseCreatedNamespaceId(fixture(file), field)).toBe(id);
  });

  it.each([
    ["create-preview.stdout.txt", "id"],
    ["create-toml.stdout.txt", "preview_id"],
    ["create-duplicate.stderr.txt", "id"],
  ] as const)("finds no %s... in %s when that kind is not there", (file, field) => {
    expect(parseCreatedNamespaceId(fixture(file), field)).toBeUndefined();
  });

  it("reads only the snippet: an id-like line before it is not taken", () => {
    const logged = `[debug] account id = "ffffffffffffffffffffffffffffffff"\n${fixture("create-toml.stdout.txt")}`;
    expect(parseCreatedNamespaceId(logged, "id")).toBe("475b01396075d308eec9f52dd20968ed");
    expect(parseCreatedNamespaceId('id = "475b01396075d308eec9f52dd20968ed"\nno snippet here', "id")).toBeUndefined();
  });

  it.each([
    ['[[kv_namespaces]]\nid = "not-hex-0000000000000000000000"', "id"],
    ['[[kv_namespaces]]\nid = "475b01396075d308eec9f52dd20968e"', "id"], // 31 characters
    ['[[kv_namespaces]]\nkv_id = "475b01396075d308eec9f52dd20968ed"', "id"],
  ] as const)("ignores things that only look like an id: %s", (text, field) => {
    expect(parseCreatedNamespaceId(text, field)).toBeUndefined();
  });
});

describe("parseNamespaceList", () => {
  it("reads the array wrangler prints", () => {
    expect(parseNamespaceList(fixture("list.stdout.txt"))).toEqual([
      { id: "23e9b28674dc58fc8c9820a32bb3b13b", title: "rec-banner", supports_url_encoding: true },
      { id: "475b01396075d308eec9f52dd20968ed", title: "rec-cache", supports_url_encoding: true },
      { id: "cff7947580cdf15916d3175605fc939e", title: "rec-cache_preview", supports_url_encoding: true },
      { id: "8d84f87a806c10ee2a04de2453ab890e", title: "rec-json", supports_url_encoding: true },
    ]);
  });
  it("tolerates a banner before the array", () => {
    const text = ` ⛅️ wrangler 4.164.0\n────\n[{"id":"475b01396075d308eec9f52dd20968ed","title":"t"}]`;
    expect(parseNamespaceList(text)).toEqual([{ id: "475b01396075d308eec9f52dd20968ed", title: "t" }]);
  });
  it("fails on output without an array", () => {
    expect(() => parseNamespaceList("nothing here")).toThrow("no JSON array");
  });
});

describe("wrangler errors", () => {
  it("recognises a duplicate title", () => {
    expect(titleAlreadyExists(fixture("create-duplicate.stderr.txt"))).toBe(true);
    expect(titleAlreadyExists(fixture("create-bad-token.stderr.txt"))).toBe(false);
  });
  it.each([
    ["create-duplicate.stderr.txt", '✘ [ERROR] A KV namespace with the title "rec-cache" already exists.'],
    ["create-bad-token.stderr.txt", "✘ [ERROR] A request to the Cloudflare API failed.\nAuthentication error [code: 10000]"],
    ["create-server-error.stderr.txt", "✘ [ERROR] A request to the Cloudflare API failed.\nInternal server error [code: 10001]"],
    ["create-no-token.stderr.txt", "it's necessary to set a CLOUDFLARE_API_TOKEN"],
  ])("keeps wrangler's own message from %s, without colours or log paths", (file, text) => {
    const message = wranglerErrorMessage(fixture(file));
    expect(message).toContain(text);
    expect(message).not.toContain("\u001b[");
    expect(message).not.toContain("Logs were written");
  });
});
