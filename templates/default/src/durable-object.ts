import { DurableObject } from "cloudflare:workers";

/**
 * One instance per __INSTANCE__, and the only code that touches the __INSTANCE__'s KV key. That buys two things:
 *
 * - Writes are serialized. Each write waits for the one before it, so KV ends up holding the
 *   last value the __INSTANCE__ accepted; KV itself has no ordering between concurrent writers.
 * - Reads are shared. The value is read from KV once and then served from memory: nothing else
 *   writes the key, so the copy stays current. Readers that arrive while that first read is in
 *   flight wait for the same read instead of starting their own.
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
		return value;
	}
}
