/**
 * The built CLI on a real pseudo-terminal (driven by test/helpers/pty-drive.py): a terminal that
 * closes at a prompt, and one that reports no width, as containers and some CI runners give.
 */
import { execa } from "execa";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { stripVTControlCharacters } from "node:util";
import { describe, expect, it } from "vitest";
import { BIN, childEnv, REPO } from "../helpers/run.js";
import { tempDir } from "../helpers/tmp.js";

const DRIVER = join(REPO, "test", "helpers", "pty-drive.py");
const hasPython = (() => {
  try {
    execFileSync("python3", ["-c", "import pty"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();
if (!hasPython) console.warn("terminal.test.ts: skipped, python3 with its pty module is needed to drive a real terminal");

/** create-do-kv on a terminal of `columns`, its stderr kept in a file (the terminal may be gone). */
async function onTerminal(waitFor: string, action: "close" | "wait", columns: number, args: string[] = []) {
  const cwd = tempDir();
  const errFile = join(tempDir("cdk-pty-"), "stderr.txt");
  const command = `exec ${[process.execPath, BIN, ...args].map((a) => `'${a}'`).join(" ")} 2>'${errFile}'`;
  const env = childEnv({ CI: undefined, NO_COLOR: "1" });
  const result = await execa("python3", [DRIVER, waitFor, action, String(columns), "sh", "-c", command], {
    cwd,
    env,
    reject: false,
    timeout: 60_000,
  });
  const lines = String(result.stderr).trim().split("\n");
  return {
    cwd,
    exitCode: Number(String(result.stdout).trim()),
    screen: stripVTControlCharacters(JSON.parse(lines.at(-1)!) as string),
    stderr: readFileSync(errFile, "utf8"),
  };
}

describe.runIf(process.platform !== "win32" && hasPython)("on a real terminal", () => {
  it("closed at the first prompt: one line, exit 129 (a hangup), nothing written, no stack trace", async () => {
    const run = await onTerminal("Where should the project go?", "close", 80);
    expect(run.exitCode, run.stderr).toBe(129);
    expect(run.stderr).toBe("✖ Stopped by SIGHUP. Nothing was written.\n");
    expect(readdirSync(run.cwd)).toEqual([]);
  }, 60_000);

  it("a terminal that reports 0 columns gets prompts 80 wide, not one character per line", async () => {
    const run = await onTerminal("Where should the project go?", "close", 0);
    expect(run.screen).toContain("Where should the project go?");
    expect(run.screen).toContain("do-kv-app");
  }, 60_000);
});
