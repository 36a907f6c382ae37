/**
 * A client for one language server over stdio: JSON-RPC messages framed by Content-Length
 * headers (the Language Server Protocol's base protocol). Requests get answers or fail after a
 * time limit; requests the server makes of us get what `answer` returns; a signal to the run
 * stops the server and fails what is waiting.
 */
import { CliError } from "../../errors.js";
import { interruption, stopSignal } from "../interrupt.js";

interface Message {
  jsonrpc: "2.0";
  id?: number | string;
  method?: string;
  params?: unknown;
  result?: unknown;
  error?: { code: number; message: string };
}

export interface LanguageServer {
  request<T>(method: string, params: unknown): Promise<T>;
  notify(method: string, params: unknown): void;
  close(): Promise<void>;
}

const REQUEST_LIMIT_MS = 120_000;

export async function startLanguageServer(
  file: string,
  args: string[],
  options: { cwd: string; env: NodeJS.ProcessEnv; name: string; answer: (method: string, params: unknown) => unknown },
): Promise<LanguageServer> {
  const { execa } = await import("../../vendor/spawn.js");
  const child = execa(file, args, {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    stdin: "pipe",
    stdout: "pipe",
    stderr: "ignore",
    buffer: false,
    reject: false,
  });
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void; timer: NodeJS.Timeout }>();
  let nextId = 0;
  let ended: Error | undefined;
  const failAll = (error: Error) => {
    ended ??= error;
    for (const [id, waiting] of pending) {
      clearTimeout(waiting.timer);
      waiting.reject(error);
      pending.delete(id);
    }
  };
  const send = (message: Message) => {
    if (ended) return;
    const body = JSON.stringify(message);
    child.stdin!.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  };

  let buffer = Buffer.alloc(0);
  child.stdout!.on("data", (chunk: Buffer) => {
    buffer = Buffer.concat([buffer, chunk]);
    for (;;) {
      const headerEnd = buffer.indexOf("\r\n\r\n");
      if (headerEnd === -1) return;
      const length = Number(/content-length: *(\d+)/i.exec(buffer.subarray(0, headerEnd).toString())?.[1]);
      if (!Number.isFinite(length) || buffer.length < headerEnd + 4 + length) return;
      const message = JSON.parse(buffer.subarray(headerEnd + 4, headerEnd + 4 + length).toString()) as Message;
      buffer = buffer.subarray(headerEnd + 4 + length);
      if (message.method !== undefined) {
        // A request of the server's (its configuration, a capability): answered; a notification: ignored.
        if (message.id !== undefined) send({ jsonrpc: "2.0", id: message.id, result: options.answer(message.method, message.params) ?? null });
        continue;
      }
      const waiting = typeof message.id === "number" ? pending.get(message.id) : undefined;
      if (!waiting) continue;
      clearTimeout(waiting.timer);
      pending.delete(message.id as number);
      if (message.error) waiting.reject(new CliError(`${options.name} could not answer: ${message.error.message}`));
      else waiting.resolve(message.result);
    }
  });
  void child.then((result) =>
    failAll(new CliError(`${options.name} stopped (${result.exitCode ?? result.signal ?? "no exit code"}) before it answered.`)),
  );
  const signal = stopSignal();
  const onStop = () => {
    failAll(interruption(options.name) ?? new CliError(`${options.name} was stopped.`));
    child.kill();
  };
  signal.addEventListener("abort", onStop);

  const request = <T>(method: string, params: unknown): Promise<T> => {
    if (ended) return Promise.reject(ended);
    const id = ++nextId;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new CliError(`${options.name} did not answer ${method} within ${REQUEST_LIMIT_MS / 1000} s.`));
      }, REQUEST_LIMIT_MS);
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject, timer });
      send({ jsonrpc: "2.0", id, method, params });
    });
  };
  const notify = (method: string, params: unknown) => send({ jsonrpc: "2.0", method, params });

  return {
    request,
    notify,
    async close() {
      signal.removeEventListener("abort", onStop);
      if (!ended) {
        // A polite end, then the end either way.
        const bye = setTimeout(() => child.kill(), 2_000);
        try {
          await request("shutdown", null);
          notify("exit", null);
        } catch {
          // it is going anyway
        }
        clearTimeout(bye);
      }
      child.kill();
      failAll(new CliError(`${options.name} was closed.`));
    },
  };
}
