/**
 * A package registry on 127.0.0.1 that serves one packed tarball as `create-do-kv` and passes
 * every other request to the public registry, so each package manager's own `create` command
 * can be run against the build under test exactly as users run it against the published one.
 */
import { execa } from "execa";
import { createHash } from "node:crypto";
import { cpSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { dirname, join } from "node:path";
import { childEnv, REPO } from "./run.js";
import { tempDir } from "./tmp.js";

const UPSTREAM = "https://registry.npmjs.org";

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
  // The build wrote its version into the bundle once (the deploy script it generates pins it):
  // the copy says the version it is served as.
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
  /** Requests for create-do-kv itself, to show the manager really came here. */
  served: string[];
  close(): Promise<void>;
}

export async function startRegistry({ tarball: tarballPath, manifest }: Packed): Promise<Registry> {
  const tarball = readFileSync(tarballPath);
  const { name, version } = manifest;
  const file = `/${name}/-/${name}-${version}.tgz`;
  const served: string[] = [];
  let url = "";
  const packument = () => {
    const now = new Date().toISOString();
    const { scripts: _scripts, devDependencies: _dev, ...published } = manifest;
    return JSON.stringify({
      name,
      "dist-tags": { latest: version },
      time: { created: now, modified: now, [version]: now },
      versions: {
        [version]: {
          ...published,
          dist: {
            tarball: `${url}${file}`,
            shasum: createHash("sha1").update(tarball).digest("hex"),
            integrity: `sha512-${createHash("sha512").update(tarball).digest("base64")}`,
          },
        },
      },
    });
  };
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").split("?")[0]!;
    if (path === `/${name}` || path === file) {
      served.push(path);
      const body = path === file ? tarball : Buffer.from(packument());
      response.writeHead(200, { "content-type": path === file ? "application/octet-stream" : "application/json", "content-length": body.length });
      response.end(body);
      return;
    }
    const accept = request.headers.accept;
    fetch(`${UPSTREAM}${request.url}`, { headers: accept ? { accept } : {} })
      .then(async (upstream) => {
        // fetch has already decoded any content-encoding, so only the type is passed on.
        const body = Buffer.from(await upstream.arrayBuffer());
        response.writeHead(upstream.status, {
          "content-type": upstream.headers.get("content-type") ?? "application/json",
          "content-length": body.length,
        });
        response.end(body);
      })
      .catch((error: unknown) => {
        response.writeHead(502, { "content-type": "text/plain" });
        response.end(String(error));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    version,
    served,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        // Managers keep connections alive; without this the test worker cannot exit.
        server.closeAllConnections();
      }),
  };
}
