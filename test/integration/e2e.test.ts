/**
 * End to end: scaffold with the built CLI, install the project's own dependencies from the
 * registry, then run what its user would run. No Cloudflare account, no network but the registry.
 */
import { execa } from "execa";
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readConfig } from "../../src/core/config/read.js";
import { COMPATIBILITY_DATE } from "../../src/core/project/versions.js";
import { freePort, inProject, waitForServer } from "../helpers/project.js";
import { startFakeCloudflare, type FakeCloudflare } from "../helpers/fake-cloudflare.js";
import { childEnv, runCli } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const STEP = 600_000;

const plain = { cls: "Room", doBinding: "ROOM", kv: ["CACHE"] };
const variants = [
  { dir: "plain-toml", args: ["--yes"], format: "toml", names: plain, tests: 10, broadcast: false, lifecycle: "migrations", envs: [] },
  {
    dir: "plain-jsonc",
    args: ["--yes", "--format", "jsonc", "--env", "staging,production"],
    format: "jsonc",
    names: plain,
    tests: 10,
    broadcast: false,
    lifecycle: "migrations",
    envs: ["staging", "production"],
  },
  {
    dir: "custom-names",
    args: [
      "--class",
      "ChatRoom",
      "--do-binding",
      "ROOMS",
      "--kv",
      "CACHE",
      "--kv",
      "SESSIONS",
      "--lifecycle",
      "exports",
      "--env",
      "staging",
      "--env",
      "production",
    ],
    format: "toml",
    names: { cls: "ChatRoom", doBinding: "ROOMS", kv: ["CACHE", "SESSIONS"] },
    tests: 10,
    broadcast: false,
    lifecycle: "exports",
    envs: ["staging", "production"],
  },
  {
    dir: "broadcast-toml",
    args: ["--yes", "--template", "broadcast", "--env", "staging,production"],
    format: "toml",
    names: plain,
    tests: 9,
    broadcast: true,
    lifecycle: "migrations",
    envs: ["staging", "production"],
  },
  {
    dir: "broadcast-jsonc",
    args: ["--yes", "--template", "broadcast", "--format", "jsonc", "--lifecycle", "exports", "--env", "staging,production"],
    format: "jsonc",
    names: plain,
    tests: 9,
    broadcast: true,
    lifecycle: "exports",
    envs: ["staging", "production"],
  },
] as const;

/** A WebSocket client that collects what it receives. */
async function socket(url: string) {
  const ws = new WebSocket(url);
  const messages: unknown[] = [];
  ws.addEventListener("message", (event) => messages.push(JSON.parse(String(event.data))));
  await new Promise((resolve, reject) => {
    ws.addEventListener("open", resolve, { once: true });
    ws.addEventListener("error", reject, { once: true });
  });
  return { ws, messages };
}

async function until(check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const workspace = tempDir("cdk-e2e-");
let fake: FakeCloudflare;
beforeAll(async () => {
  fake = await startFakeCloudflare();
});
afterAll(() => fake.close());

describe.each(variants)("a project made with $args", ({ dir, args, format, names, tests, broadcast, lifecycle, envs }) => {
  const root = join(workspace, dir);
  const project = inProject(root);

  beforeAll(async () => {
    // The CLI installs the project, then creates the KV namespaces with the project's own
    // wrangler against the fake API, so the project is checked with real ids in its config.
    const created = await runCli([dir, ...args], {
      cwd: workspace,
      env: childEnv(fake.env(tempDir("cdk-e2e-home-"))),
      timeout: STEP,
    });
    expect(created.stderr).toBe("");
    expect(created.exitCode).toBe(0);
    expect(created.stdout).toContain("Dependencies installed.");
    expect(created.stdout).toContain("Creating KV namespaces with wrangler (the project's node_modules)");
    expect(created.stdout).toContain("Initialized a git repository with a first commit.");
  }, STEP);

  it("has every name where it belongs", () => {
    const config = readConfig(readFileSync(join(root, `wrangler.${format}`), "utf8"), format);
    expect(config.name).toBe(dir);
    expect(config.durable_objects?.bindings).toEqual([{ name: names.doBinding, class_name: names.cls }]);
    if (lifecycle === "exports") {
      expect(config.migrations).toBeUndefined();
      expect(config.exports).toEqual({ [names.cls]: { type: "durable-object", storage: "sqlite" } });
    } else {
      expect(config.migrations).toEqual([{ tag: "v1", new_sqlite_classes: [names.cls] }]);
      expect(config.exports).toBeUndefined();
    }
    expect(config.observability).toEqual({ enabled: true });
    // Each environment repeats every binding, and each KV binding there has a namespace of its own.
    expect(Object.keys(config.env ?? {})).toEqual(envs);
    const ids = [config, ...envs.map((env) => config.env![env]!)].flatMap((section) => (section.kv_namespaces ?? []).map((kv) => kv.id));
    expect(ids).toHaveLength(names.kv.length * (1 + envs.length));
    expect(new Set(ids).size).toBe(ids.length);
    for (const env of envs) {
      expect(config.env![env]!.durable_objects?.bindings).toEqual([{ name: names.doBinding, class_name: names.cls }]);
      expect(config.env![env]!.kv_namespaces?.map((kv) => kv.binding)).toEqual(names.kv);
    }
    for (const kv of names.kv) {
      for (const env of envs)
        expect(fake.namespaces.get(`${dir}-${env}-${kv.toLowerCase()}`)).toBe(config.env![env]!.kv_namespaces!.find((k) => k.binding === kv)!.id);
    }
    expect(config.kv_namespaces).toEqual(names.kv.map((binding) => ({ binding, id: expect.stringMatching(/^[0-9a-f]{32}$/) })));
    const code = readFileSync(join(root, "src", "durable-object.ts"), "utf8");
    expect(code).toContain(`export class ${names.cls} extends DurableObject<Env>`);
    expect(code).toContain(`this.env.${names.kv[0]}.get(`);
    expect(readFileSync(join(root, "src", "index.ts"), "utf8")).toContain(`env.${names.doBinding}.getByName(room)`);
  });

  it("--dry-run listed exactly what the real run committed (the types file too), but npm's lockfile", async () => {
    const dry = await runCli([dir, ...args, "--dry-run", "--json"], { cwd: tempDir() });
    const planned = (JSON.parse(dry.stdout) as { files: string[] }).files;
    expect(planned).toContain("worker-configuration.d.ts");
    const committed = (await execa("git", ["ls-files"], { cwd: root })).stdout.trim().split("\n");
    expect(committed.filter((path) => path !== "package-lock.json").sort()).toEqual([...planned].sort());
  });

  it(
    "type-checks the moment it is created: the types were generated, no script run first",
    async () => {
      expect(readFileSync(join(root, "worker-configuration.d.ts"), "utf8")).toContain(`${names.kv[0]}: KVNamespace;`);
      const tsc = await project.bin("tsc", "--noEmit");
      expect(tsc.exitCode, tsc.all).toBe(0);
    },
    STEP,
  );

  it(
    "passes its own tests in the Workers runtime",
    async () => {
      const result = await project.npm("test");
      expect(result.exitCode, result.all).toBe(0);
      expect(result.all).toMatch(new RegExp(`Tests\\s+${tests} passed`));
    },
    STEP,
  );

  it(
    "type-checks, with Env generated from the config",
    async () => {
      const result = await project.npm("run", "typecheck");
      expect(result.exitCode, result.all).toBe(0);
      const types = readFileSync(join(root, "worker-configuration.d.ts"), "utf8");
      for (const kv of names.kv) expect(types).toContain(`${kv}: KVNamespace;`);
      expect(types).toContain(`${names.doBinding}: DurableObjectNamespace<import("./src/index").${names.cls}>;`);
      // wrangler types covers every environment (an interface each, e.g. StagingEnv).
      for (const env of envs) expect(types).toContain(`interface ${env[0]!.toUpperCase()}${env.slice(1)}Env {`);
    },
    STEP,
  );

  it.each([undefined, ...envs])(
    "passes wrangler deploy --dry-run (--env %s), listing every binding",
    async (env) => {
      const result = await project.wrangler("deploy", "--dry-run", "--outdir", "dist", ...(env ? ["--env", env] : []));
      expect(result.exitCode, result.all).toBe(0);
      expect(result.all).toContain(`env.${names.doBinding} (${names.cls})`);
      for (const kv of names.kv) expect(result.all).toContain(`env.${kv}`);
    },
    STEP,
  );

  describe("under wrangler dev", () => {
    let dev: ReturnType<typeof project.devServer> | undefined;
    afterAll(async () => {
      await dev?.stop();
    });

    it(
      "writes a value through the Durable Object to KV and reads it back",
      async () => {
        const port = await freePort();
        dev = project.devServer(port);
        const base = `http://127.0.0.1:${port}`;
        await waitForServer(base, dev);
        // The URL wrangler dev prints says what the Worker does.
        const home = await fetch(`${base}/`);
        expect(home.status).toBe(200);
        expect(Object.keys(((await home.json()) as { routes: object }).routes)).toContain("PUT /rooms/<room>");
        const put = await fetch(`${base}/rooms/lobby`, { method: "PUT", body: "hello from e2e" });
        expect(put.status).toBe(200);
        const get = await fetch(`${base}/rooms/lobby`);
        expect(await get.json()).toEqual({ room: "lobby", value: "hello from e2e" });
        const other = await fetch(`${base}/rooms/other`);
        expect(await other.json()).toEqual({ room: "other", value: null });
        const bad = await fetch(`${base}/rooms/bad%20name`);
        expect(bad.status).toBe(400);
        if (!broadcast) return;

        // Two clients of one room both get a write; a client of another room gets nothing.
        const ws = base.replace("http", "ws");
        const [a, b, stranger] = await Promise.all([
          socket(`${ws}/rooms/lobby/ws`),
          socket(`${ws}/rooms/lobby/ws`),
          socket(`${ws}/rooms/elsewhere/ws`),
        ]);
        await until(() => a.messages.length > 0 && b.messages.length > 0 && stranger.messages.length > 0, "the first values");
        expect(a.messages[0]).toEqual({ type: "value", value: "hello from e2e" });
        a.ws.send(JSON.stringify({ action: "set", value: "to everyone" }));
        await until(() => a.messages.length > 1 && b.messages.length > 1, "the broadcast");
        expect(b.messages[1]).toEqual({ type: "value", value: "to everyone" });
        expect(stranger.messages).toEqual([{ type: "value", value: null }]);
        for (const client of [a, b, stranger]) client.ws.close();

        // The README's own listener, as printed (but the port), hears a write made with its curl line.
        const readme = readFileSync(join(root, "README.md"), "utf8");
        const listen = /^node -e '(.+)'$/m.exec(readme)?.[1];
        expect(listen).toContain("ws://localhost:8787/rooms/lobby/ws");
        expect(readme).toContain("curl -X PUT localhost:8787/rooms/lobby -d hello");
        const listener = execa(process.execPath, ["-e", listen!.replace("localhost:8787", `127.0.0.1:${port}`)], { reject: false, timeout: 30_000 });
        let heard = "";
        listener.stdout?.on("data", (chunk: Buffer) => {
          heard += chunk.toString();
        });
        await until(() => heard.includes('"type":"value"'), "the README listener's first value");
        await fetch(`${base}/rooms/lobby`, { method: "PUT", body: "hello" });
        await until(() => heard.includes('{"type":"value","value":"hello"}'), "the README listener hearing the write");
        listener.kill();
        await listener;
      },
      STEP,
    );
  });

  it("is dated no later than every Workers runtime it installed supports", () => {
    // wrangler dev and the vitest plugin each bring a workerd; the date must suit the oldest.
    const require = createRequire(join(root, "package.json"));
    const dates = [
      require(require.resolve("workerd", { paths: [join(root, "node_modules", "wrangler")] })).compatibilityDate,
      require(require.resolve("workerd", { paths: [join(root, "node_modules", "@cloudflare", "vitest-plugin")] })).compatibilityDate,
    ] as string[];
    for (const date of dates) expect(COMPATIBILITY_DATE <= date, `${COMPATIBILITY_DATE} <= ${date}`).toBe(true);
    expect(readdirSync(root)).toContain("node_modules");
  });

  it("installs one wrangler, one miniflare and one workerd, shared with the vitest plugin", () => {
    // The template pins the wrangler the plugin pins; a second copy doubles the install.
    const require = createRequire(join(root, "package.json"));
    const fromPlugin = (name: string) =>
      require.resolve(`${name}/package.json`, { paths: [join(root, "node_modules", "@cloudflare", "vitest-plugin")] });
    const fromWrangler = (name: string) => require.resolve(`${name}/package.json`, { paths: [join(root, "node_modules", "wrangler")] });
    expect(fromPlugin("wrangler")).toBe(join(root, "node_modules", "wrangler", "package.json"));
    expect(fromPlugin("miniflare")).toBe(fromWrangler("miniflare"));
    expect(fromPlugin("workerd")).toBe(fromWrangler("workerd"));
  });
});

// Each environment of the projects that have them: a re-run and a local run under --env.
describe.each(variants.filter((variant) => variant.envs.length > 0))("the environments of $dir", ({ dir, names, envs }) => {
  const root = join(workspace, dir);
  const project = inProject(root);

  it(
    "a second run (sync) creates no namespace: every section has its ids",
    async () => {
      const posts = fake.posts().length;
      const synced = await runCli(["sync", "--json"], { cwd: root, env: childEnv(fake.env(tempDir("cdk-e2e-home-"))), timeout: STEP });
      expect(synced.exitCode, synced.stderr).toBe(0);
      expect(fake.posts().length).toBe(posts);
      const report = JSON.parse(synced.stdout) as { kv: { env?: string; status: string }[] };
      expect(report.kv.map((kv) => kv.env)).toEqual([undefined, ...envs].flatMap((env) => names.kv.map(() => env)));
      expect(report.kv.every((kv) => kv.status === "existing")).toBe(true);
    },
    STEP,
  );

  it(
    "answers under wrangler dev --env staging",
    async () => {
      const port = await freePort();
      const dev = project.devServer(port, ["--env", "staging"]);
      try {
        const base = `http://127.0.0.1:${port}`;
        await waitForServer(base, dev);
        const put = await fetch(`${base}/rooms/staged`, { method: "PUT", body: "in staging" });
        expect(put.status).toBe(200);
        expect(await (await fetch(`${base}/rooms/staged`)).json()).toEqual({ room: "staged", value: "in staging" });
      } finally {
        await dev.stop();
      }
    },
    STEP,
  );
});

// After every variant's dev server has stopped: rename works on the broadcast template too.
describe.each(variants.filter((variant) => variant.broadcast))("renaming $dir", ({ dir, format, lifecycle }) => {
  const root = join(workspace, dir);
  const project = inProject(root);

  it(
    "renames class and KV binding, and the project still passes its tests and type-check",
    async () => {
      const renamed = await runCli(["rename", "--class", "Room=Hub", "--kv", "CACHE=STATE"], { cwd: root, timeout: STEP });
      expect(renamed.exitCode, renamed.stderr).toBe(0);
      expect(readFileSync(join(root, "src", "durable-object.ts"), "utf8")).toContain("export class Hub extends DurableObject<Env>");
      expect(readFileSync(join(root, "src", "durable-object.ts"), "utf8")).toContain("this.env.STATE.get(");
      // The class's history in the form the project uses: a step appended, or the entry's state.
      const config = readConfig(readFileSync(join(root, `wrangler.${format}`), "utf8"), format);
      if (lifecycle === "exports") {
        expect(config.exports).toEqual({
          Room: { type: "durable-object", state: "renamed", renamed_to: "Hub" },
          Hub: { type: "durable-object", storage: "sqlite" },
        });
      } else {
        expect(config.migrations?.at(-1)).toMatchObject({ renamed_classes: [{ from: "Room", to: "Hub" }] });
      }
      const test = await project.npm("test");
      expect(test.exitCode, test.all).toBe(0);
      const typecheck = await project.npm("run", "typecheck");
      expect(typecheck.exitCode, typecheck.all).toBe(0);
    },
    STEP,
  );
});
