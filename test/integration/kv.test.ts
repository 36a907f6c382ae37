/**
 * KV namespace creation with the real wrangler binary against a fake Cloudflare API on loopback.
 * Each test checks what the user sees, the exit code, the config on disk and what the API received.
 */
import { execa } from "execa";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import { readConfig } from "../../src/core/config/read.js";
import { mapWithLimit, wranglerConcurrency } from "../../src/effects/kv.js";
import { useFakeCloudflare } from "../helpers/use-fake-cloudflare.js";
import { Capture, FakeTtyIn, makeIo, runMain, waitFor } from "../helpers/io.js";
import { childEnv, REPO, runCli, SELF } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const WRANGLER = join(REPO, "node_modules", ".bin", "wrangler");
const HEX = /^[0-9a-f]{32}$/;

const cloudflare = useFakeCloudflare("cdk-kv-home-");

function create(args: string[], env: Record<string, string | undefined> = {}) {
  const cwd = tempDir();
  const run = runCli([...args, "--wrangler", WRANGLER, "--no-install", "--no-git"], {
    cwd,
    env: childEnv(cloudflare.env(env)),
    timeout: 120_000,
  });
  return { cwd, run };
}

const config = (cwd: string, dir: string, format: "toml" | "jsonc") => {
  const text = readFileSync(join(cwd, dir, `wrangler.${format}`), "utf8");
  return { text, parsed: readConfig(text, format) };
};

/** The config as create renders it without ids, for byte-for-byte comparison. */
async function renderedWithoutIds(name: string, args: string[], format: "toml" | "jsonc") {
  const cwd = tempDir();
  const result = await runCli([name, ...args, "--no-create-kv", "--no-install", "--no-git"], { cwd, env: childEnv() });
  expect(result.exitCode).toBe(0);
  return readFileSync(join(cwd, name, `wrangler.${format}`), "utf8");
}

describe("create with KV namespaces", () => {
  it.each(["toml", "jsonc"] as const)(
    "creates one namespace per binding, concurrently, and writes the ids into wrangler.%s, changing nothing else",
    async (format) => {
      const name = `kv-${format}`;
      cloudflare.fake.latencyMs = 3_000; // long enough that sequential calls could not overlap
      const args = ["--yes", "--format", format, "--kv", "CACHE,USER_SESSIONS"];
      const { cwd, run } = create([name, ...args]);
      const result = await run;
      expect(result.exitCode, String(result.stderr)).toBe(0);

      const posts = cloudflare.fake.posts();
      expect(posts.map((p) => p.body)).toEqual(expect.arrayContaining([{ title: `${name}-cache` }, { title: `${name}-user-sessions` }]));
      expect(posts).toHaveLength(2);
      expect(cloudflare.fake.maxConcurrentPosts).toBe(2);

      const { text, parsed } = config(cwd, name, format);
      const ids = parsed.kv_namespaces!.map((kv) => kv.id);
      expect(ids).toEqual([cloudflare.fake.namespaces.get(`${name}-cache`), cloudflare.fake.namespaces.get(`${name}-user-sessions`)]);
      for (const id of ids) expect(id).toMatch(HEX);

      // Removing exactly the inserted ids gives back the file as rendered, comments and all.
      const bare = await renderedWithoutIds(name, args, format);
      const stripped = format === "toml" ? text.replace(/\nid = "[0-9a-f]{32}"/g, "") : text.replace(/, "id": "[0-9a-f]{32}"/g, "");
      expect(stripped).toBe(bare);
      expect(text).toContain("# Workers KV, written and read only through the Durable Object.".replace("# ", format === "toml" ? "# " : "// "));

      expect(result.stdout).toContain(`CACHE: created ${name}-cache (${ids[0]})`);
      expect(result.stdout).toContain(`USER_SESSIONS: created ${name}-user-sessions (${ids[1]})`);
      expect(result.stdout + result.stderr).not.toContain("fake-token-for-tests");
    },
    120_000,
  );

  it("reuses a namespace whose title already exists, with no second POST for it", async () => {
    cloudflare.fake.namespaces.set("dup-app-cache", "0123456789abcdef0123456789abcdef");
    const before = cloudflare.fake.namespaces.size;
    const { cwd, run } = create(["dup-app", "--yes"]);
    const result = await run;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(result.stdout).toContain("dup-app-cache already exists; reusing it (0123456789abcdef0123456789abcdef)");
    expect(config(cwd, "dup-app", "toml").parsed.kv_namespaces).toEqual([{ binding: "CACHE", id: "0123456789abcdef0123456789abcdef" }]);
    expect(cloudflare.fake.posts()).toHaveLength(1); // the one that reported the duplicate
    expect(cloudflare.fake.requests.filter((r) => r.method === "GET").length).toBeGreaterThan(0);
    expect(cloudflare.fake.namespaces.size).toBe(before);
  }, 60_000);

  it("running create twice for the same project creates no second namespace", async () => {
    const first = create(["twice", "--yes"]);
    expect((await first.run).exitCode).toBe(0);
    const id = config(first.cwd, "twice", "toml").parsed.kv_namespaces![0]!.id;
    const count = cloudflare.fake.namespaces.size;
    const second = create(["twice", "--yes"]);
    expect((await second.run).exitCode).toBe(0);
    expect(config(second.cwd, "twice", "toml").parsed.kv_namespaces![0]!.id).toBe(id);
    expect(cloudflare.fake.namespaces.size).toBe(count);
  }, 60_000);

  it("--preview also creates a preview namespace and writes preview_id", async () => {
    const { cwd, run } = create(["prev", "--yes", "--preview", "--format", "jsonc"]);
    const result = await run;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(cloudflare.fake.posts().map((p) => p.body)).toEqual(expect.arrayContaining([{ title: "prev-cache" }, { title: "prev-cache_preview" }]));
    expect(config(cwd, "prev", "jsonc").parsed.kv_namespaces).toEqual([
      { binding: "CACHE", id: cloudflare.fake.namespaces.get("prev-cache"), preview_id: cloudflare.fake.namespaces.get("prev-cache_preview") },
    ]);
  }, 60_000);

  it("--kv-id uses the given namespace without calling wrangler for it", async () => {
    const given = "fedcba9876543210fedcba9876543210";
    const { cwd, run } = create(["given", "--yes", "--kv", "CACHE,LOG", "--kv-id", `CACHE=${given}`]);
    const result = await run;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(cloudflare.fake.posts().map((p) => p.body)).toEqual([{ title: "given-log" }]);
    expect(config(cwd, "given", "toml").parsed.kv_namespaces).toEqual([
      { binding: "CACHE", id: given },
      { binding: "LOG", id: cloudflare.fake.namespaces.get("given-log") },
    ]);
  }, 60_000);

  it.each([
    [["--kv-id", "CACHE=not-an-id"], "is not a KV namespace id"],
    [["--kv-id", "CACHE"], "is not BINDING=ID"],
    [["--kv-id", "OTHER=0123456789abcdef0123456789abcdef"], '"OTHER" is not one of the KV bindings'],
    [["--timeout", "soon"], "--timeout"],
  ])("refuses %j with exit 2 before writing anything", async (extra, message) => {
    const cwd = tempDir();
    const result = await runMain(["bad", "--yes", ...extra, "--wrangler", WRANGLER, "--no-install", "--no-git"], cwd, childEnv(cloudflare.env()));
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(message);
    expect(existsSync(join(cwd, "bad"))).toBe(false);
    expect(cloudflare.fake.requests).toEqual([]);
  });
});

describe("--wrangler given as a relative path", () => {
  it("is found from where the command ran, not from the new project's folder", async () => {
    const cwd = tempDir();
    const result = await runCli(["rel", "--yes", "--wrangler", relative(cwd, WRANGLER), "--no-install", "--no-git"], {
      cwd,
      env: childEnv(cloudflare.env()),
      timeout: 120_000,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(config(cwd, "rel", "toml").parsed.kv_namespaces?.[0]?.id).toMatch(HEX);
  }, 120_000);
});

describe("when the API or the credentials fail", () => {
  it.each([
    ["bad-token", "Authentication error [code: 10000]"],
    ["server-error", "Internal server error [code: 10001]"],
  ] as const)(
    "%s: shows wrangler's message, names the binding, keeps a valid project, exits 1",
    async (mode, message) => {
      cloudflare.fake.mode = mode;
      const { cwd, run } = create(["failing", "--yes"]);
      const result = await run;
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain("CACHE: not created.");
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\u001b\[/);
      expect(result.stderr).toContain(`cd failing && ${SELF} sync`);
      expect(config(cwd, "failing", "toml").parsed.kv_namespaces).toEqual([{ binding: "CACHE" }]);
    },
    60_000,
  );

  it("an API error that echoes the token: the token never reaches stderr or --json, nor do control characters", async () => {
    cloudflare.fake.mode = "leaky";
    const token = cloudflare.env().CLOUDFLARE_API_TOKEN!;
    for (const json of [false, true]) {
      const { run } = create([json ? "leak-json" : "leak", "--yes", ...(json ? ["--json"] : [])]);
      const result = await run;
      expect(result.exitCode).toBe(1);
      expect(result.stderr + result.stdout).toContain("is not allowed here");
      expect(result.stderr + result.stdout).toContain("[redacted]");
      expect(result.stderr + result.stdout).not.toContain(token);
      expect(result.stderr + result.stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
      if (json) expect(JSON.stringify(JSON.parse(result.stdout))).not.toContain(token);
    }
  }, 120_000);

  it("a KV failure still initializes git and prints the next steps, then exits 1", async () => {
    cloudflare.fake.mode = "bad-token";
    const cwd = tempDir();
    const result = await runCli(["late", "--yes", "--no-install", "--wrangler", WRANGLER], {
      cwd,
      env: childEnv(cloudflare.env()),
      timeout: 120_000,
    });
    expect(result.exitCode).toBe(1);
    expect(result.stdout).toContain("Initialized a git repository with a first commit.");
    expect(result.stdout).toContain("Next steps:");
    expect(result.stderr).toContain(`cd late && ${SELF} sync`);
    expect(existsSync(join(cwd, "late", ".git"))).toBe(true);
  }, 60_000);

  it("connection refused: exits 1 with wrangler's message", async () => {
    const { cwd, run } = create(["refused", "--yes"], { CLOUDFLARE_API_BASE_URL: "http://127.0.0.1:9/client/v4" });
    const result = await run;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("A request to the Cloudflare API failed.");
    expect(config(cwd, "refused", "toml").parsed.kv_namespaces).toEqual([{ binding: "CACHE" }]);
  }, 60_000);

  it("an API that never answers is stopped by our time limit", async () => {
    cloudflare.fake.mode = "hang";
    // Long enough for wrangler to start and send its request on a loaded 2-core machine (about
    // 2 s of CPU), so what the limit stops is the wait for the API.
    const { cwd, run } = create(["hanging", "--yes", "--timeout", "8"]);
    const result = await run;
    expect(result.timedOut).toBe(false);
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("wrangler did not finish within 8 s and was stopped");
    expect(cloudflare.fake.posts()).toHaveLength(1);
    expect(config(cwd, "hanging", "toml").parsed.kv_namespaces).toEqual([{ binding: "CACHE" }]);
  }, 60_000);

  it("a wrangler that leaves a process in a session of its own holding the output: --timeout still bounds the call, one verdict", async () => {
    const dir = tempDir("cdk-holder-");
    const pidFile = join(dir, "held.pid");
    const holder = join(dir, "wrangler");
    // Starts a grandchild out of its process group's reach (setsid) that keeps stdout open.
    writeFileSync(holder, `#!/bin/sh\necho starting\nsetsid sleep 60 &\necho $! > ${pidFile}\nsleep 60\n`, { mode: 0o755 });
    const cwd = tempDir();
    const started = Date.now();
    try {
      const result = await runCli(["held", "--yes", "--no-install", "--no-git", "--timeout", "3", "--wrangler", holder], {
        cwd,
        env: childEnv(cloudflare.env()),
        timeout: 60_000,
      });
      expect(Date.now() - started).toBeLessThan(20_000);
      expect(result.exitCode).toBe(1);
      expect(result.stderr).toContain("wrangler did not finish within 3 s and was stopped");
      expect(result.stdout + result.stderr).not.toContain("✔ wrangler");
      expect((result.stdout + result.stderr).match(/CACHE: /g)).toHaveLength(1);
    } finally {
      try {
        process.kill(Number(readFileSync(pidFile, "utf8")), "SIGKILL");
      } catch {
        // gone already
      }
    }
  }, 60_000);

  it("without a token and without a terminal, skips with one line saying how to finish", async () => {
    const { cwd, run } = create(["no-token", "--yes"], { CLOUDFLARE_API_TOKEN: undefined });
    const result = await run;
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain("KV namespaces not created: CLOUDFLARE_API_TOKEN is not set");
    expect(result.stderr).toContain(`cd no-token && ${SELF} sync`);
    expect(cloudflare.fake.requests).toEqual([]);
    expect(config(cwd, "no-token", "toml").parsed.kv_namespaces).toEqual([{ binding: "CACHE" }]);
  });

  it("without a token, --create-kv is a failure (exit 1), the project kept", async () => {
    const { cwd, run } = create(["must", "--yes", "--create-kv"], { CLOUDFLARE_API_TOKEN: undefined });
    const result = await run;
    expect(result.exitCode).toBe(1);
    expect(result.stderr).toContain("Cannot create KV namespaces: CLOUDFLARE_API_TOKEN is not set");
    expect(cloudflare.fake.requests).toEqual([]);
    expect(existsSync(join(cwd, "must", "wrangler.toml"))).toBe(true);
  });
});

describe("on a terminal", () => {
  /** create-do-kv in-process, on a fake terminal, with credentials for the fake API. */
  function terminalCreate(name: string) {
    const cwd = tempDir();
    const screen = new Capture(true);
    const { io, stderr } = makeIo({
      argv: [name, "--yes", "--no-install", "--no-git", "--wrangler", WRANGLER],
      cwd,
      stdin: new FakeTtyIn(),
      stdout: screen,
      env: childEnv(cloudflare.env({ CI: undefined })),
    });
    return { cwd, screen, stderr, done: main(io) };
  }

  it("shows a spinner with the elapsed time while wrangler runs, then the outcome", async () => {
    cloudflare.fake.latencyMs = 1_500;
    const t = terminalCreate("spun");
    await waitFor(t.screen, "Creating KV namespaces with wrangler (--wrangler): spun-cache", 0, 30_000);
    expect(await t.done).toBe(0);
    const seen = t.screen.text;
    expect(seen).toMatch(/Creating KV namespaces with wrangler \(--wrangler\): spun-cache.*\[\d+s\]/);
    // One verdict per namespace, nothing for the step as a whole.
    expect(seen).not.toContain("wrangler answered");
    expect(seen).toMatch(/CACHE: created spun-cache \([0-9a-f]{32}\)/);
    expect(config(t.cwd, "spun", "toml").parsed.kv_namespaces?.[0]?.id).toMatch(HEX);
  }, 60_000);

  it("Ctrl-C while wrangler runs ends as a cancellation (130) at once, the project kept, no id written", async () => {
    // An API that takes 20 s: before, wrangler ignored the key and the run waited for the answer.
    cloudflare.fake.latencyMs = 20_000;
    const t = terminalCreate("halted");
    await waitFor(t.screen, "Creating KV namespaces", 0, 30_000);
    const pressed = Date.now();
    process.emit("SIGINT"); // what the terminal sends, to us alone: wrangler runs in its own group
    expect(await t.done, t.stderr.text).toBe(130);
    expect(Date.now() - pressed).toBeLessThan(10_000);
    cloudflare.fake.latencyMs = 0;
    expect(t.stderr.text).toContain("Cancelled during: Creating KV namespaces");
    // The hint carries the flags this run was given (here --wrangler), so the sync it names works.
    expect(t.stderr.text).toContain(
      `To finish: cd halted && npx create-do-kv sync --wrangler ${WRANGLER} (namespaces created already are found by their titles).`,
    );
    expect(existsSync(join(t.cwd, "halted", "wrangler.toml"))).toBe(true);
    expect(config(t.cwd, "halted", "toml").parsed.kv_namespaces?.[0]?.id).toBeUndefined();
    // Whether or not the API finished the create it was sent, the sync the hint names ends with
    // one namespace of that title, written into the config.
    const sync = await runCli(["sync", "--wrangler", WRANGLER], {
      cwd: join(t.cwd, "halted"),
      env: childEnv(cloudflare.env()),
      timeout: 120_000,
    });
    expect(sync.exitCode, sync.stderr).toBe(0);
    const created = cloudflare.fake.namespaces.get("halted-cache");
    expect(created).toMatch(HEX);
    expect(config(t.cwd, "halted", "toml").parsed.kv_namespaces?.[0]?.id).toBe(created);
  }, 120_000);
});

describe("sync", () => {
  it("fills in the ids a project is missing, and changes nothing on a second run", async () => {
    const cwd = tempDir();
    const made = await runCli(["later", "--yes", "--kv", "A,B", "--no-create-kv", "--no-install", "--no-git"], {
      cwd,
      env: childEnv(),
    });
    expect(made.exitCode).toBe(0);
    expect(cloudflare.fake.requests).toEqual([]);
    const env = childEnv(cloudflare.env());
    const first = await runCli(["sync", "--cwd", "later", "--wrangler", WRANGLER], { cwd, env, timeout: 60_000 });
    expect(first.exitCode, String(first.stderr)).toBe(0);
    const after = config(cwd, "later", "toml");
    expect(after.parsed.kv_namespaces).toEqual([
      { binding: "A", id: cloudflare.fake.namespaces.get("later-a") },
      { binding: "B", id: cloudflare.fake.namespaces.get("later-b") },
    ]);
    const posts = cloudflare.fake.posts().length;
    const second = await runCli(["sync", "--wrangler", WRANGLER], { cwd: join(cwd, "later"), env, timeout: 60_000 });
    expect(second.exitCode).toBe(0);
    expect(cloudflare.fake.posts()).toHaveLength(posts);
    expect(config(cwd, "later", "toml").text).toBe(after.text);
  }, 60_000);

  it("adopts the namespace a real `wrangler deploy` provisioned for a binding without an id: same id, no second namespace", async () => {
    const cwd = tempDir();
    const made = await runCli(["dep", "--yes", "--kv", "userCache", "--no-create-kv", "--no-install", "--no-git"], { cwd, env: childEnv() });
    expect(made.exitCode, made.stderr).toBe(0);
    const env = childEnv(cloudflare.env());
    // From CI: wrangler provisions the namespace and does not write its id back.
    const deployed = await execa(WRANGLER, ["deploy"], { cwd: join(cwd, "dep"), env, reject: false, all: true, timeout: 120_000 });
    expect(deployed.exitCode, deployed.all).toBe(0);
    expect(cloudflare.fake.deployed.has("dep")).toBe(true);
    const titles = () => [...cloudflare.fake.namespaces.keys()].filter((title) => title.startsWith("dep-"));
    expect(titles()).toEqual(["dep-usercache"]);
    expect(config(cwd, "dep", "toml").parsed.kv_namespaces).toEqual([{ binding: "userCache" }]);
    const posts = cloudflare.fake.posts().length;

    const synced = await runCli(["sync", "--wrangler", WRANGLER], { cwd: join(cwd, "dep"), env, timeout: 60_000 });
    expect(synced.exitCode, synced.stderr).toBe(0);
    expect(synced.stdout).toContain("userCache: dep-usercache already exists; reusing it");
    expect(config(cwd, "dep", "toml").parsed.kv_namespaces).toEqual([{ binding: "userCache", id: cloudflare.fake.namespaces.get("dep-usercache") }]);
    expect(cloudflare.fake.posts()).toHaveLength(posts);
    expect(titles()).toEqual(["dep-usercache"]);
  }, 240_000);

  it("create titles a namespace as wrangler deploy would (no camelCase split): a later deploy finds it", async () => {
    const { cwd, run } = create(["titled", "--yes", "--kv", "userCache,SESSION_STORE"]);
    const result = await run;
    expect(result.exitCode, result.stderr).toBe(0);
    expect([...cloudflare.fake.namespaces.keys()].filter((t) => t.startsWith("titled-")).sort()).toEqual([
      "titled-session-store",
      "titled-usercache",
    ]);
    expect(config(cwd, "titled", "toml").parsed.kv_namespaces?.map((e) => e.id)).toEqual([
      cloudflare.fake.namespaces.get("titled-usercache"),
      cloudflare.fake.namespaces.get("titled-session-store"),
    ]);
  }, 60_000);

  it("says so when there is no config", async () => {
    const result = await runCli(["sync"], { cwd: tempDir(), env: childEnv() });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain("No wrangler.toml or wrangler.jsonc");
  });
});

describe("a cap on concurrent wrangler calls", () => {
  it("sizes itself by free memory (260 MB a call, half kept free), between 2 and 16", () => {
    const MB = 1024 * 1024;
    expect(wranglerConcurrency(256 * MB)).toBe(2);
    expect(wranglerConcurrency(4 * 1024 * MB)).toBe(7);
    expect(wranglerConcurrency(64 * 1024 * MB)).toBe(16);
  });

  it("mapWithLimit keeps the order and never runs more than the limit", async () => {
    let running = 0;
    let most = 0;
    const results = await mapWithLimit([5, 1, 4, 2, 3, 0, 6], 3, async (n) => {
      most = Math.max(most, ++running);
      await new Promise((resolve) => setTimeout(resolve, n * 5));
      running--;
      return n * 10;
    });
    expect(results).toEqual([50, 10, 40, 20, 30, 0, 60]);
    expect(most).toBe(3);
  });

  it("20 bindings: never more wrangler calls at once than the cap, every id written", async () => {
    const cwd = tempDir();
    const log = join(cwd, "calls.log");
    const stub = join(cwd, "wrangler-stub");
    // Logs its start and end, answers like `wrangler kv namespace create` with an id from the title.
    writeFileSync(
      stub,
      `#!/bin/sh\necho start >> "${log}"\nsleep 0.3\nid=$(printf %s "$4" | md5sum | cut -c1-32)\nprintf '[[kv_namespaces]]\\nbinding = "x"\\nid = "%s"\\n' "$id"\necho end >> "${log}"\n`,
      { mode: 0o755 },
    );
    const bindings = Array.from({ length: 20 }, (_, i) => `KV${i}`);
    const result = await runMain(["many", "--yes", "--no-install", "--no-git", "--kv", bindings.join(","), "--wrangler", stub], cwd, {
      CI: "true",
      NO_COLOR: "1",
      CLOUDFLARE_API_TOKEN: "t",
      CLOUDFLARE_ACCOUNT_ID: "a",
      PATH: process.env.PATH,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    let running = 0;
    let most = 0;
    for (const line of readFileSync(log, "utf8").trim().split("\n")) {
      running += line === "start" ? 1 : -1;
      most = Math.max(most, running);
    }
    expect(most).toBeLessThanOrEqual(wranglerConcurrency());
    expect(most).toBeGreaterThanOrEqual(2); // still overlapping
    const ids = config(cwd, "many", "toml").parsed.kv_namespaces?.map((kv) => kv.id);
    expect(new Set(ids).size).toBe(20);
    expect(ids?.every((id) => HEX.test(id ?? ""))).toBe(true);
  }, 120_000);
});

describe("environments", () => {
  it.each(["toml", "jsonc"] as const)(
    "%s: a namespace per binding per environment, each id in its own section, byte-preserving; a second run creates none",
    async (format) => {
      const name = `envs-${format}`;
      const args = ["--yes", "--format", format, "--kv", "CACHE,LOG", "--env", "staging,production"];
      const { cwd, run } = create([name, ...args, "--json"]);
      const result = await run;
      expect(result.exitCode, String(result.stderr)).toBe(0);
      const titles = cloudflare.fake
        .posts()
        .map((p) => (p.body as { title: string }).title)
        .sort();
      expect(titles).toEqual(
        [`${name}-cache`, `${name}-log`, `${name}-production-cache`, `${name}-production-log`, `${name}-staging-cache`, `${name}-staging-log`].sort(),
      );
      const { text, parsed } = config(cwd, name, format);
      const idOf = (section: { kv_namespaces?: { binding: string; id?: string }[] }, binding: string) =>
        section.kv_namespaces?.find((kv) => kv.binding === binding)?.id;
      expect(idOf(parsed, "CACHE")).toBe(cloudflare.fake.namespaces.get(`${name}-cache`));
      for (const env of ["staging", "production"]) {
        for (const binding of ["CACHE", "LOG"]) {
          expect(idOf(parsed.env![env]!, binding)).toBe(cloudflare.fake.namespaces.get(`${name}-${env}-${binding.toLowerCase()}`));
        }
      }
      // Only the id lines were added to what create rendered.
      const without = await renderedWithoutIds(name, args, format);
      expect(text.replace(/,\s*"id":\s*"[0-9a-f]{32}"/g, "").replace(/\nid = "[0-9a-f]{32}"/g, "")).toBe(without);
      const report = JSON.parse(String(result.stdout)) as { kv: { binding: string; env?: string; status: string }[] };
      expect(report.kv.map((kv) => `${kv.env ?? "top"}.${kv.binding}:${kv.status}`)).toEqual([
        "top.CACHE:created",
        "top.LOG:created",
        "staging.CACHE:created",
        "staging.LOG:created",
        "production.CACHE:created",
        "production.LOG:created",
      ]);

      cloudflare.fake.requests.length = 0;
      const again = await runCli(["sync", "--wrangler", WRANGLER], { cwd: join(cwd, name), env: childEnv(cloudflare.env()), timeout: 120_000 });
      expect(again.exitCode, again.stderr).toBe(0);
      expect(cloudflare.fake.posts()).toEqual([]);
      expect(config(cwd, name, format).text).toBe(text);
    },
    120_000,
  );

  it("--kv-id staging.CACHE=<id> sets that environment's binding only; the others are created", async () => {
    const given = "abcdefabcdefabcdefabcdefabcdef12";
    const { cwd, run } = create(["given-env", "--yes", "--kv", "CACHE", "--env", "staging,production", "--kv-id", `staging.CACHE=${given}`]);
    const result = await run;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(
      cloudflare.fake
        .posts()
        .map((p) => (p.body as { title: string }).title)
        .sort(),
    ).toEqual(["given-env-cache", "given-env-production-cache"]);
    const { parsed } = config(cwd, "given-env", "toml");
    expect(parsed.env?.staging?.kv_namespaces?.[0]?.id).toBe(given);
    expect(parsed.kv_namespaces?.[0]?.id).not.toBe(given);
    expect(String(result.stdout)).toContain(`staging.CACHE: using ${given} from --kv-id`);
  }, 120_000);

  it("reuses an environment's namespace by its title, and --preview makes one per environment too", async () => {
    const existing = "fedcba9876543210fedcba9876543210";
    cloudflare.fake.namespaces.set("reuse-env-staging-cache", existing);
    const { cwd, run } = create(["reuse-env", "--yes", "--env", "staging", "--preview"]);
    const result = await run;
    expect(result.exitCode, String(result.stderr)).toBe(0);
    expect(String(result.stdout)).toContain(`staging.CACHE: reuse-env-staging-cache already exists; reusing it (${existing})`);
    const { parsed } = config(cwd, "reuse-env", "toml");
    expect(parsed.env?.staging?.kv_namespaces?.[0]?.id).toBe(existing);
    expect(parsed.env?.staging?.kv_namespaces?.[0]?.preview_id).toBe(cloudflare.fake.namespaces.get("reuse-env-staging-cache_preview"));
    expect(parsed.kv_namespaces?.[0]?.preview_id).toBe(cloudflare.fake.namespaces.get("reuse-env-cache_preview"));
    expect(
      new Set([parsed.kv_namespaces?.[0]?.id, parsed.kv_namespaces?.[0]?.preview_id, existing, parsed.env?.staging?.kv_namespaces?.[0]?.preview_id])
        .size,
    ).toBe(4);
  }, 120_000);

  it("--kv-id for an environment that is not there is refused with exit 2, naming the bindings there are", async () => {
    const result = await runMain(
      ["bad-env", "--yes", "--no-install", "--no-git", "--env", "staging", "--kv-id", `prod.CACHE=${"a".repeat(32)}`, "--wrangler", WRANGLER],
      tempDir(),
    );
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('--kv-id: "prod.CACHE" is not one of the KV bindings of the new project (CACHE, staging.CACHE)');
  });
});
