/**
 * A real package registry on 127.0.0.1: verdaccio (installed from the registry for the run, like
 * the package managers), with the build under test published to it as `create-do-kv` and every
 * other package proxied to the registry npm is configured with (read from npm's own settings), so
 * each package manager's own `create` command runs against the build exactly as users will run it
 * against the published package.
 */
import { execa, type ResultPromise } from "execa";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { installTool } from "./installed.js";
import { freePort } from "./project.js";
import { childEnv, REPO } from "./run.js";
import { tempDir } from "./tmp.js";

/** The verdaccio the tests run, pinned like the package managers. */
export const VERDACCIO = "verdaccio@6.10.4";

interface Manifest {
  name: string;
  version: string;
  [key: string]: unknown;
}

export interface Packed {
  tarball: string;
  manifest: Manifest;
}

/** The files `npm pack` would publish, packed again under `version`. */
export async function packAs(version: string): Promise<Packed> {
  const listed = await execa("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: REPO, env: childEnv() });
  const [{ files }] = JSON.parse(listed.stdout) as [{ files: { path: string }[] }];
  const copy = tempDir("cdk-pack-src-");
  for (const { path } of files) {
    mkdirSync(dirname(join(copy, path)), { recursive: true });
    cpSync(join(REPO, path), join(copy, path));
  }
  const original = JSON.parse(readFileSync(join(copy, "package.json"), "utf8")) as Manifest;
  const manifest = { ...original, version };
  writeFileSync(join(copy, "package.json"), JSON.stringify(manifest, null, 2));
  // The build wrote its version into the bundle once (the project it makes pins it):
  // the copy says the version it is published as.
  const bundle = join(copy, "dist", "cli.cjs");
  const parts = readFileSync(bundle, "utf8").split(JSON.stringify(original.version));
  if (parts.length !== 2) throw new Error(`dist/cli.cjs holds its version ${parts.length - 1} times, not once`);
  writeFileSync(bundle, parts.join(JSON.stringify(version)));
  const out = tempDir("cdk-pack-");
  const packed = await execa("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", out], { cwd: copy, env: childEnv() });
  const [{ filename }] = JSON.parse(packed.stdout) as [{ filename: string }];
  return { tarball: join(out, filename), manifest };
}

export interface Registry {
  url: string;
  version: string;
  /** The registry verdaccio proxies everything but create-do-kv to: npm's own. */
  upstream: string;
  close(): Promise<void>;
}

/** Starts verdaccio on 127.0.0.1 and publishes `packed` to it with `npm publish`, as a release does. */
export async function startRegistry(packed: Packed): Promise<Registry> {
  const bin = await installTool(VERDACCIO);
  const upstream = (await execa("npm", ["config", "get", "registry"], { env: childEnv() })).stdout.trim();
  const home = tempDir("cdk-verdaccio-");
  const config = join(home, "config.yaml");
  // JSON is YAML: no YAML writer needed. create-do-kv is served only from here (never proxied),
  // so a manager that ends up with it got it from this registry.
  writeFileSync(
    config,
    JSON.stringify({
      storage: join(home, "storage"),
      auth: { htpasswd: { file: join(home, "htpasswd"), max_users: -1 } },
      uplinks: { upstream: { url: upstream, timeout: "120s", maxage: "30m" } },
      packages: {
        "create-do-kv": { access: "$all", publish: "$anonymous $authenticated" },
        "**": { access: "$all", publish: "$authenticated", proxy: "upstream" },
      },
      log: { type: "stdout", format: "pretty", level: "warn" },
    }),
  );
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const server: ResultPromise = execa(join(bin, "verdaccio"), ["--config", config, "--listen", `127.0.0.1:${port}`], {
    env: childEnv(),
    reject: false,
    all: true,
    stdin: "ignore",
  });
  let ended = false;
  void server.then(() => {
    ended = true;
  });
  const started = Date.now();
  for (;;) {
    const ping = await fetch(`${url}/-/ping`).catch(() => undefined);
    if (ping?.ok) break;
    if (ended || Date.now() - started > 60_000) {
      server.kill();
      throw new Error(`verdaccio did not start: ${(await server).all}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const npmrc = join(home, "npmrc");
  writeFileSync(npmrc, `registry=${url}/\n//127.0.0.1:${port}/:_authToken=test-token\n`);
  const published = await execa("npm", ["publish", packed.tarball, "--registry", `${url}/`, "--userconfig", npmrc, "--tag", "latest"], {
    env: childEnv(),
    reject: false,
    all: true,
  });
  if (published.exitCode !== 0) {
    server.kill();
    throw new Error(`npm publish to verdaccio failed: ${published.all}`);
  }
  return {
    url,
    version: packed.manifest.version,
    upstream,
    close: async () => {
      server.kill();
      await server;
    },
  };
}
