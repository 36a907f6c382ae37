import { cloudflareTest } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

// Tests run inside the real Workers runtime, with the bindings from the wrangler config.
export default defineConfig({
	plugins: [cloudflareTest({ wrangler: { configPath: "./__CONFIG_FILE__" } })],
});
