// Bundles the CLI into dist/ as minified ESM with no runtime dependencies. Code that only some
// runs need (prompts, commands) is split into chunks loaded on demand, so start-up stays small.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: ["src/cli.ts"],
  outdir: "dist",
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node22.12",
  minify: true,
  legalComments: "none",
  chunkNames: "chunks/[name]-[hash]",
  define: { __VERSION__: JSON.stringify(pkg.version) },
  // Some bundled CommonJS packages call require(); give the ESM bundle one.
  banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
  // jsonc-parser's "main" is a UMD build that esbuild cannot follow; its "module" build is plain ESM.
  mainFields: ["module", "main"],
  logLevel: "warning",
});
