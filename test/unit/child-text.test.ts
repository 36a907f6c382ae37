/** Child output made fit to show: controls and colours out, secrets replaced. */
import { describe, expect, it } from "vitest";
import { REDACTED, secretsOf, shownText } from "../../src/core/child-text.js";

describe("secretsOf", () => {
  it("takes the credentials wrangler reads, not short or empty values", () => {
    expect(secretsOf({ CLOUDFLARE_API_TOKEN: "abcdefgh1234", CLOUDFLARE_API_KEY: "short", CF_API_TOKEN: "", PATH: "/usr/bin:/bin" })).toEqual([
      "abcdefgh1234",
    ]);
  });
});

describe("shownText", () => {
  it.each([
    ["a token from the environment", "Token abcdefgh1234 is bad", ["abcdefgh1234"], `Token ${REDACTED} is bad`],
    ["every occurrence", "abcdefgh1234/abcdefgh1234", ["abcdefgh1234"], `${REDACTED}/${REDACTED}`],
    ["a Bearer header with a token we were not told", "header: Bearer zzzzzzzzzzzz.yyy", [], `header: Bearer ${REDACTED}`],
    ["NUL, SOH and BEL", "a\u0000b\u0001c\u0007d", [], "abcd"],
    ["colours and cursor moves", "\u001b[31mred\u001b[0m \u001b[2Kline", [], "red line"],
    ["carriage returns", "progress\r\ndone\rnext", [], "progress\ndone\nnext"],
    ["tabs and newlines kept", "a\tb\nc", [], "a\tb\nc"],
    [
      "text without any of it, unchanged",
      '✘ [ERROR] A KV namespace with the title "x" already exists.',
      ["abcdefgh1234"],
      '✘ [ERROR] A KV namespace with the title "x" already exists.',
    ],
  ])("%s", (_, text, secrets, shown) => {
    expect(shownText(text, secrets)).toBe(shown);
  });
});
