/**
 * A new git repository with a first commit, when git is there and the project is not already
 * inside a repository. Never fails the run: what could not be done comes back as a note.
 */
import { run } from "./process.js";

export interface GitOutcome {
  initialized: boolean;
  committed: boolean;
  note?: string;
}

const GIT_TIMEOUT_MS = 60_000;

export async function initRepository(projectDir: string, env: NodeJS.ProcessEnv): Promise<GitOutcome> {
  // A commit can wait for a signing key or a hook forever; a first commit never needs a minute.
  const git = (args: string[]) => run("git", args, { cwd: projectDir, env, timeoutMs: GIT_TIMEOUT_MS });

  const inside = await git(["rev-parse", "--is-inside-work-tree"]);
  if (inside.exitCode === undefined) return { initialized: false, committed: false, note: "git was not found; no repository was created." };
  if (inside.exitCode === 0 && inside.stdout.trim() === "true") {
    return { initialized: false, committed: false, note: "the project is inside an existing git repository; none was created." };
  }
  const init = await git(["init", "--quiet"]);
  if (init.exitCode !== 0) return { initialized: false, committed: false, note: `git init failed: ${init.stderr.trim()}` };
  // Without a name and email git refuses to commit ("Author identity unknown"): asked first, so
  // nothing is left staged and the note says how to set them (create-cloudflare skips too).
  const author = await git(["var", "GIT_AUTHOR_IDENT"]);
  const committer = author.exitCode === 0 ? await git(["var", "GIT_COMMITTER_IDENT"]) : author;
  if (committer.exitCode !== 0) {
    return {
      initialized: true,
      committed: false,
      note:
        "git repository created without a first commit: git does not know your name and email yet. " +
        'Set them (git config --global user.name "Your Name" and git config --global user.email you@example.com), ' +
        'then commit: git add --all && git commit -m "Initial commit"',
    };
  }
  const add = await git(["add", "--all"]);
  const commit = add.exitCode === 0 ? await git(["commit", "--quiet", "--message", "Initial commit from create-do-kv"]) : add;
  if (commit.exitCode !== 0) {
    const why = commit.timedOut
      ? `git did not finish within ${GIT_TIMEOUT_MS / 1000} s (a signing key or a hook waiting for input?) and was stopped`
      : (commit.stderr || commit.problem || "").trim().split("\n")[0];
    // Nothing left staged: the user's own first `git add` starts from a clean index.
    await git(["rm", "-r", "--cached", "--quiet", "--ignore-unmatch", "."]);
    return { initialized: true, committed: false, note: `git repository created, but the first commit failed: ${why}` };
  }
  return { initialized: true, committed: true };
}
