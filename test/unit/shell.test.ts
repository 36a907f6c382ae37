import { describe, expect, it } from "vitest";
import { runsFromPackage, selfCommand, speakAs } from "../../src/core/project/shell.js";

describe("how printed commands run create-do-kv again", () => {
  it("from a package: the manager's runner, whatever Node runs now", () => {
    expect(selfCommand("npx", "/home/a/.npm/_npx/1/node_modules/create-do-kv/bin/create-do-kv.cjs", "posix", "/opt/node/bin/node")).toBe(
      "npx create-do-kv",
    );
    expect(selfCommand("pnpm dlx", undefined)).toBe("pnpm dlx create-do-kv");
    expect(runsFromPackage("C:\\p\\node_modules\\create-do-kv\\bin\\create-do-kv.cjs")).toBe(true);
  });

  it("from a clone: this file on this Node, since the shell's `node` may be too old for it", () => {
    expect(selfCommand("npx", "/src/create-do-kv/bin/create-do-kv.cjs", "posix", "/src/create-do-kv/node_modules/node/bin/node")).toBe(
      "/src/create-do-kv/node_modules/node/bin/node /src/create-do-kv/bin/create-do-kv.cjs",
    );
    expect(selfCommand("npx", "/my clone/bin/create-do-kv.cjs", "posix", "/usr/bin/node")).toBe("/usr/bin/node '/my clone/bin/create-do-kv.cjs'");
    expect(runsFromPackage("/src/create-do-kv/bin/create-do-kv.cjs")).toBe(false);
  });
});

describe("speakAs", () => {
  const self = "/n/node /c/bin/create-do-kv.cjs";

  it("names the clone's command wherever a message names the published one", () => {
    expect(speakAs("Run `npx create-do-kv sync` first, then add.", self)).toBe(`Run \`${self} sync\` first, then add.`);
    expect(speakAs("    npx --yes create-do-kv my-app --yes\n    npx create-do-kv check", self)).toBe(`    ${self} my-app --yes\n    ${self} check`);
    expect(speakAs("ends with npx create-do-kv", self)).toBe(`ends with ${self}`);
  });

  it("leaves other words alone, and everything when it runs as the package", () => {
    expect(speakAs("npx create-do-kv-extra and create-do-kv check and npx wrangler types", self)).toBe(
      "npx create-do-kv-extra and create-do-kv check and npx wrangler types",
    );
    expect(speakAs("Run `npx create-do-kv sync`.", "npx create-do-kv")).toBe("Run `npx create-do-kv sync`.");
  });
});
