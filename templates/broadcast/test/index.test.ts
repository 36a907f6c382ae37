import { env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ServerMessage, __CLASS_NAME__ } from "../src/durable-object";

function call(path: string, init?: RequestInit): Promise<Response> {
	return exports.default.fetch(`https://example.com${path}`, init);
}

/** A WebSocket client of a room, with its messages queued for `next()`. */
async function connect(room: string) {
	const response = await call(`/rooms/${room}/ws`, { headers: { upgrade: "websocket" } });
	expect(response.status).toBe(101);
	const socket = response.webSocket!;
	const queue: ServerMessage[] = [];
	const waiting: ((message: ServerMessage) => void)[] = [];
	socket.addEventListener("message", (event) => {
		const message = JSON.parse(String(event.data)) as ServerMessage;
		const resolve = waiting.shift();
		if (resolve) resolve(message);
		else queue.push(message);
	});
	socket.accept();
	return {
		socket,
		next: () => new Promise<ServerMessage>((resolve) => (queue.length ? resolve(queue.shift()!) : waiting.push(resolve))),
		pending: () => queue.length,
		send: (data: unknown) => socket.send(typeof data === "string" ? data : JSON.stringify(data)),
	};
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe("broadcast", () => {
	it("sends a write to every client of the room, and only that room", async () => {
		const [a, b, other] = await Promise.all([connect("blue"), connect("blue"), connect("green")]);
		expect(await a.next()).toEqual({ type: "value", value: null });
		expect(await b.next()).toEqual({ type: "value", value: null });
		expect(await other.next()).toEqual({ type: "value", value: null });

		a.send({ action: "set", value: "from a" });
		expect(await a.next()).toEqual({ type: "value", value: "from a" });
		expect(await b.next()).toEqual({ type: "value", value: "from a" });

		const put = await call("/rooms/blue", { method: "PUT", body: "from http" });
		expect(put.status).toBe(200);
		expect(await b.next()).toEqual({ type: "value", value: "from http" });
		await settle();
		expect(other.pending()).toBe(0);
		expect(await env.__KV_BINDING__.get("room:blue")).toBe("from http");
	});

	it("gives a reconnecting client the current value", async () => {
		const first = await connect("again");
		await first.next();
		first.send({ action: "set", value: "kept" });
		expect(await first.next()).toEqual({ type: "value", value: "kept" });
		first.socket.close(1000, "bye");
		const second = await connect("again");
		expect(await second.next()).toEqual({ type: "value", value: "kept" });
	});

	it("answers bad messages with an error frame and keeps the connection", async () => {
		const client = await connect("errors");
		await client.next();
		client.send("not json");
		expect(await client.next()).toEqual({ type: "error", error: "Messages must be JSON." });
		client.send({ action: "delete" });
		expect(await client.next()).toEqual({ type: "error", error: expect.stringContaining("Unknown message") });
		client.send({ action: "set", value: "x".repeat(64 * 1024 + 1) });
		expect(await client.next()).toEqual({ type: "error", error: expect.stringContaining("at most") });
		client.send({ action: "set", value: "still here" });
		expect(await client.next()).toEqual({ type: "value", value: "still here" });
	});

	it("serves many clients connecting at once with one KV read", async () => {
		await env.__KV_BINDING__.put("room:crowd", "from-kv");
		let kvReads = 0;
		await runInDurableObject(env.__DO_BINDING__.getByName("crowd"), (room: __CLASS_NAME__) => {
			// Count KV reads by wrapping the binding this instance sees (env is protected in TS).
			const target = room as unknown as { env: Env };
			const kv = target.env.__KV_BINDING__;
			const counting = { get: (key: string) => (kvReads++, kv.get(key)), put: kv.put.bind(kv) };
			target.env = { ...target.env, __KV_BINDING__: counting as unknown as KVNamespace };
		});
		const clients = await Promise.all(Array.from({ length: 20 }, () => connect("crowd")));
		const first = await Promise.all(clients.map((client) => client.next()));
		expect(first).toEqual(Array(20).fill({ type: "value", value: "from-kv" }));
		expect(kvReads).toBe(1);
	});

	it("describes its routes at /", async () => {
		const res = await call("/");
		expect(res.status).toBe(200);
		expect(Object.keys(((await res.json()) as { routes: object }).routes)).toContain("GET /rooms/<room>/ws");
	});

	it.each(["/rooms/", "/rooms/a%20b/ws", "/rooms/a/b"])("answers 400 for %s", async (path) => {
		expect((await call(path)).status).toBe(400);
	});

	it("asks for a WebSocket upgrade on /ws", async () => {
		expect((await call("/rooms/a/ws")).status).toBe(426);
	});
});
