/**
 * The GitHub Actions workflows cannot run here, so they are checked here: each is read by
 * GitHub's own workflow parser (@actions/workflow-parser, the schema the Actions service uses)
 * and must hold no error, and each says what the README promises of it.
 */
import { NoOperationTraceWriter, parseWorkflow } from "@actions/workflow-parser";
import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const dir = new URL("../../.github/workflows/", import.meta.url);
const workflows = readdirSync(dir).filter((name) => name.endsWith(".yml"));
const text = (name: string) => readFileSync(new URL(name, dir), "utf8");
const errorsIn = (name: string, content: string) =>
  parseWorkflow({ name, content }, new NoOperationTraceWriter())
    .context.errors.getErrors()
    .map((e) => e.message);

describe("workflows", () => {
  it("there are the CI and the release workflows", () => {
    expect(workflows.sort()).toEqual(["ci.yml", "release.yml"]);
  });

  it.each(workflows)("%s is valid for GitHub Actions", (name) => {
    expect(errorsIn(name, text(name))).toEqual([]);
  });

  it("the parser finds faults (a misspelt key, a broken expression)", () => {
    // GitHub's expression syntax, not a template literal: `$` and `{{` kept apart on purpose.
    const expression = (inner: string) => `$${"{{"} ${inner} }}`;
    const broken = text("ci.yml").replace("runs-on:", "run-on:").replace(expression("matrix.node"), expression("matrix.node("));
    expect(errorsIn("ci.yml", broken).length).toBeGreaterThanOrEqual(2);
  });

  it("CI runs the README's test command on ubuntu, macOS and Windows x Node 22.12, 24 and 26", () => {
    const ci = text("ci.yml");
    expect(ci).toContain("os: [ubuntu-latest, macos-latest, windows-latest]");
    expect(ci).toContain('node: ["22.12", "24", "26"]');
    const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
    expect(readme).toContain("npm ci && npm test");
    expect(ci).toMatch(/- run: npm ci\n/);
    expect(ci).toMatch(/run: npm test\n/);
    // The repository's own Node would otherwise run every job on 22.
    expect(ci).toContain("rm -f node_modules/.bin/node ");
  });

  it("release publishes on a version tag with provenance, after the tests", () => {
    const release = text("release.yml");
    expect(release).toMatch(/tags: \["v\*\.\*\.\*"\]/);
    expect(release).toContain("needs: test");
    expect(release).toContain("id-token: write");
    expect(release).toContain("npm publish --provenance");
  });
});
