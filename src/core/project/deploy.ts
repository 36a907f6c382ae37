/** `create --deploy`: whether it may start, how wrangler is run, and what it said. Pure. */
import { managerWords, type PackageManager } from "./package-manager.js";

/**
 * Why `--deploy` cannot run, decided before anything is written; undefined when it can. In a
 * terminal a missing token is no refusal: the KV step offers `wrangler login`, and a stored
 * login serves the deploy too.
 */
export function deployRefusal(input: { deploy: boolean | undefined; install: boolean; hasToken: boolean; interactive: boolean }): string | undefined {
  if (input.deploy !== true) return undefined;
  if (!input.install) return "--deploy needs the project's dependencies installed (wrangler is one of them); drop --no-install.";
  if (!input.hasToken && !input.interactive) {
    return "--deploy needs CLOUDFLARE_API_TOKEN, which is not set, and there is no terminal to log in on; nothing was written.";
  }
  return undefined;
}

/** The addresses the deployed Worker answers on, as `wrangler deploy` prints them (workers.dev and routes). */
export function deployedUrls(output: string): string[] {
  return [...new Set(output.match(/https:\/\/[^\s"'<>()]+/g) ?? [])].filter((url) => !/cloudflare\.com|developers\./.test(url));
}

/**
 * `wrangler deploy` as the package manager runs a bin the project installed (`npx`, `pnpm exec`,
 * `yarn`, `bun x`), or the --wrangler the KV step ran. `shown` is for people.
 */
export function deployCommand(pm: PackageManager, wrangler?: string): { file: string; args: string[]; shown: string } {
  if (wrangler) return { file: wrangler, args: ["deploy"], shown: "wrangler deploy" };
  const [file, ...prefix] = managerWords(pm).exec.split(" ");
  const args = [...prefix, "wrangler", "deploy"];
  return { file: file!, args, shown: [file, ...args].join(" ") };
}
