/** The fake Cloudflare API for a whole test file (kept apart from fake-cloudflare.ts, which the bench imports outside vitest). */
import { afterAll, beforeAll, beforeEach } from "vitest";
import { startFakeCloudflare, type FakeCloudflare } from "./fake-cloudflare.js";
import { tempDir } from "./tmp.js";

export interface FakeCloudflareUse {
  /** The running fake (set before the file's first test). */
  readonly fake: FakeCloudflare;
  /** The environment that points wrangler at the fake, with a home of its own, plus `extra`. */
  env(extra?: Record<string, string | undefined>): Record<string, string | undefined>;
}

/**
 * For a test file: the fake started before its tests and closed after them, wrangler's home in
 * a folder of its own, and the fake's mode, latency and records reset before each test.
 */
export function useFakeCloudflare(homePrefix: string): FakeCloudflareUse {
  let fake: FakeCloudflare | undefined;
  let home = "";
  beforeAll(async () => {
    fake = await startFakeCloudflare();
    home = tempDir(homePrefix);
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    if (!fake) return;
    fake.mode = "ok";
    fake.latencyMs = 0;
    fake.requests.length = 0;
    fake.maxConcurrentPosts = 0;
  });
  return {
    get fake() {
      if (!fake) throw new Error("useFakeCloudflare: the fake starts in beforeAll; use it inside a test");
      return fake;
    },
    env: (extra = {}) => ({ ...fake!.env(home), ...extra }),
  };
}
