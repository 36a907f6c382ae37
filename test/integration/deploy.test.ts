/**
 * `create --deploy` with the real wrangler against the fake Cloudflare API: KV ids first, then
 * the checks of `check`, then `wrangler deploy` through the package manager; refused before
 * anything is written when it cannot work; a failed upload leaves the project as created.
 */
import { execa } from "execa";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readConfig } from "../../src/core/config/read.js";
import type { Report } from "../../src/core/project/report.js";
import { main } from "../../src/cli.js";
import { Capture, FakeTtyIn, makeIo, waitFor } from "../helpers/io.js";
import { useFakeCloudflare } from "../helpers/use-fake-cloudflare.js";
import { BIN, childEnv, runCli } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const STEP = 600_000;
const cloudflare = useFakeCloudflare("cdk-deploy-home-");

describe("create --deploy", () => {
  it(
    "creates the KV namespaces, writes their ids, checks, deploys through npx, and prints the address",
    async () => {
      const cwd = tempDir();
      const result = await runCli(["dep", "--yes", "--deploy", "--no-git", "--pm", "npm", "--json"], {
        cwd,
        env: childEnv(cloudflare.env()),
        timeout: STEP,
      });
      expect(result.exitCode, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as Report;
      expect(report.deployed).toEqual({ urls: ["https://dep.fake.workers.dev"] });
      expect(result.stderr).toContain("Deployed: https://dep.fake.workers.dev");
      expect(result.stderr).toContain("The next deploy is safe for the Durable Objects and KV of dep");
      expect(result.stderr).toContain("Deploying with `npx wrangler deploy`");
      expect(cloudflare.fake.deployed.has("dep")).toBe(true);
      // The ids were in the config before the upload: the namespace was created once, by us.
      const config = readConfig(readFileSync(join(cwd, "dep", "wrangler.toml"), "utf8"), "toml");
      const id = config.kv_namespaces?.[0]?.id;
      expect(id).toMatch(/^[0-9a-f]{32}$/);
      expect([...cloudflare.fake.namespaces.values()]).toEqual([id]);
      const paths = cloudflare.fake.requests.map((r) => `${r.method} ${r.path}`);
      const created = paths.findIndex((p) => p.startsWith("POST") && p.includes("/storage/kv/namespaces"));
      const uploaded = paths.findIndex((p) => /^PUT .*\/workers\/scripts\/dep\b/.test(p));
      expect(created).toBeGreaterThanOrEqual(0);
      expect(uploaded).toBeGreaterThan(created);
    },
    STEP,
  );

  it(
    "in a terminal with credentials, asks after the create, default no: Enter deploys nothing",
    async () => {
      const cwd = tempDir();
      const screen = new Capture(true);
      const stdin = new FakeTtyIn();
      // Every value given as a flag but the environments (none: Enter), so the deploy question is the next.
      const argv = ["asked", "--name", "asked", "--class", "Room", "--do-binding", "ROOM", "--kv", "CACHE", "--format", "toml"];
      const { io, stderr } = makeIo({
        argv: [...argv, "--template", "default", "--lifecycle", "migrations", "--no-git", "--pm", "npm"],
        cwd,
        stdin,
        stdout: screen,
        env: childEnv(cloudflare.env({ CI: undefined })),
        // As the bin runs it from this clone: the project's check is the clone's, not a package
        // pinned at a version the registry does not have yet (its install would fail).
        bin: BIN,
      });
      const done = main(io);
      await waitFor(screen, "Environments", 0, 30_000);
      stdin.write("\r");
      await waitFor(screen, "Deploy now?", 0, STEP);
      stdin.write("\r");
      expect(await done, stderr.text).toBe(0);
      expect(screen.text).toMatch(/Deploy now\?[\s\S]*No/);
      expect(cloudflare.fake.deployed.has("asked")).toBe(false);
      expect(readConfig(readFileSync(join(cwd, "asked", "wrangler.toml"), "utf8"), "toml").kv_namespaces?.[0]?.id).toMatch(/^[0-9a-f]{32}$/);
    },
    STEP,
  );

  it("without a token and without a terminal: refused before anything is written, naming the variable (exit 2)", async () => {
    const cwd = tempDir();
    const env = childEnv(cloudflare.env({ CLOUDFLARE_API_TOKEN: undefined }));
    delete env.CLOUDFLARE_API_TOKEN;
    const result = await runCli(["nodeploy", "--yes", "--deploy"], { cwd, env });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("--deploy needs CLOUDFLARE_API_TOKEN");
    expect(readdirSync(cwd)).toEqual([]);
    expect(cloudflare.fake.requests).toEqual([]);
  });

  it("with --no-install: refused before anything is written (exit 2)", async () => {
    const cwd = tempDir();
    const result = await runCli(["noinstall", "--yes", "--deploy", "--no-install"], { cwd, env: childEnv(cloudflare.env()) });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("drop --no-install");
    expect(readdirSync(cwd)).toEqual([]);
  });

  it("--dry-run says it would deploy, and writes nothing", async () => {
    const cwd = tempDir();
    const result = await runCli(["dry", "--yes", "--deploy", "--dry-run"], { cwd, env: childEnv(cloudflare.env()) });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain("Would deploy with `npx wrangler deploy`");
    expect(readdirSync(cwd)).toEqual([]);
  });

  it(
    "a refused upload: exit 1 with wrangler's own message, and the project as created (ids, record, commit)",
    async () => {
      const cwd = tempDir();
      cloudflare.fake.mode = "upload-rejected";
      const result = await runCli(["broken", "--yes", "--deploy", "--pm", "npm"], { cwd, env: childEnv(cloudflare.env()), timeout: STEP });
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stderr).toContain("the fake refuses this upload");
      expect(result.stderr).toContain("the project is created as it stands");
      expect(result.stderr).toContain("cd broken && npm run deploy");
      const root = join(cwd, "broken");
      expect(readConfig(readFileSync(join(root, "wrangler.toml"), "utf8"), "toml").kv_namespaces?.[0]?.id).toMatch(/^[0-9a-f]{32}$/);
      expect(existsSync(join(root, "create-do-kv.json"))).toBe(true);
      expect(existsSync(join(root, ".git"))).toBe(true);
      expect(cloudflare.fake.deployed.has("broken")).toBe(false);
    },
    STEP,
  );

  it.runIf(process.getuid !== undefined)(
    "a node_modules others can write (umask 000): not deployed (exit 1), as its wrangler would run with the account's token; KV made with a wrangler that is safe",
    async () => {
      const cwd = tempDir();
      const args = ["open", "--yes", "--deploy", "--no-git", "--pm", "npm", "--json"];
      const result = await execa("sh", ["-c", 'umask 000 && exec "$0" "$@"', process.execPath, BIN, ...args], {
        cwd,
        env: childEnv(cloudflare.env()),
        reject: false,
        stdin: "ignore",
        timeout: STEP,
      });
      expect(result.exitCode, result.stderr).toBe(1);
      expect(result.stderr).toContain("Not deployed: ");
      expect(result.stderr).toContain("can be written by other users, so the project's wrangler could run their code");
      expect(result.stderr).toContain("passed over the project's, as other users can write");
      expect(cloudflare.fake.deployed.has("open")).toBe(false);
      expect(readConfig(readFileSync(join(cwd, "open", "wrangler.toml"), "utf8"), "toml").kv_namespaces?.[0]?.id).toMatch(/^[0-9a-f]{32}$/);
    },
    STEP,
  );
});
