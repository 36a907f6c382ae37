/**
 * What people see on the common paths, as snapshots (paths normalised), so a change to the
 * human output is a visible diff in review: a create without a terminal, a refusal, commander's
 * own error, and a stalled step in a log.
 */
import { existsSync } from "node:fs";
import { describe, expect, it, vi } from "vitest";
import { main } from "../../src/cli.js";
import { createUi } from "../../src/effects/ui.js";
import { Capture, makeIo } from "../helpers/io.js";
import { REPO } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

async function seen(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const cwd = tempDir();
  const { io, stdout, stderr } = makeIo({ argv, cwd, env: { CI: "true", npm_config_user_agent: "npm/11.19.1 node/v22.23.3 linux x64" } });
  const code = await main(io);
  const tidy = (text: string) => text.split(cwd).join("<cwd>").split(REPO).join("<package>");
  return { code, out: tidy(stdout.text), err: tidy(stderr.text) };
}

describe("human output", () => {
  it("a create without a terminal", async () => {
    const { code, out, err } = await seen(["app", "--yes", "--no-install", "--no-git", "--no-create-kv"]);
    expect(code).toBe(0);
    // The docs line points at a page the package carries.
    expect(existsSync(out.trimEnd().split("\n").at(-1)!.replace("Docs: <package>", REPO))).toBe(true);
    expect(out).toMatchInlineSnapshot(`
      "✔ Created app in <cwd>/app

        Durable Object  Room as env.ROOM
        KV              env.CACHE
        Config          wrangler.toml

      Next steps:
        cd app
        npm i
        npm run cf-typegen   # worker-configuration.d.ts: the types tsc and your editor need
        npm run dev          # local Worker, Durable Object and KV
        npm run test         # tests in the Workers runtime
        npm run deploy       # needs \`npx wrangler login\` or CLOUDFLARE_API_TOKEN
      Docs: <package>docs/flags-and-prompts.md
      "
    `);
    expect(err).toMatchInlineSnapshot(`
      "▲ KV namespaces not created: --no-create-kv was given. To create them later: cd app && npx create-do-kv sync
      "
    `);
  });

  it("a refusal", async () => {
    const { code, out, err } = await seen(["app", "--yes", "--class", "Env"]);
    expect(code).toBe(2);
    expect(out).toBe("");
    expect(err).toMatchInlineSnapshot(`
      "✖ --class: "Env" is already used by the generated code or the Workers runtime; choose another class name.
      "
    `);
  });

  it("commander's own error", async () => {
    const { code, err } = await seen(["app", "--dryrun"]);
    expect(code).toBe(2);
    expect(err).toMatchInlineSnapshot(`
      "✖ unknown option '--dryrun' (did you mean --dry-run?)
        Run \`create-do-kv --help\` for usage.
      "
    `);
  });

  it("a step that stalls, in a log: a plain line every 30 s, no spinner codes", async () => {
    vi.useFakeTimers();
    try {
      const out = new Capture(false);
      const ui = createUi(out, new Capture(false), { env: {}, color: false });
      const step = ui.step(
        "Installing dependencies with `npm i`",
        "Dependencies installed.",
        () => new Promise((resolve) => setTimeout(resolve, 65_000)),
      );
      await vi.advanceTimersByTimeAsync(65_000);
      await step;
      expect(out.text).toMatchInlineSnapshot(`
        "Installing dependencies with \`npm i\` ...
          still running after 30 s: Installing dependencies with \`npm i\`
          still running after 60 s: Installing dependencies with \`npm i\`
        ✔ Dependencies installed.
        "
      `);
    } finally {
      vi.useRealTimers();
    }
  });
});
