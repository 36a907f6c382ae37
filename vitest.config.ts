import { readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// Two loops, by where a test file lives: test/unit (pure and in-process, seconds) and
// test/integration (the built CLI, real wrangler, installs: minutes). `npm test` runs both.
export default defineConfig({
  plugins: [
    {
      // Its published source maps name sources the package does not ship: Vite warned once per
      // file (67 lines) on every fresh clone. Loaded without them; its stack traces stay readable.
      name: "workflow-parser-without-source-maps",
      load(id) {
        if (!id.includes("/node_modules/@actions/workflow-parser/") || !id.endsWith(".js")) return undefined;
        return readFileSync(id, "utf8").replace(/^\/\/# sourceMappingURL=.*$/gm, "");
      },
    },
  ],
  test: {
    globalSetup: ["test/helpers/global-setup.ts"],
    // One file per core, not vitest's cores - 1: on a 2-core machine that ran the integration
    // files one at a time while installs and servers left a core idle (CPU 1.3 of 2; vitest
    // 1,220-1,330 s by one file, 1,034 s by two, on fresh clones: CONTRIBUTING).
    maxWorkers: availableParallelism(),
    // A fork worker that ends while both cores run installs took over vitest's 10 s to close, and
    // vitest logged "Timeout terminating forks worker" in passing runs: a line only, nothing stuck.
    teardownTimeout: 60_000,
    // GitHub's workflow parser imports its schema as JSON without the attribute Node requires:
    // run through Vite's transform, which takes it.
    server: { deps: { inline: ["@actions/workflow-parser"] } },
    projects: [
      // Pure tests share one module graph per worker (isolate: false halves the loop); a file that
      // replaces a module (vi.mock) needs a graph of its own: name it *.isolated.test.ts.
      {
        extends: true,
        test: { name: "unit", include: ["test/unit/**/*.test.ts"], exclude: ["test/unit/**/*.isolated.test.ts"], isolate: false },
      },
      { extends: true, test: { name: "unit-isolated", include: ["test/unit/**/*.isolated.test.ts"] } },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          // Installs of generated projects and wrangler runs: minutes, not seconds.
          testTimeout: 30_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
