import { DurableObject } from "cloudflare:workers";

/** Values are small on purpose; KV allows up to 25 MiB per value. */
export const MAX_VALUE_BYTES = 64 * 1024;

/** What a client may send: `{ "action": "set", "value": "..." }`. */
interface SetMessage {
	action: "set";
	value: string;
}

/** What clients receive: the __INSTANCE__'s value (on connect and after every write), or an error. */
export type ServerMessage = { type: "value"; value: string | null } | { type: "error"; error: string };

/**
 * One instance per __INSTANCE__, the only code that touches the __INSTANCE__'s KV key, and the hub of the
 * __INSTANCE__'s WebSocket clients:
 *
 * - One KV read serves every client. The value is read once and kept in memory (nothing else
 *   writes the key); clients connecting while that read is in flight wait for the same read.
 * - Writes are serialized, then sent to every client of this __INSTANCE__, and only this __INSTANCE__.
 * - WebSockets use the Hibernation API (ctx.acceptWebSocket): an idle __INSTANCE__ is evicted from
 *   memory while its connections stay open, and costs nothing until the next message.
 */
export class __CLASS_NAME__ extends DurableObject<Env> {
	/** The __INSTANCE__'s value: undefined until first read, then the (possibly pending) result. */
	#value: Promise<string | null> | undefined;
	/** The tail of the write queue. */
	#writes: Promise<void> = Promise.resolve();

	/** The KV key for this __INSTANCE__. The Worker names every __INSTANCE__, so `id.name` is set. */
	get #key(): string {
		return `__KEY_PREFIX__:${this.ctx.id.name ?? this.ctx.id.toString()}`;
	}

	async read(): Promise<string | null> {
		this.#value ??= this.env.__KV_BINDING__.get(this.#key).catch((error: unknown) => {
			this.#value = undefined; // let the next reader retry instead of caching the failure
			throw error;
		});
		return this.#value;
	}

	async write(value: string): Promise<string> {
		const write = this.#writes.then(() => this.env.__KV_BINDING__.put(this.#key, value));
		this.#writes = write.catch(() => {}); // a failed write must not block the ones after it
		await write;
		this.#value = Promise.resolve(value);
		this.#broadcast({ type: "value", value });
		return value;
	}

	/** Accepts a WebSocket for this __INSTANCE__ and sends it the current value. */
	async fetch(): Promise<Response> {
		const [client, server] = Object.values(new WebSocketPair());
		this.ctx.acceptWebSocket(server);
		send(server, { type: "value", value: await this.read() });
		return new Response(null, { status: 101, webSocket: client });
	}

	async webSocketMessage(socket: WebSocket, message: string | ArrayBuffer): Promise<void> {
		const text = typeof message === "string" ? message : new TextDecoder().decode(message);
		if (new TextEncoder().encode(text).byteLength > MAX_VALUE_BYTES + 1024) {
			return send(socket, { type: "error", error: `A message can be at most ${MAX_VALUE_BYTES} bytes of value.` });
		}
		let parsed: unknown;
		try {
			parsed = JSON.parse(text);
		} catch {
			return send(socket, { type: "error", error: "Messages must be JSON." });
		}
		if (!isSetMessage(parsed)) {
			return send(socket, { type: "error", error: 'Unknown message. Send { "action": "set", "value": "<text>" }.' });
		}
		if (new TextEncoder().encode(parsed.value).byteLength > MAX_VALUE_BYTES) {
			return send(socket, { type: "error", error: `A value can be at most ${MAX_VALUE_BYTES} bytes.` });
		}
		await this.write(parsed.value);
	}

	async webSocketClose(socket: WebSocket, code: number, reason: string): Promise<void> {
		// Complete the closing handshake; the runtime may already have done so.
		try {
			socket.close(code, reason);
		} catch {
			// already closed
		}
	}

	#broadcast(message: ServerMessage): void {
		for (const socket of this.ctx.getWebSockets()) send(socket, message);
	}
}

function isSetMessage(value: unknown): value is SetMessage {
	const message = value as Partial<SetMessage> | null;
	return typeof message === "object" && message !== null && message.action === "set" && typeof message.value === "string";
}

function send(socket: WebSocket, message: ServerMessage): void {
	try {
		socket.send(JSON.stringify(message));
	} catch {
		// the client went away; hibernation will drop the socket
	}
}
