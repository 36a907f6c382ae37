/** `create --deploy`: when it is refused before anything is written, and what is read from wrangler's output. */
import { describe, expect, it } from "vitest";
import { deployCommand, deployedUrls, deployRefusal } from "../../src/core/project/deploy.js";

describe("deployRefusal", () => {
  const base = { deploy: true, install: true, hasToken: true, interactive: false };
  it("lets it run with a token, or in a terminal (which can log in)", () => {
    expect(deployRefusal(base)).toBeUndefined();
    expect(deployRefusal({ ...base, hasToken: false, interactive: true })).toBeUndefined();
  });
  it("refuses without a token and without a terminal, naming the variable", () => {
    expect(deployRefusal({ ...base, hasToken: false })).toContain("CLOUDFLARE_API_TOKEN");
  });
  it("refuses --no-install: the deploy needs the project's wrangler", () => {
    expect(deployRefusal({ ...base, install: false })).toContain("--no-install");
  });
  it("asks nothing of a run that does not deploy", () => {
    for (const deploy of [undefined, false]) expect(deployRefusal({ deploy, install: false, hasToken: false, interactive: false })).toBeUndefined();
  });
});

describe("deployedUrls", () => {
  it("reads the addresses wrangler prints, once each, not its links to the docs", () => {
    const output = [
      "Total Upload: 3.21 KiB / gzip: 1.10 KiB",
      "Uploaded app (1.02 sec)",
      "Deployed app triggers (0.31 sec)",
      "  https://app.fake.workers.dev",
      "  example.com/api/* (zone name: example.com)",
      "Current Version ID: 0d6c",
      "See https://developers.cloudflare.com/workers/ for more",
      "  https://app.fake.workers.dev",
    ].join("\n");
    expect(deployedUrls(output)).toEqual(["https://app.fake.workers.dev"]);
    expect(deployedUrls("No deploy targets for app")).toEqual([]);
  });
});

describe("deployCommand", () => {
  it.each([
    [{ name: "npm" as const }, "npx", ["wrangler", "deploy"]],
    [{ name: "pnpm" as const, version: "12.21.0" }, "pnpm", ["exec", "wrangler", "deploy"]],
    [{ name: "yarn" as const, version: "1.22.22" }, "yarn", ["wrangler", "deploy"]],
    [{ name: "yarn" as const, version: "4.18.1" }, "yarn", ["wrangler", "deploy"]],
  ])("runs the project's wrangler the %j way", (pm, file, args) => {
    expect(deployCommand(pm)).toMatchObject({ file, args });
  });
  it("bun runs it with its own runner, and --wrangler runs the given one", () => {
    expect(deployCommand({ name: "bun", version: "1.4.5" }).shown).toMatch(/^bun(x| x) wrangler deploy$/);
    expect(deployCommand({ name: "npm" }, "/opt/wrangler")).toEqual({ file: "/opt/wrangler", args: ["deploy"], shown: "wrangler deploy" });
  });
});
