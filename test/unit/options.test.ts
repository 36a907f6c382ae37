import { describe, expect, it } from "vitest";
import { resolveCreateOptions, trimNotes, type Ask, type Question, type ResolveContext, TEMPLATES } from "../../src/core/project/options.js";
import { UsageError } from "../../src/errors.js";

const ctx: ResolveContext = {
  cwd: "/projects",
  directoryProblem: (path) => (path.endsWith("/taken") ? `${path} is not empty.` : undefined),
};

/** An Ask that answers from a table by flag and records what it was shown. */
function scripted(answers: Record<string, string | undefined>) {
  const asked: Question[] = [];
  const ask: Ask = async (question) => {
    asked.push(question);
    const answer = answers[question.input.flag];
    return answer ?? question.initial ?? "";
  };
  return { ask, asked };
}

describe("resolveCreateOptions", () => {
  it("takes every value from flags without asking", async () => {
    const { ask, asked } = scripted({});
    const options = await resolveCreateOptions(
      {
        directory: "app",
        name: "n",
        class: "ChatRoom",
        doBinding: "ROOMS",
        kv: ["A,B", "C"],
        env: ["staging"],
        format: "jsonc",
        template: "broadcast",
      },
      { yes: false, ask },
      ctx,
    );
    expect(options).toEqual({
      directory: "app",
      name: "n",
      className: "ChatRoom",
      doBinding: "ROOMS",
      kvBindings: ["A", "B", "C"],
      format: "jsonc",
      template: "broadcast",
      lifecycle: "migrations",
      environments: ["staging"],
    });
    expect(asked).toEqual([]);
  });

  it("fills defaults with --yes, deriving the Worker name and DO binding", async () => {
    const options = await resolveCreateOptions({ directory: "Some Dir", class: "ChatRoom" }, { yes: true }, ctx);
    expect(options).toEqual({
      directory: "Some Dir",
      name: "some-dir",
      className: "ChatRoom",
      doBinding: "CHAT_ROOM",
      kvBindings: ["CACHE"],
      format: "toml",
      template: "default",
      lifecycle: "migrations",
      environments: [],
    });
  });

  it("uses the default directory with --yes and no directory", async () => {
    const options = await resolveCreateOptions({}, { yes: true }, ctx);
    expect(options.directory).toBe("do-kv-app");
    expect(options.name).toBe("do-kv-app");
  });

  it("without a terminal and without --yes, a missing directory names the argument", async () => {
    const attempt = resolveCreateOptions({ name: "x" }, { yes: false }, ctx);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow("Missing the project directory");
  });

  it("without a terminal, defaults fill everything but the directory", async () => {
    const options = await resolveCreateOptions({ directory: "d" }, { yes: false }, ctx);
    expect(options).toMatchObject({ name: "d", className: "Room", doBinding: "ROOM", kvBindings: ["CACHE"] });
  });

  it.each([
    [{ directory: "d", name: "Bad Name" }, "--name: "],
    [{ directory: "d", class: "room" }, "--class: "],
    [{ directory: "d", doBinding: "1X" }, "--do-binding: "],
    [{ directory: "d", kv: ["OK", "bad-name"] }, "--kv: "],
    [{ directory: "d", format: "yaml" }, "--format: "],
    [{ directory: "d", template: "chat" }, `--template: "chat" is not a template: use ${TEMPLATES.map((t) => t.value).join(" or ")}.`],
    [{ directory: "d", lifecycle: "migration" }, '--lifecycle: "migration" is not a lifecycle form: use migrations or exports.'],
    [{ directory: "d", env: ["Staging"] }, '--env: "Staging" is not a valid environment name'],
    // Found by the hostile suite: "0" would be read back first, out of the config's order.
    [
      { directory: "d", env: ["staging", "0"] },
      '--env: "0" is not a valid environment name: use lowercase letters, digits and dashes, starting with a letter',
    ],
    [{ directory: "d", env: ["staging", "staging"] }, '--env: The environment "staging" is given twice.'],
    [{ directory: "d", name: "a".repeat(60), env: ["prod"] }, "longer than the 63 characters a Worker name may have"],
    [
      { directory: "d", kv: ["CACHE", "STAGING_CACHE"], env: ["staging"] },
      '"STAGING_CACHE" and "staging.CACHE" would get the same namespace title ("d-staging-cache")',
    ],
    // Namespace titles are <worker>-<binding lower-cased, "_" as "-">: these pairs would share one namespace.
    [
      { directory: "d", kv: ["USER_CACHE", "user_cache"] },
      '--kv: The KV bindings "USER_CACHE" and "user_cache" would get the same namespace title ("d-user-cache")',
    ],
    [{ directory: "d", kv: ["CACHE", "Cache"] }, '"CACHE" and "Cache" would get the same namespace title ("d-cache")'],
    // The real Worker name where the flags settle it (--name wins over the directory), no placeholder.
    [{ directory: "d", name: "api", env: ["Prod"] }, '(wrangler deploys it as the Worker "api-Prod")'],
    [{ directory: "taken" }, "directory argument: /projects/taken is not empty"],
    [{ directory: "d", doBinding: "STORE", kv: ["STORE"] }, '--kv: "STORE" is already the Durable Object binding'],
    // --class Cache derives the DO binding CACHE, the default KV binding: the message says so, not only --kv.
    [{ directory: "d", class: "Cache" }, '--kv: "CACHE" is already the Durable Object binding (set by --do-binding, or derived from --class)'],
  ])("refuses %j, naming the flag", async (flags, message) => {
    const { ask, asked } = scripted({});
    const attempt = resolveCreateOptions(flags, { yes: false, ask }, ctx);
    await expect(attempt).rejects.toBeInstanceOf(UsageError);
    await expect(attempt).rejects.toThrow(message);
    // A bad flag on its own fails before any question; a clash between two values once both are known.
    if (!/used twice|already the Durable Object binding|longer than the 63|same namespace title/.test(message)) expect(asked).toEqual([]);
  });

  it("asks for each value not given, offering the derived default", async () => {
    const { ask, asked } = scripted({ "[directory]": "chat", "--class": "ChatRoom", "--kv": "STORE, LOG" });
    const options = await resolveCreateOptions({ format: "toml" }, { yes: false, ask }, ctx);
    expect(asked.map((q) => [q.input.flag, q.initial])).toEqual([
      ["[directory]", "do-kv-app"],
      ["--name", "chat"],
      ["--class", "Room"],
      ["--do-binding", "CHAT_ROOM"],
      ["--kv", "CACHE"],
      ["--env", ""],
      ["--template", "default"],
    ]);
    // --lifecycle is a flag only: never asked, migrations unless given.
    expect(options).toMatchObject({ name: "chat", doBinding: "CHAT_ROOM", kvBindings: ["STORE", "LOG"], lifecycle: "migrations" });
  });

  it("gives the prompt the same validation message as the flag", async () => {
    const { ask, asked } = scripted({ "[directory]": "d" });
    await resolveCreateOptions({}, { yes: false, ask }, ctx);
    const nameQuestion = asked.find((q) => q.input.flag === "--name")!;
    const kvQuestion = asked.find((q) => q.input.flag === "--kv")!;
    expect(nameQuestion.validate("Bad Name")).toContain("is not a valid Worker name");
    expect(nameQuestion.validate("good")).toBeUndefined();
    expect(kvQuestion.validate("ROOM")).toContain('"ROOM" is already the Durable Object binding');
    const flagAttempt = resolveCreateOptions({ directory: "d", name: "Bad Name" }, { yes: true }, ctx);
    await expect(flagAttempt).rejects.toThrow(nameQuestion.validate("Bad Name")!);
  });
});

describe("trimNotes", () => {
  it("names each given value that had white space around it, and what it became", async () => {
    const flags = { directory: " app", class: "Room\n", name: "chat", kv: [" A", "B"] };
    expect(trimNotes(flags)).toEqual([
      'The directory argument " app" was taken as "app": the white space around it was removed.',
      '--class "Room\\n" was taken as "Room": the white space around it was removed.',
      '--kv " A,B" was taken as "A,B": the white space around it was removed.',
    ]);
    const options = await resolveCreateOptions(flags, { yes: true }, ctx);
    expect(options).toMatchObject({ directory: "app", className: "Room", kvBindings: ["A", "B"] });
  });

  it("says nothing when nothing was trimmed", () => {
    expect(trimNotes({ directory: "app", class: "Room", kv: ["A", "B"] })).toEqual([]);
  });
});
