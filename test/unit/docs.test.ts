/** The docs hold together: the README stays a front door, and every relative link reaches its page and heading. */
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const REPO = resolve(import.meta.dirname, "..", "..");
const PAGES = ["README.md", "CONTRIBUTING.md", "BENCHMARKS.md", ...readdirSync(join(REPO, "docs")).map((name) => join("docs", name))];

/** GitHub's anchor for a heading: lower case, punctuation but - and _ dropped, spaces as -. */
const anchor = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .replace(/\s/g, "-");

function headings(file: string): Set<string> {
  const text = readFileSync(join(REPO, file), "utf8").replace(/```[\s\S]*?```/g, "");
  return new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
}

describe("the docs", () => {
  it("the README is at most 12 kB and names the two commands", () => {
    const readme = readFileSync(join(REPO, "README.md"), "utf8");
    expect(Buffer.byteLength(readme)).toBeLessThanOrEqual(12_000);
    expect(readme).toContain("npm ci && npm run create -- my-app --yes");
    expect(readme).toContain("npm ci && npm test");
  });

  it("every relative link reaches an existing file, and its #heading", () => {
    const broken: string[] = [];
    for (const page of PAGES) {
      const text = readFileSync(join(REPO, page), "utf8").replace(/```[\s\S]*?```/g, "");
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^[a-z]+:/.test(target!)) continue; // https:, mailto:
        const [path, hash] = target!.split("#");
        const file = path ? join(dirname(page), path) : page;
        let ok = false;
        try {
          ok = statSync(join(REPO, file)).isFile() || statSync(join(REPO, file)).isDirectory();
        } catch {
          ok = false;
        }
        if (ok && hash && file.endsWith(".md")) ok = headings(file).has(hash);
        if (!ok) broken.push(`${page}: ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });
});
