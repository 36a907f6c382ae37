// Bundles the CLI into dist/ with no runtime dependencies: one minified CommonJS file for the CLI,
// and one each for the libraries only some runs need (prompts, the diff that rename prints, execa,
// fs-extra), required on first use. Each choice that is there for start-up is measured side by
// side in BENCHMARKS.md ("Start-up devices"); what did not save 5 % is gone.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";

/**
 * Three built-ins the CLI's libraries import at load but rarely use (commander's child_process
 * for executable sub-commands, none here; package-manager-detector's fs/promises; node:crypto
 * for the runtime-types cache): each becomes a module whose functions require it on first call.
 * Named wrappers, not just a proxy: an ES import copies a module's names when it is loaded, and
 * a proxy has none to copy without loading the module.
 */
const require = createRequire(import.meta.url);
const loadOnFirstUse = {
  name: "load-on-first-use",
  setup(build) {
    build.onResolve({ filter: /^(node:)?(child_process|fs\/promises|crypto)$/ }, ({ path }) => ({
      path: path.startsWith("node:") ? path : `node:${path}`,
      namespace: "on-first-use",
    }));
    build.onLoad({ filter: /.*/, namespace: "on-first-use" }, ({ path }) => {
      const functions = Object.keys(require(path)).filter((name) => /^[a-z]\w*$/.test(name) && typeof require(path)[name] === "function");
      return {
        loader: "js",
        contents: [
          // Not require(): esbuild would resolve it to this very module.
          `let m; const load = () => (m ??= process.getBuiltinModule(${JSON.stringify(path)}));`,
          "export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });",
          ...functions.map((name) => `export function ${name}(...args) { return load().${name}(...args); }`),
        ].join("\n"),
      };
    });
  },
};

/**
 * Libraries that only some runs use, through src/vendor/<name>.ts (which re-exports the parts
 * used): each is bundled into dist/<name>.cjs and required when first used. They share no state
 * with the CLI's own code, so nothing is duplicated.
 */
const ON_DEMAND = ["prompts", "diff", "spawn", "fs"];
const onDemandLibraries = {
  name: "on-demand-libraries",
  setup(build) {
    build.onResolve({ filter: /\/vendor\/[a-z]+\.js$/ }, ({ path }) => {
      const name = /\/vendor\/([a-z]+)\.js$/.exec(path)[1];
      if (!ON_DEMAND.includes(name)) throw new Error(`src/vendor/${name}.ts is not listed in ON_DEMAND`);
      return { path: `./${name}.cjs`, external: true };
    });
  },
};

const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8"));
rmSync(new URL("../dist", import.meta.url), { recursive: true, force: true });
const common = {
  bundle: true,
  format: "cjs",
  platform: "node",
  target: "node22.12",
  minify: true,
  legalComments: "none",
  // import() becomes a require() inside a promise: an import() would start the ESM loader.
  supported: { "dynamic-import": false },
  // jsonc-parser's "main" is a UMD build that esbuild cannot follow; its "module" build is plain ESM.
  mainFields: ["module", "main"],
  logLevel: "warning",
};
await Promise.all([
  build({
    ...common,
    entryPoints: ["src/cli.ts"],
    outfile: "dist/cli.cjs",
    define: { __VERSION__: JSON.stringify(pkg.version), "import.meta.dirname": "__dirname" },
    plugins: [loadOnFirstUse, onDemandLibraries],
  }),
  ...ON_DEMAND.map((name) => build({ ...common, entryPoints: [`src/vendor/${name}.ts`], outfile: `dist/${name}.cjs` })),
  // For the bin, before it loads the CLI: where Node's compile cache may go.
  build({ ...common, entryPoints: ["src/effects/private-folder.ts"], outfile: "dist/private-folder.cjs" }),
]);
