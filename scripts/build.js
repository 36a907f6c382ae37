// Bundles the CLI into dist/ with no runtime dependencies: one minified CommonJS file for the
// CLI, and one each for the libraries only some runs need (prompts, the diff that rename prints,
// execa, fs-extra), required on first use. CommonJS, not ESM: a run whose entry is ESM starts Node's ESM
// loader (about 8 ms, measured side by side), and each further ES module costs a resolve, a
// realpath and a link, which is why one file rather than esbuild's split chunks.
import { build } from "esbuild";
import { readFileSync, rmSync } from "node:fs";
import { builtinModules, createRequire } from "node:module";

/**
 * Node's built-in modules through process.getBuiltinModule (Node >= 22.3; the bin needs 22.12),
 * each a small module whose named exports esbuild can tree-shake, for dist/cli.cjs only (the
 * on-demand files use plain requires: fs-extra redefines fs's exports). Kept because plain
 * requires measured slower; the figures are in BENCHMARKS.md ("Built-in stand-ins").
 */
const require = createRequire(import.meta.url);
const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/**
 * Loaded on first use: commander imports child_process for executable sub-commands (none here),
 * package-manager-detector imports fs/promises for detection this CLI does not use, node:crypto
 * is for the runtime-types cache, after an install.
 */
const LOAD_ON_FIRST_USE = new Set(["node:child_process", "node:fs/promises", "node:crypto"]);
const builtinsWithoutFacades = {
  name: "builtins-without-facades",
  setup(build) {
    build.onResolve({ filter: /^[a-z_:/]+$/ }, ({ path }) =>
      BUILTINS.has(path) ? { path: path.startsWith("node:") ? path : `node:${path}`, namespace: "builtin" } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: "builtin" }, ({ path }) => {
      if (LOAD_ON_FIRST_USE.has(path)) {
        // The default export forwards property reads; each function export is a wrapper.
        const module = require(path);
        const functions = Object.keys(module).filter((name) => IDENTIFIER.test(name) && typeof module[name] === "function" && !/^[A-Z]/.test(name));
        return {
          loader: "js",
          contents: [
            "let loaded;",
            `const load = () => (loaded ??= process.getBuiltinModule(${JSON.stringify(path)}));`,
            "export default new Proxy({}, { get: (_, key) => load()[key], has: (_, key) => key in load() });",
            ...functions.map((name) => `export function ${name}(...args) { return load().${name}(...args); }`),
          ].join("\n"),
        };
      }
      if (path === "node:process") {
        // The process object itself: copying its exports would read the stdin getter, which opens stdin.
        return { loader: "js", contents: "module.exports = process;" };
      }
      const names = Object.keys(require(path)).filter((name) => IDENTIFIER.test(name) && name !== "default");
      return {
        loader: "js",
        contents: [
          `const m = process.getBuiltinModule(${JSON.stringify(path)});`,
          "export default m;",
          ...names.map((name) => `export const ${name} = /* @__PURE__ */ (() => m.${name})();`),
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
    plugins: [builtinsWithoutFacades, onDemandLibraries],
  }),
  // Without the built-ins plugin: they load when used, and a CommonJS require builds no facade.
  ...ON_DEMAND.map((name) => build({ ...common, entryPoints: [`src/vendor/${name}.ts`], outfile: `dist/${name}.cjs` })),
  // For the bin, before it loads the CLI: where Node's compile cache may go.
  build({ ...common, entryPoints: ["src/effects/private-folder.ts"], outfile: "dist/private-folder.cjs" }),
]);
