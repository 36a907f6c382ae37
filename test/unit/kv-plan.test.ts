import { finishCommand, kvSettings, MAX_TIMEOUT_SECONDS } from "../../src/core/kv/flags.js";
import { nextSteps, selfCommand } from "../../src/core/project/shell.js";
import { quoteArg } from "../../src/core/project/shell.js";
import { UsageError } from "../../src/errors.js";
import { describe, expect, it } from "vitest";
import { decideKvCreation, kvTitleClash, namespaceTitle, parseKvIds, planKvTasks, plannedKvEntries, kvKey } from "../../src/core/kv/plan.js";

const ID = "0123456789abcdef0123456789abcdef";

describe("namespaceTitle", () => {
  it.each([
    ["my-app", "CACHE", "my-app-cache"],
    ["my-app", "USER_SESSIONS", "my-app-user-sessions"],
    // wrangler's own rule: lower-cased, "_" as "-", and nothing else (no camelCase split).
    ["x", "userCache", "x-usercache"],
    ["x", "$CACHE_2", "x-$cache-2"],
  ])("%s + %s = %s, as wrangler deploy titles what it provisions", (worker, binding, title) => {
    expect(namespaceTitle(worker, binding)).toBe(title);
  });
  it("in an environment, the script is <worker>-<env>", () => {
    expect(namespaceTitle("app", "USER_CACHE", "staging")).toBe("app-staging-user-cache");
  });
});

describe("plannedKvEntries and kvTitleClash", () => {
  it("lists each binding at the top level, then in each environment, keyed as --kv-id names them", () => {
    expect(plannedKvEntries(["CACHE", "SESSIONS"], ["staging"])).toEqual([
      { key: "CACHE", binding: "CACHE", env: undefined },
      { key: "SESSIONS", binding: "SESSIONS", env: undefined },
      { key: "staging.CACHE", binding: "CACHE", env: "staging" },
      { key: "staging.SESSIONS", binding: "SESSIONS", env: "staging" },
    ]);
  });
  it("distinct titles in every section: no clash", () => {
    expect(kvTitleClash("app", plannedKvEntries(["CACHE", "SESSIONS"], ["staging", "production"]))).toBeUndefined();
  });
  it.each([
    [["USER_CACHE", "user_cache"], [], 'The KV bindings "USER_CACHE" and "user_cache" would get the same namespace title ("app-user-cache")'],
    [
      ["CACHE", "STAGING_CACHE"],
      ["staging"],
      'The KV bindings "STAGING_CACHE" and "staging.CACHE" would get the same namespace title ("app-staging-cache")',
    ],
  ])("%j in %j: %s", (bindings, envs, says) => {
    expect(kvTitleClash("app", plannedKvEntries(bindings, envs))).toBe(`${says} and so share one namespace; rename one of them.`);
  });
});

describe("parseKvIds", () => {
  it("reads BINDING=ID pairs", () => {
    expect(parseKvIds([`A=${ID}`, `B=${ID}`])).toEqual(
      new Map([
        ["A", ID],
        ["B", ID],
      ]),
    );
  });
  it.each([["A"], ["=x"], [`A=${ID}=x`], ["A=XYZ"], [`A=${ID.toUpperCase()}`], [`A=${ID}0`]])("refuses %s", (pair) => {
    expect(() => parseKvIds([pair])).toThrow(/--kv-id/);
  });
  it("refuses one binding given two ids, and takes the same pair twice", () => {
    const other = "f".repeat(32);
    expect(() => parseKvIds([`A=${ID}`, `A=${other}`])).toThrow(`--kv-id: "A" is given twice, with ${ID} and ${other}`);
    expect(parseKvIds([`A=${ID}`, `A=${ID}`])).toEqual(new Map([["A", ID]]));
  });
});

describe("planKvTasks on a hand-edited config whose bindings share a title", () => {
  it("refuses (exit 2) instead of binding both to one namespace", () => {
    const config = { name: "app", kv_namespaces: [{ binding: "USER_CACHE", id: ID }, { binding: "user_cache" }] };
    expect(() => planKvTasks(config, { preview: false, given: new Map() })).toThrow(UsageError);
    expect(() => planKvTasks(config, { preview: false, given: new Map() })).toThrow('"USER_CACHE" and "user_cache"');
  });
  it("says nothing when nothing is to be created", () => {
    const config = {
      name: "app",
      kv_namespaces: [
        { binding: "USER_CACHE", id: ID },
        { binding: "userCache", id: "f".repeat(32) },
      ],
    };
    expect(planKvTasks(config, { preview: false, given: new Map() })).toEqual([]);
  });
});

describe("planKvTasks", () => {
  const config = {
    name: "app",
    kv_namespaces: [{ binding: "A" }, { binding: "B", id: ID }, { binding: "C" }],
  };
  it("creates only what has no id and was not given", () => {
    expect(planKvTasks(config, { preview: false, given: new Map([["C", ID]]) })).toEqual([
      { binding: "A", path: ["kv_namespaces", 0], field: "id", title: "app-a", createdTitle: "app-a" },
    ]);
  });
  it("adds preview namespaces with --preview", () => {
    const tasks = planKvTasks(config, { preview: true, given: new Map() });
    expect(tasks.map((t) => `${t.binding}:${t.field}:${t.createdTitle}`)).toEqual([
      "A:id:app-a",
      "A:preview_id:app-a_preview",
      "B:preview_id:app-b_preview",
      "C:id:app-c",
      "C:preview_id:app-c_preview",
    ]);
  });
});

describe("planKvTasks with environments", () => {
  const config = {
    name: "app",
    kv_namespaces: [{ binding: "CACHE", id: ID }],
    env: {
      staging: { kv_namespaces: [{ binding: "CACHE" }] },
      production: { kv_namespaces: [{ binding: "CACHE" }, { binding: "LOG", id: ID }] },
    },
  };
  it("plans one namespace per binding per environment, titled <worker>-<env>-<binding>, at its own path", () => {
    expect(planKvTasks(config, { preview: false, given: new Map() })).toEqual([
      {
        binding: "CACHE",
        env: "staging",
        path: ["env", "staging", "kv_namespaces", 0],
        field: "id",
        title: "app-staging-cache",
        createdTitle: "app-staging-cache",
      },
      {
        binding: "CACHE",
        env: "production",
        path: ["env", "production", "kv_namespaces", 0],
        field: "id",
        title: "app-production-cache",
        createdTitle: "app-production-cache",
      },
    ]);
  });
  it("takes --kv-id <env>.<BINDING>=<id> for that environment only", () => {
    const tasks = planKvTasks(config, { preview: false, given: new Map([["staging.CACHE", ID]]) });
    expect(tasks.map((t) => kvKey(t.binding, t.env))).toEqual(["production.CACHE"]);
    expect(parseKvIds([`staging.CACHE=${ID}`])).toEqual(new Map([["staging.CACHE", ID]]));
  });
  it("refuses titles that coincide across sections (a top-level STAGING_CACHE and staging's CACHE)", () => {
    const clash = { name: "app", kv_namespaces: [{ binding: "STAGING_CACHE" }], env: { staging: { kv_namespaces: [{ binding: "CACHE" }] } } };
    expect(() => planKvTasks(clash, { preview: false, given: new Map() })).toThrow(
      '"STAGING_CACHE" and "staging.CACHE" would get the same namespace title ("app-staging-cache")',
    );
  });
});

describe("decideKvCreation", () => {
  it.each([
    [{ flag: false, hasToken: true, loggedIn: true, interactive: true }, "skip"],
    [{ flag: undefined, hasToken: true, loggedIn: false, interactive: false }, "create"],
    [{ flag: true, hasToken: true, loggedIn: false, interactive: false }, "create"],
    [{ flag: undefined, hasToken: false, loggedIn: true, interactive: true }, "create"],
    [{ flag: undefined, hasToken: false, loggedIn: false, interactive: true }, "offer-login"],
    [{ flag: true, hasToken: false, loggedIn: false, interactive: true }, "offer-login"],
    [{ flag: undefined, hasToken: false, loggedIn: true, interactive: false }, "skip"],
    [{ flag: true, hasToken: false, loggedIn: false, interactive: false }, "fail"],
    // --yes on a terminal: a stored login is used, but logging in is never offered.
    [{ flag: undefined, hasToken: false, loggedIn: true, interactive: true, mayAsk: false }, "create"],
    [{ flag: undefined, hasToken: false, loggedIn: false, interactive: true, mayAsk: false }, "skip"],
    [{ flag: true, hasToken: false, loggedIn: false, interactive: true, mayAsk: false }, "fail"],
  ] as const)("%j -> %s", (input, action) => {
    expect(decideKvCreation(input).action).toBe(action);
  });
});

describe("finishCommand: the sync that finishes a run carries that run's KV flags", () => {
  it("is bare with the defaults", () => {
    expect(finishCommand(kvSettings({}), { self: selfCommand("npx", undefined) })).toBe("npx create-do-kv sync");
  });
  it("from a clone (the bin under no node_modules), runs that same file: the name may not be on the registry", () => {
    expect(finishCommand(kvSettings({}), { self: selfCommand("npx", "/src/my clone/bin/create-do-kv.cjs"), prefix: "cd app && " })).toBe(
      "cd app && node '/src/my clone/bin/create-do-kv.cjs' sync",
    );
    expect(selfCommand("bun x", "C:\\Users\\u\\AppData\\node_modules\\create-do-kv\\bin\\create-do-kv.cjs")).toBe("bun x create-do-kv");
  });
  it("keeps --preview, --wrangler and a non-default --timeout, quoted for a POSIX shell", () => {
    const settings = kvSettings({ preview: true, wrangler: "/opt/my tools/wrangler", timeout: "10", kvId: ["A=0123456789abcdef0123456789abcdef"] });
    expect(
      finishCommand(settings, {
        self: selfCommand("pnpm dlx", "/home/u/.cache/pnpm/dlx/x/node_modules/create-do-kv/bin/create-do-kv.cjs"),
        prefix: "cd app && ",
        cwd: "it's",
      }),
    ).toBe("cd app && pnpm dlx create-do-kv sync --cwd 'it'\\''s' --preview --wrangler '/opt/my tools/wrangler' --timeout 10");
  });
  it.each([
    ["plain-name_1.2", "plain-name_1.2"],
    ["a b", "'a b'"],
    ["$(rm -rf /)", "'$(rm -rf /)'"],
    ["", "''"],
  ])("quotes %j as %s", (value, quoted) => {
    expect(quoteArg(value)).toBe(quoted);
  });
});

describe("kvSettings: numbers and paths as the user meant them", () => {
  it.each(["0", "0.0001", "-1", "soon", String(MAX_TIMEOUT_SECONDS + 1), "1e12"])("refuses --timeout %s (exit 2)", (timeout) => {
    expect(() => kvSettings({ timeout })).toThrow(UsageError);
  });
  it("takes 1 second up to Node's timer limit", () => {
    expect(kvSettings({ timeout: "1" }).timeoutMs).toBe(1000);
    expect(kvSettings({ timeout: String(MAX_TIMEOUT_SECONDS) }).timeoutMs).toBeLessThanOrEqual(2 ** 31 - 1);
  });
  it("resolves a relative --wrangler from where the command ran; a bare name stays for PATH", () => {
    expect(kvSettings({ wrangler: "tools/wrangler" }, "/home/me").wrangler).toBe("/home/me/tools/wrangler");
    expect(kvSettings({ wrangler: "./w" }, "/home/me").wrangler).toBe("/home/me/w");
    expect(kvSettings({ wrangler: "wrangler" }, "/home/me").wrangler).toBe("wrangler");
    expect(kvSettings({ wrangler: "/abs/wrangler" }, "/home/me").wrangler).toBe("/abs/wrangler");
  });
});

describe("nextSteps", () => {
  it("puts every # comment in one column, after the longest command that has one", () => {
    const lines = nextSteps([["cd app"], ["npm run cf-typegen", "types"], ["npm run dev", "local"], ["npm run deploy:staging", "env.staging"]]);
    expect(lines[0]).toBe("  cd app");
    const columns = new Set(lines.slice(1).map((line) => line.indexOf("#")));
    expect(columns).toEqual(new Set(["  npm run deploy:staging   ".length]));
  });
});
