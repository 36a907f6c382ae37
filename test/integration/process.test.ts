/** Running programs (effects/process.ts, on execa): real child processes, every way they can end. */
import { describe, expect, it } from "vitest";
import { CancelledError } from "../../src/errors.js";
import { watchSignals } from "../../src/effects/interrupt.js";
import { MAX_OUTPUT_CHARS, run, showFullOutput, tailOf } from "../../src/effects/process.js";
import { commandLine, descendants, survivors, until } from "../helpers/procs.js";
import { tempDir } from "../helpers/tmp.js";

const node = (code: string, timeoutMs?: number) => run(process.execPath, ["-e", code], { cwd: tempDir(), env: process.env, timeoutMs });

describe("run", () => {
  it("collects the output and the exit code", async () => {
    const result = await node('process.stdout.write("out"); process.stderr.write("err"); process.exit(3)');
    expect(result).toMatchObject({ exitCode: 3, stdout: "out", stderr: "err", timedOut: false });
    expect(result.all).toContain("out");
    expect(result.problem).toBeUndefined();
  });

  it("stops a program that floods its output instead of running out of memory, and says so", async () => {
    // Writes as fast as the pipe takes them, for ever.
    const result = await node(
      'const s = "x".repeat(1 << 20); const w = () => { while (process.stdout.write(s)); process.stdout.once("drain", w); }; w();',
      60_000,
    );
    expect(result.exitCode).toBeUndefined();
    expect(result.problem).toContain(`printed more than ${MAX_OUTPUT_CHARS / 1_000_000} million characters and was stopped`);
    expect(result.stdout.length).toBeLessThanOrEqual(MAX_OUTPUT_CHARS);
  }, 60_000);

  it("names the signal that stopped a program", async () => {
    const result = await node('process.kill(process.pid, "SIGKILL")');
    expect(result.exitCode).toBeUndefined();
    expect(result.problem).toContain("was stopped by SIGKILL");
  });

  it("says why a program could not start", async () => {
    const result = await run("no-such-program-cdk", [], { cwd: tempDir(), env: process.env });
    expect(result.exitCode).toBeUndefined();
    expect(result.problem).toMatch(/no-such-program-cdk.*ENOENT/);
  });

  it("stops a program at its time limit, even one that ignores SIGTERM", async () => {
    const started = Date.now();
    const result = await node('process.on("SIGTERM", () => {}); setInterval(() => {}, 1000);', 500);
    expect(result.timedOut).toBe(true);
    expect(result.problem).toBeUndefined();
    // 0.5 s limit, then 2 s of grace before SIGKILL.
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);
});

/** A program whose own child keeps the output open: it prints that child's pid, then waits. */
const PARENT_OF_SLEEPER =
  'const c = require("node:child_process").spawn("sleep", ["300"], { stdio: "inherit" }); console.log(c.pid); setInterval(() => {}, 1000);';

describe.runIf(process.platform !== "win32")("process trees", () => {
  it("a time limit stops the program's own children too, even one that holds the output open", async () => {
    // Before, only the direct child was stopped and this waited for `sleep 300`.
    const result = await node(PARENT_OF_SLEEPER, 1_000);
    expect(result.timedOut).toBe(true);
    const sleeper = Number(result.stdout.trim());
    expect(sleeper).toBeGreaterThan(0);
    expect(await survivors([sleeper])).toEqual([]);
  }, 30_000);

  it.each([
    ["SIGTERM", 143],
    ["SIGHUP", 129],
    ["SIGINT", 130],
  ] as const)(
    "%s to create-do-kv stops the running tree, ends the run as a cancellation (%i), and starts nothing new",
    async (signal, code) => {
      const unwatch = watchSignals();
      try {
        const running = run(process.execPath, ["-e", PARENT_OF_SLEEPER], { cwd: tempDir(), env: process.env, timeoutMs: 60_000 });
        // Its output is not read until it ends, so its sleeping child is found in /proc.
        const sleeper = await until(() => descendants(process.pid).find((pid) => commandLine(pid) === "sleep 300"), "sleep 300");
        process.emit(signal);
        const error = await running.then(
          () => undefined,
          (caught: unknown) => caught,
        );
        expect(error).toBeInstanceOf(CancelledError);
        expect((error as CancelledError).exitCode).toBe(code);
        expect(await survivors([sleeper])).toEqual([]);
        // Once a signal came, no program starts.
        await expect(run("no-such-program-cdk", [], { cwd: tempDir(), env: process.env })).rejects.toMatchObject({ exitCode: code });
        expect((error as Error).message).toMatch(/during: node -e\./);
      } finally {
        unwatch();
      }
    },
    30_000,
  );
});

describe("tailOf", () => {
  it("keeps short text, and the last lines of long text with a note of what was cut and where it all is", () => {
    expect(tailOf("abc")).toBe("abc");
    expect(tailOf("a\nb\nc\nd", 2)).toBe("[... 4 characters before; --verbose shows all of it ...]\nc\nd");
    // One enormous line: its end, within the character cap.
    expect(tailOf("x".repeat(10_000), 15, 100)).toBe(`[... 9900 characters before; --verbose shows all of it ...]\n${"x".repeat(100)}`);
  });

  it("with --verbose, keeps everything", () => {
    showFullOutput(true);
    try {
      expect(tailOf("a\nb\nc\nd", 2)).toBe("a\nb\nc\nd");
    } finally {
      showFullOutput(false);
    }
  });
});
