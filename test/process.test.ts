/** Running programs (effects/process.ts, on execa): real child processes, every way they can end. */
import { describe, expect, it } from "vitest";
import { MAX_OUTPUT_CHARS, run, tailOf } from "../src/effects/process.js";
import { tempDir } from "./helpers/tmp.js";

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
    const result = await node('const s = "x".repeat(1 << 20); const w = () => { while (process.stdout.write(s)); process.stdout.once("drain", w); }; w();', 60_000);
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

describe("tailOf", () => {
  it("keeps short text, and the end of long text with a note of what was cut", () => {
    expect(tailOf("abc", 10)).toBe("abc");
    expect(tailOf("0123456789abc", 3)).toBe("[... 10 characters before ...]\nabc");
  });
});
