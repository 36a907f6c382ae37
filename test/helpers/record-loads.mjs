// Preloaded with `node --import`: records every module the run resolves and every built-in it
// loads, written as JSON to $CDK_LOADS_OUT when the process exits.
import { writeFileSync } from "node:fs";
import { registerHooks } from "node:module";

const files = [];
registerHooks({
  resolve(specifier, context, next) {
    const result = next(specifier, context);
    files.push(result.url);
    return result;
  },
});
process.on("exit", () => {
  const builtins = process.moduleLoadList.filter((m) => m.startsWith("NativeModule ")).map((m) => m.slice("NativeModule ".length));
  writeFileSync(process.env.CDK_LOADS_OUT, JSON.stringify({ files, builtins }));
});
