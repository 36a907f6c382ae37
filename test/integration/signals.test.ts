/**
 * Signals to the CLI's pid, as CI runners, `timeout` and closed terminals send them: each ends the
 * run through the one path in interrupt.ts (its exit code, the --json object, the hint), and no
 * process the run started is left behind. Real npm, real wrangler, a fake Cloudflare API.
 */
import { execa } from "execa";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/core/config/read.js";
import type { Report } from "../../src/core/project/report.js";
import { useFakeCloudflare } from "../helpers/use-fake-cloudflare.js";
import { commandLine, descendants, survivors, until } from "../helpers/procs.js";
import { BIN, childEnv, REPO, SELF } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const WRANGLER = join(REPO, "node_modules", ".bin", "wrangler");
const cloudflare = useFakeCloudflare("cdk-signal-home-");

/** create-do-kv with --json and no terminal; `signal` is sent once `ready` holds for its tree. */
async function interrupt(args: string[], signal: NodeJS.Signals, ready: (tree: string[], cwd: string) => boolean) {
  const cwd = tempDir();
  const cli = execa(process.execPath, [BIN, ...args, "--json"], {
    cwd,
    env: childEnv(cloudflare.env()),
    reject: false,
    stdin: "ignore",
    timeout: 240_000,
  });
  const tree = await until(
    () => {
      const pids = descendants(cli.pid!);
      return ready(pids.map(commandLine), cwd) ? pids : undefined;
    },
    `the moment to send ${signal}`,
    180_000,
  );
  const sent = Date.now();
  process.kill(cli.pid!, signal);
  const result = await cli;
  return { cwd, result, tree, tookMs: Date.now() - sent, report: JSON.parse(String(result.stdout)) as Report };
}

describe.runIf(process.platform === "linux")("a signal to create-do-kv's pid, without a terminal", () => {
  it.each([
    ["SIGTERM", 143],
    ["SIGHUP", 129],
    ["SIGINT", 130],
  ] as const)(
    "%s while wrangler creates namespaces: exit %i, the --json object, every wrangler stopped, no id written",
    async (signal, code) => {
      cloudflare.fake.latencyMs = 30_000; // the API holds every call: only the signal can end this run soon
      const name = `sig-${signal.toLowerCase()}`;
      try {
        const { cwd, result, tree, tookMs, report } = await interrupt(
          [name, "--yes", "--no-install", "--no-git", "--kv", "A,B", "--wrangler", WRANGLER],
          signal,
          // both wranglers are waiting on the API, which holds their calls
          (commands) =>
            commands.filter((command) => command.includes("kv namespace create")).length >= 2 &&
            cloudflare.fake.requests.filter((request) => request.method === "POST" && JSON.stringify(request.body).includes(name)).length >= 2,
        );
        expect(result.exitCode, String(result.stderr)).toBe(code);
        expect(tookMs).toBeLessThan(15_000);
        expect(report).toMatchObject({ status: "cancelled", exitCode: code });
        expect(report.error).toContain(
          signal === "SIGINT" ? "Cancelled during: Creating KV namespaces" : `Stopped by ${signal} during: Creating KV namespaces`,
        );
        expect(String(result.stderr)).toContain(`To finish: cd ${name} && ${SELF} sync --wrangler ${WRANGLER}`);
        expect(await survivors(tree)).toEqual([]);
        const config = readConfig(readFileSync(join(cwd, name, "wrangler.toml"), "utf8"), "toml");
        expect(config.kv_namespaces?.map((kv) => kv.id)).toEqual([undefined, undefined]);
      } finally {
        cloudflare.fake.latencyMs = 0;
      }
    },
    240_000,
  );

  it("SIGTERM during the install: exit 143, npm's whole tree stopped, the files kept, the command that finishes printed", async () => {
    const { cwd, result, tree, report } = await interrupt(
      ["app", "--yes", "--no-git", "--no-create-kv", "--pm", "npm"],
      "SIGTERM",
      // npm is writing the project's node_modules
      (commands, cwd) => commands.some((command) => /\bnpm\b/.test(command)) && existsSync(join(cwd, "app", "node_modules")),
    );
    expect(result.exitCode, String(result.stderr)).toBe(143);
    expect(report).toMatchObject({ status: "cancelled", exitCode: 143, installed: false });
    expect(report.error).toContain("Stopped by SIGTERM during: Installing dependencies");
    expect(String(result.stderr)).toContain(`To finish: cd app && npm i && ${SELF} sync`);
    expect(await survivors(tree)).toEqual([]);
    expect(existsSync(join(cwd, "app", "src", "index.ts"))).toBe(true);
    expect(readConfig(readFileSync(join(cwd, "app", "wrangler.toml"), "utf8"), "toml").name).toBe("app");
  }, 240_000);
});
