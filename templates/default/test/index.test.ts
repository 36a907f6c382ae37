import { env, runInDurableObject } from "cloudflare:test";
import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { __CLASS_NAME__ } from "../src/durable-object";

function call(path: string, init?: RequestInit): Promise<Response> {
	return exports.default.fetch(`https://example.com${path}`, init);
}

describe("rooms", () => {
	it("writes through the Durable Object to KV and reads the value back", async () => {
		const put = await call("/rooms/lobby", { method: "PUT", body: "hello" });
		expect(put.status).toBe(200);
		expect(await put.json()).toEqual({ room: "lobby", value: "hello" });

		const get = await call("/rooms/lobby");
		expect(await get.json()).toEqual({ room: "lobby", value: "hello" });
		expect(await env.__KV_BINDING__.get("room:lobby")).toBe("hello");
	});

	it("keeps rooms independent", async () => {
		await call("/rooms/red", { method: "PUT", body: "1" });
		await call("/rooms/blue", { method: "PUT", body: "2" });
		expect(await (await call("/rooms/red")).json()).toEqual({ room: "red", value: "1" });
		expect(await (await call("/rooms/blue")).json()).toEqual({ room: "blue", value: "2" });
		expect(await (await call("/rooms/green")).json()).toEqual({ room: "green", value: null });
	});

	it("describes its routes at /", async () => {
		const res = await call("/");
		expect(res.status).toBe(200);
		expect(Object.keys(((await res.json()) as { routes: object }).routes)).toEqual(["GET /rooms/<room>", "PUT /rooms/<room>"]);
	});

	it.each(["/rooms", "/rooms/", "/rooms/a%20b", `/rooms/${"x".repeat(65)}`, "/rooms/a/b"])(
		"answers 400 when the room in %s is missing or invalid",
		async (path) => {
			const res = await call(path);
			expect(res.status).toBe(400);
			expect(await res.json()).toEqual({ error: expect.stringContaining("/rooms/<room>") });
		},
	);

	it("serializes writes: a slow write finishes before the next one starts", async () => {
		const stub = env.__DO_BINDING__.getByName("order");
		const { log, stored } = await runInDurableObject(stub, async (room: __CLASS_NAME__) => {
			const log: string[] = [];
			const kv = useKv(room, (kv) => ({
				get: (key: string) => kv.get(key),
				put: async (key: string, value: string) => {
					log.push(`start ${value}`);
					await new Promise((resolve) => setTimeout(resolve, value === "a" ? 50 : 0));
					await kv.put(key, value);
					log.push(`end ${value}`);
				},
			}));
			await Promise.all([room.write("a"), room.write("b"), room.write("c")]);
			return { log, stored: await kv.get("room:order") };
		});
		expect(log).toEqual(["start a", "end a", "start b", "end b", "start c", "end c"]);
		expect(stored).toBe("c");
	});

	it("serves concurrent readers with one KV read", async () => {
		const stub = env.__DO_BINDING__.getByName("shared");
		await env.__KV_BINDING__.put("room:shared", "from-kv");
		const { values, kvReads } = await runInDurableObject(stub, async (room: __CLASS_NAME__) => {
			let kvReads = 0;
			useKv(room, (kv) => ({
				get: (key: string) => (kvReads++, kv.get(key)),
				put: kv.put.bind(kv),
			}));
			const values = await Promise.all(Array.from({ length: 10 }, () => room.read()));
			return { values, kvReads };
		});
		expect(values).toEqual(Array(10).fill("from-kv"));
		expect(kvReads).toBe(1);
	});
});

/**
 * Swaps the KV binding one Durable Object instance sees for a wrapper, to observe its KV traffic.
 * `env` is protected in TypeScript, hence the cast. Returns the real binding.
 */
function useKv(
	room: __CLASS_NAME__,
	wrap: (kv: KVNamespace) => Pick<KVNamespace<string>, "put"> & { get(key: string): Promise<string | null> },
): KVNamespace {
	const target = room as unknown as { env: Env };
	const kv = target.env.__KV_BINDING__;
	target.env = { ...target.env, __KV_BINDING__: wrap(kv) as unknown as KVNamespace };
	return kv;
}
