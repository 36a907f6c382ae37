/** Checks a generated project the way its user would: test, typecheck, dry-run, dev. */
import { execa, type ResultPromise } from "execa";
import { createServer } from "node:net";
import { join } from "node:path";
import { childEnv } from "./run.js";

export function inProject(cwd: string) {
  const run = (file: string, args: string[], timeout = 300_000) =>
    execa(file, args, { cwd, env: childEnv(), reject: false, timeout, stdin: "ignore", all: true });
  const bin = (name: string) => join(cwd, "node_modules", ".bin", name);
  return {
    npm: (...args: string[]) => run("npm", args),
    wrangler: (...args: string[]) => run(bin("wrangler"), args),
    /** Any program the project installed, as its npm scripts would run it. */
    bin: (name: string, ...args: string[]) => run(bin(name), args),
    /** wrangler dev in its own process group, so stopping it also stops the workerd it starts. */
    devServer: (port: number, extra: string[] = []) => {
      const dev = execa(bin("wrangler"), ["dev", "--ip", "127.0.0.1", "--port", String(port), ...extra], {
        cwd,
        env: childEnv(),
        reject: false,
        stdin: "ignore",
        all: true,
        detached: true,
      });
      return Object.assign(dev, { stop: () => stopGroup(dev) });
    },
  };
}

async function stopGroup(child: ResultPromise): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, name);
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), 5_000);
  await child;
  clearTimeout(timer);
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Polls until the dev server answers, failing if it exits or takes longer than the limit. */
export async function waitForServer(url: string, dev: ResultPromise, timeoutMs = 60_000): Promise<void> {
  let exited = false;
  void dev.finally(() => (exited = true));
  const started = Date.now();
  for (;;) {
    if (exited) throw new Error(`wrangler dev exited early:\n${(await dev).all}`);
    try {
      await fetch(url, { signal: AbortSignal.timeout(2_000) });
      return;
    } catch {
      if (Date.now() - started > timeoutMs) throw new Error(`wrangler dev did not answer within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}
