import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../../src/cli.js";
import { fitToFrame } from "../../src/effects/prompts.js";
import { Capture, FakeTtyIn, makeIo, waitFor } from "../helpers/io.js";
import { tempDir } from "../helpers/tmp.js";

/** A terminal session: main() running with a fake TTY, and a way to type into it. */
function session(extra: string[] = []) {
  return terminal(["--no-install", "--no-git", ...extra], tempDir());
}

function terminal(argv: string[], cwd: string) {
  const stdin = new FakeTtyIn();
  const screen = new Capture(true);
  // A HOME of its own: no stored wrangler login, so KV creation is offered, not run.
  const { io, stderr } = makeIo({ argv, cwd, stdin, stdout: screen, env: { HOME: tempDir() } });
  const done = main(io);
  let seen = 0;
  return {
    cwd,
    screen,
    stderr,
    stdout: screen,
    done,
    type: (keys: string) => stdin.write(keys),
    /** Waits for a prompt, then types the keys. */
    async answer(prompt: string, keys: string) {
      seen = await waitFor(screen, prompt, seen);
      stdin.write(keys);
    },
  };
}

const ENTER = "\r";
const CTRL_C = "\x03";
const CLEAR = "\x15"; // Ctrl-U clears the line the default was typed into

describe("interactive create", () => {
  it("asks for every value, then writes what was typed", async () => {
    const s = session();
    // The default is a placeholder, not text to delete first: typing replaces it.
    await s.answer("Where should the project go?", `chat${ENTER}`);
    await s.answer("Worker name", ENTER); // keep the derived default
    await s.answer("Durable Object class name", `ChatRoom${ENTER}`);
    await s.answer("Durable Object binding name", ENTER);
    await s.answer("KV binding names", `${CLEAR}STORE, LOG${ENTER}`);
    await s.answer("Environments", `staging${ENTER}`);
    await s.answer("Wrangler config format", `\x1b[B${ENTER}`); // arrow down: jsonc
    await s.answer("Template", "");
    // Every template's description is on screen before the cursor moves to it.
    await waitFor(s.screen, "broadcast (one KV read broadcast to every WebSocket client of a room)");
    s.type(`\x1b[B${ENTER}`); // arrow down: broadcast
    // No token and no login: it offers `wrangler login`; declining skips KV creation.
    await s.answer("Run `wrangler login` now", ENTER); // the default is No: Enter opens no browser
    expect(await s.done).toBe(0);
    expect(s.stderr.text).toContain("KV namespaces not created: not logged in to Cloudflare");
    expect(s.stderr.text).toContain("cd chat && npx create-do-kv sync");
    const config = readFileSync(join(s.cwd, "chat", "wrangler.jsonc"), "utf8");
    expect(config).toContain('"name": "chat"');
    expect(config).toContain('{ "name": "CHAT_ROOM", "class_name": "ChatRoom" }');
    expect(config).toContain('{ "binding": "STORE" }');
    expect(config).toContain('{ "binding": "LOG" }');
    expect(config).toContain('"staging": {');
    expect(readFileSync(join(s.cwd, "chat", "src", "durable-object.ts"), "utf8")).toContain("acceptWebSocket");
  });

  it("shows the validation message on a bad answer and asks again", async () => {
    const s = session(["--format", "toml", "--kv", "CACHE"]);
    await s.answer("Where should the project go?", `${CLEAR}app${ENTER}`);
    await s.answer("Worker name", `${CLEAR}Not Valid${ENTER}`);
    await s.answer('"Not Valid" is not a valid Worker name', `${CLEAR}fine-name${ENTER}`);
    await s.answer("Durable Object class name", `${CLEAR}Env${ENTER}`);
    await s.answer('"Env" is already used', `${CLEAR}Lobby${ENTER}`);
    await s.answer("Durable Object binding name", `${CLEAR}CACHE${ENTER}`);
    // The collision with --kv CACHE is found once both are known: exit 2, nothing written.
    expect(await s.done).toBe(2);
    expect(s.stderr.text).toContain('--kv: "CACHE" is already the Durable Object binding');
    expect(readdirSync(s.cwd)).toEqual([]);
  });

  it("Ctrl-C at a prompt exits 130 and leaves nothing on disk", async () => {
    const s = session();
    await s.answer("Where should the project go?", ENTER); // the default the prompt offers
    await s.answer("Worker name", ENTER);
    expect(s.stdout.text).toContain("do-kv-app");
    await s.answer("Durable Object class name", CTRL_C);
    expect(await s.done).toBe(130);
    expect(s.stderr.text).toContain("Cancelled");
    expect(existsSync(join(s.cwd, "do-kv-app"))).toBe(false);
    expect(readdirSync(s.cwd)).toEqual([]);
  });

  it("Ctrl-C at the login question keeps the project, prints the next steps and how to finish, exits 130", async () => {
    const every = ["--name", "p", "--class", "Room", "--do-binding", "ROOM", "--kv", "CACHE", "--format", "toml", "--template", "default"];
    const s = session(["p", ...every]);
    await s.answer("Environments", ENTER); // none
    await s.answer("Run `wrangler login` now", CTRL_C);
    expect(await s.done).toBe(130);
    expect(s.stderr.text).toContain("Cancelled at the login question; the project is kept");
    expect(s.stderr.text).toContain("cd p && npx create-do-kv sync");
    expect(s.stdout.text).toContain("Next steps:");
    expect(existsSync(join(s.cwd, "p", "wrangler.toml"))).toBe(true);
  });

  it("Ctrl-C while `wrangler login` waits for the browser: names the login, still makes the repository, prints how to finish, exits 130", async () => {
    // A wrangler whose login waits, as the real one does for the browser, and says where it is.
    const dir = tempDir();
    const pidFile = join(dir, "login.pid");
    const stub = join(dir, "wrangler");
    writeFileSync(
      stub,
      `#!/usr/bin/env node\nif (process.argv[2] === "login") { require("node:fs").writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); setInterval(() => {}, 1000); }\n`,
      { mode: 0o755 },
    );
    const every = ["--name", "p", "--class", "Room", "--do-binding", "ROOM", "--kv", "CACHE", "--format", "toml", "--template", "default"];
    const s = terminal(["p", "--no-install", "--wrangler", stub, ...every], tempDir());
    await s.answer("Environments", ENTER);
    await s.answer("Run `wrangler login` now", `\x1b[D${ENTER}`); // arrow left: Yes
    const started = Date.now();
    while (!existsSync(pidFile)) {
      if (Date.now() - started > 20_000) throw new Error("the login never started");
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    // The terminal's Ctrl-C goes to the whole foreground group: wrangler and create-do-kv.
    process.kill(Number(readFileSync(pidFile, "utf8")), "SIGINT");
    process.emit("SIGINT");
    expect(await s.done).toBe(130);
    expect(s.stderr.text).toContain("Cancelled during: wrangler login. The project is kept, without KV ids.");
    expect(s.stderr.text).not.toContain("git rev-parse");
    expect(s.stderr.text).toContain("To finish: cd p && npx create-do-kv sync");
    expect(existsSync(join(s.cwd, "p", ".git"))).toBe(true);
    expect(s.stdout.text).toContain("Next steps:");
  }, 60_000);

  it("--yes in a terminal asks nothing, not even to log in", async () => {
    const s = session(["p", "--yes"]);
    expect(await s.done).toBe(0);
    expect(s.screen.text).not.toContain("wrangler login` now");
    expect(s.stderr.text).toContain("KV namespaces not created");
    expect(existsSync(join(s.cwd, "p", "wrangler.toml"))).toBe(true);
  });

  it("never prompts when CI is set, even on a terminal", async () => {
    const cwd = tempDir();
    const { io, stderr } = makeIo({ argv: [], cwd, stdin: new FakeTtyIn(), stdout: new Capture(true), env: { CI: "true" } });
    expect(await main(io)).toBe(2);
    expect(stderr.text).toContain("Missing the project directory");
  });
});

describe("interactive rename", () => {
  async function project(): Promise<string> {
    const cwd = tempDir();
    const { io } = makeIo({ argv: ["p", "--yes", "--no-install", "--no-git", "--no-create-kv"], cwd });
    expect(await main(io)).toBe(0);
    return join(cwd, "p");
  }

  const renameSession = (cwd: string) => terminal(["rename"], cwd);

  it("asks for each name; keeping them all changes nothing", async () => {
    const dir = await project();
    const config = readFileSync(join(dir, "wrangler.toml"), "utf8");
    const s = renameSession(dir);
    await s.answer("Durable Object class Room", ENTER);
    await s.answer("Durable Object binding ROOM", ENTER);
    await s.answer("KV binding CACHE", ENTER);
    expect(await s.done).toBe(0);
    expect(s.stdout.text).toContain("Nothing to change.");
    expect(readFileSync(join(dir, "wrangler.toml"), "utf8")).toBe(config);
  });

  it("shows the name rule on a bad answer, and turns a new name into a rename", async () => {
    const dir = await project();
    const s = renameSession(dir);
    await s.answer("Durable Object class Room", `${CLEAR}hall${ENTER}`);
    await s.answer("is not a valid class name", `${CLEAR}Hall${ENTER}`);
    await s.answer("Durable Object binding ROOM", ENTER);
    await s.answer("KV binding CACHE", ENTER);
    // The project has no dependencies installed, so the rename stops before writing.
    expect(await s.done).toBe(2);
    expect(s.stderr.text).toContain("needs TypeScript");
    expect(readFileSync(join(dir, "src", "durable-object.ts"), "utf8")).toContain("export class Room ");
  });
});

describe("interactive add", () => {
  it("asks for each value with create's defaults; a name the project has is refused at the prompt, as a flag would be", async () => {
    const cwd = tempDir();
    const made = makeIo({ argv: ["p", "--yes", "--no-install", "--no-git", "--no-create-kv"], cwd });
    expect(await main(made.io)).toBe(0);
    const dir = join(cwd, "p");
    const before = readFileSync(join(dir, "wrangler.toml"), "utf8");
    const s = terminal(["add", "--dry-run"], dir);
    await s.answer("Durable Object class name", ENTER); // the default, Room, is this project's class
    await s.answer('"Room" is already a Durable Object class of this Worker', `${CLEAR}Chat${ENTER}`);
    await s.answer("Durable Object binding name", ENTER); // CHAT, from the class
    await s.answer("KV binding names", `${CLEAR}CACHE, ROOM${ENTER}`);
    await s.answer('"ROOM" is already the name of a Durable Object binding', `${CLEAR}CACHE, NOTES${ENTER}`);
    await s.answer("Template", ENTER);
    expect(await s.done).toBe(0);
    expect(s.stdout.text).toContain('+name = "CHAT"');
    expect(s.stdout.text).toContain('+binding = "NOTES"');
    expect(s.stdout.text).toContain('+export { Chat } from "./chat";');
    expect(readFileSync(join(dir, "wrangler.toml"), "utf8")).toBe(before);
  });
});

describe("interactive sync", () => {
  async function project(): Promise<string> {
    const cwd = tempDir();
    const { io } = makeIo({ argv: ["p", "--yes", "--no-install", "--no-git", "--no-create-kv", "--kv", "CACHE,SESSIONS"], cwd });
    expect(await main(io)).toBe(0);
    const dir = join(cwd, "p");
    const config = join(dir, "wrangler.toml");
    writeFileSync(config, readFileSync(config, "utf8").replace('binding = "SESSIONS"', 'binding = "EVENTS"'));
    return dir;
  }
  const question = "Is the KV binding EVENTS the binding SESSIONS renamed";

  it("asks when the evidence cannot tell; no takes the config as it is", async () => {
    const dir = await project();
    const s = terminal(["sync", "--no-create-kv"], dir);
    await s.answer(question, "n");
    expect(await s.done).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, "create-do-kv.json"), "utf8")).kv).toEqual([
      { binding: "CACHE", id: null },
      { binding: "EVENTS", id: null },
    ]);
  });

  it("yes turns the answer into a rename (here stopped before writing: no TypeScript installed)", async () => {
    const dir = await project();
    const record = readFileSync(join(dir, "create-do-kv.json"), "utf8");
    const s = terminal(["sync", "--no-create-kv"], dir);
    await s.answer(question, "y");
    expect(await s.done).toBe(2);
    expect(s.stderr.text).toContain("needs TypeScript");
    expect(readFileSync(join(dir, "create-do-kv.json"), "utf8")).toBe(record);
  });
});

describe("a long validation message in a narrow terminal", () => {
  it("wraps inside the frame: every later line indented under the first, none wider than the terminal", () => {
    const message =
      '"Not Valid" is not a valid Worker name: use lowercase letters, digits and hyphens, at most 63 characters, starting with a letter.';
    const fitted = fitToFrame(message, 40);
    const lines = fitted.split("\n");
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines.slice(1)) expect(line).toMatch(/^ {3}\S/);
    // After clack's "└  " the first line starts at column 3, the others are indented by 3.
    for (const line of lines) expect(3 + line.replace(/^ {3}/, "").length).toBeLessThanOrEqual(40);
    expect(lines.map((line) => line.trim()).join(" ")).toBe(message);
  });

  it("leaves a short one as it is", () => {
    expect(fitToFrame("Too short.", 80)).toBe("Too short.");
  });
});
