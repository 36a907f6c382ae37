import { MAX_VALUE_BYTES, __CLASS_NAME__ } from "./durable-object";

// Wrangler finds Durable Object classes among the exports of the entry module.
export { __CLASS_NAME__ };

/** Room names: what fits in a URL segment and a KV key without escaping. */
const ROOM_NAME = /^[A-Za-z0-9_-]{1,64}$/;

/** What GET / answers: the routes, for whoever opens the URL `wrangler dev` prints. */
const ROUTES = {
	"GET /rooms/<room>/ws": 'WebSocket: the value on connect and after every write; send { "action": "set", "value": "..." } to write',
	"GET /rooms/<room>": "the room's value",
	"PUT /rooms/<room>": "replace the room's value with the request body and send it to every client",
};

/**
 * GET /rooms/<room>/ws  opens a WebSocket to the room: the current value on connect, every new
 *                       value after; send { "action": "set", "value": "..." } to write.
 * GET /rooms/<room>     reads the room's value.
 * PUT /rooms/<room>     replaces it with the request body and sends it to every client.
 * All go to the room's Durable Object, the single reader and writer of its KV key.
 */
export default {
	async fetch(request, env): Promise<Response> {
		const { pathname } = new URL(request.url);
		const [, first, room, ...rest] = pathname.split("/");
		if (pathname === "/") return Response.json({ routes: ROUTES }); // the URL `wrangler dev` prints
		if (first !== "rooms") return problem(404, "Not found. Use /rooms/<room> or /rooms/<room>/ws.");
		const socket = rest.length === 1 && rest[0] === "ws";
		if (!room || (rest.length > 0 && !socket) || !ROOM_NAME.test(room)) {
			return problem(400, "Name a room in the path: /rooms/<room>, 1-64 letters, digits, '-' or '_'.");
		}

		const stub = env.__DO_BINDING__.getByName(room);
		if (socket) {
			if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
				return problem(426, "Open /rooms/<room>/ws as a WebSocket.");
			}
			return stub.fetch(request); // WebSockets cross to the Durable Object through fetch, not RPC
		}
		if (request.method === "GET") {
			return Response.json({ room, value: await stub.read() });
		}
		if (request.method === "PUT") {
			const value = await request.text();
			if (new TextEncoder().encode(value).byteLength > MAX_VALUE_BYTES) {
				return problem(413, `A value can be at most ${MAX_VALUE_BYTES} bytes.`);
			}
			return Response.json({ room, value: await stub.write(value) });
		}
		return problem(405, "Use GET or PUT.", { allow: "GET, PUT" });
	},
} satisfies ExportedHandler<Env>;

function problem(status: number, error: string, headers?: HeadersInit): Response {
	return Response.json({ error }, { status, headers });
}
