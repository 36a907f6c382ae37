/**
 * Acting as a user who is not root, for what root would be let through anyway (a read-only
 * folder). As root: uid 65534 with a copy of the CLI and of this Node in a folder of its own under
 * the system's temporary folder, since the clone itself may sit in a folder only root may enter
 * (a home of mode 700). As anyone else: that user, as they are, with the clone as it is.
 */
import { execFileSync } from "node:child_process";
import { chmodSync, copyFileSync, cpSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, REPO } from "./run.js";

export const NOBODY = 65534;

export interface OtherUser {
  /** undefined: the current user, who is not root. */
  uid?: number;
  gid?: number;
  node: string;
  bin: string;
  /** Makes `paths` (recursively) the user's own. */
  own(...paths: string[]): void;
}

export function otherUser(): OtherUser {
  if (process.getuid?.() !== 0) return { node: process.execPath, bin: BIN, own: () => {} };
  const dir = mkdtempSync(join(tmpdir(), "cdk-other-user-"));
  // What the bin loads: itself, the bundle, the templates and docs beside them.
  for (const part of ["bin", "dist", "templates", "docs", "package.json"]) cpSync(join(REPO, part), join(dir, part), { recursive: true });
  copyFileSync(process.execPath, join(dir, "node"));
  chmodSync(join(dir, "node"), 0o755);
  const own = (...paths: string[]) => execFileSync("chown", ["-R", `${NOBODY}:${NOBODY}`, ...paths]);
  own(dir);
  chmodSync(dir, 0o755);
  return { uid: NOBODY, gid: NOBODY, node: join(dir, "node"), bin: join(dir, "bin", "create-do-kv.cjs"), own };
}
