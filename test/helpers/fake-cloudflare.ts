/**
 * A fake of the slice of the Cloudflare API that `wrangler kv namespace create|list` uses, on
 * 127.0.0.1, so the real wrangler binary can run in tests without an account.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";

/**
 * leaky: an error that echoes the request's token and holds control characters, as a careless API might.
 * upload-rejected: everything answers but a Worker's upload, refused as a script that throws at start-up.
 */
export type FakeMode = "ok" | "bad-token" | "server-error" | "hang" | "leaky" | "upload-rejected";

export interface FakeRequest {
  method: string;
  path: string;
  body?: unknown;
}

export interface FakeCloudflare {
  url: string;
  accountId: string;
  requests: FakeRequest[];
  /** Namespaces that exist, by title. */
  namespaces: Map<string, string>;
  mode: FakeMode;
  /** Delay before every answer, in ms. */
  latencyMs: number;
  /** The most POSTs that were being answered at one time. */
  maxConcurrentPosts: number;
  /** Workers a `wrangler deploy` uploaded, by script name. */
  deployed: Set<string>;
  /** Environment that points real wrangler here. */
  env(home: string): Record<string, string>;
  posts(): FakeRequest[];
  close(): Promise<void>;
}

const NAMESPACES = /^\/client\/v4\/accounts\/([0-9a-f]{32})\/storage\/kv\/namespaces$/;

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function failure(code: number, message: string) {
  return { success: false, errors: [{ code, message }], messages: [], result: null };
}

async function readBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString();
  // A Worker upload is multipart; only JSON bodies are read as values.
  return text && String(req.headers["content-type"]).includes("json") ? JSON.parse(text) : text || undefined;
}

const WORKERS = /^\/client\/v4\/accounts\/([0-9a-f]{32})\/workers\/(.+)$/;

/**
 * What `wrangler deploy` asks of the Workers API, enough for it to upload a Worker and finish
 * (the routes seen in its requests): a Worker is new until its script is PUT.
 */
function workersAnswer(method: string, route: string, deployed: Set<string>): [number, unknown] {
  const ok = (result: unknown): [number, unknown] => [200, { success: true, errors: [], messages: [], result }];
  const script = /^(?:services|scripts|workers)\/([^/]+)/.exec(route)?.[1];
  if (route === "subdomain") return ok({ subdomain: "fake" });
  if (/^services\/[^/]+$/.test(route) && method === "GET") {
    return script && deployed.has(script)
      ? ok({ id: script, default_environment: { environment: "production" } })
      : [404, failure(10090, "This Worker does not exist on your account.")];
  }
  if (/^scripts\/[^/]+$/.test(route) && method === "PUT") {
    deployed.add(script!);
    return ok({ id: script, etag: "fake", handlers: ["fetch"], deployment_id: "fake-deployment" });
  }
  if (/^scripts\/[^/]+\/secrets$/.test(route)) return ok([]);
  if (/^scripts\/[^/]+\/deployments$/.test(route)) return ok({ deployments: [] });
  if (/^workers\/[^/]+$/.test(route)) return ok({ subdomain: { enabled: true, previews_enabled: true } });
  if (/^scripts\/[^/]+\/subdomain$/.test(route)) return ok({ enabled: true, previews_enabled: true });
  if (/^scripts\/[^/]+\/schedules$/.test(route)) return ok({ schedules: [] });
  if (/^scripts\/[^/]+\/settings$/.test(route)) return ok({ bindings: [], logpush: false, tail_consumers: [] });
  return ok({});
}

export async function startFakeCloudflare(): Promise<FakeCloudflare> {
  const accountId = randomBytes(16).toString("hex");
  const sockets = new Set<Socket>();
  const fake = {
    accountId,
    requests: [] as FakeRequest[],
    namespaces: new Map<string, string>(),
    mode: "ok" as FakeMode,
    latencyMs: 0,
    maxConcurrentPosts: 0,
    /** Workers a `wrangler deploy` uploaded. */
    deployed: new Set<string>(),
  };
  let postsInFlight = 0;

  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const body = await readBody(req);
    fake.requests.push({ method: req.method ?? "", path: url.pathname + url.search, body });
    if (fake.mode === "hang") return; // accept, never answer
    if (req.method === "POST") {
      postsInFlight++;
      fake.maxConcurrentPosts = Math.max(fake.maxConcurrentPosts, postsInFlight);
      res.on("close", () => postsInFlight--);
    }
    if (fake.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.latencyMs));
    if (fake.mode === "bad-token") return send(res, 401, failure(10000, "Authentication error"));
    if (fake.mode === "server-error") return send(res, 500, failure(10001, "Internal server error"));
    if (fake.mode === "leaky") {
      const token = (req.headers.authorization ?? "").replace(/^Bearer /, "");
      return send(res, 400, failure(10000, `Token ${token} is not allowed here\u0000\u0001\u0007 (header: ${req.headers.authorization})`));
    }

    const workers = WORKERS.exec(url.pathname);
    if (workers && workers[1] === accountId) {
      if (fake.mode === "upload-rejected" && req.method === "PUT" && /^scripts\/[^/]+$/.test(workers[2]!)) {
        return send(res, 400, failure(10021, "Uncaught Error: the fake refuses this upload at worker.js:1:1"));
      }
      return send(res, ...workersAnswer(req.method ?? "GET", workers[2]!, fake.deployed));
    }

    const match = NAMESPACES.exec(url.pathname);
    if (!match || match[1] !== accountId) return send(res, 404, failure(7003, `Could not route to ${url.pathname}`));

    if (req.method === "POST") {
      const title = (body as { title?: string } | undefined)?.title ?? "";
      if (fake.namespaces.has(title)) {
        return send(res, 400, failure(10014, `A namespace with this account ID and title already exists.`));
      }
      const id = randomBytes(16).toString("hex");
      fake.namespaces.set(title, id);
      return send(res, 200, { success: true, errors: [], messages: [], result: { id, title, supports_url_encoding: true } });
    }
    if (req.method === "GET") {
      const perPage = Number(url.searchParams.get("per_page") ?? 20);
      const page = Number(url.searchParams.get("page") ?? 1);
      const all = [...fake.namespaces].map(([title, id]) => ({ id, title, supports_url_encoding: true }));
      all.sort((a, b) => a.title.localeCompare(b.title));
      const result = all.slice((page - 1) * perPage, page * perPage);
      return send(res, 200, {
        success: true,
        errors: [],
        messages: [],
        result,
        result_info: { page, per_page: perPage, count: result.length, total_count: all.length, total_pages: Math.ceil(all.length / perPage) },
      });
    }
    return send(res, 405, failure(10405, "Method not allowed"));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}/client/v4`,
    env: (home: string) => {
      mkdirSync(`${home}/tmp`, { recursive: true });
      return {
        CLOUDFLARE_API_BASE_URL: `http://127.0.0.1:${port}/client/v4`,
        CLOUDFLARE_API_TOKEN: "fake-token-for-tests",
        CLOUDFLARE_ACCOUNT_ID: accountId,
        WRANGLER_SEND_METRICS: "false",
        HOME: home,
        XDG_CONFIG_HOME: `${home}/.config`,
        TMPDIR: `${home}/tmp`,
      };
    },
    posts: () => fake.requests.filter((r) => r.method === "POST"),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  });
}
