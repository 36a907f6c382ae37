import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/helpers/global-setup.ts"],
    // The end-to-end suite installs generated projects and runs wrangler: minutes, not seconds.
    testTimeout: 30_000,
    hookTimeout: 600_000,
  },
});
