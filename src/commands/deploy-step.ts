/**
 * `create --deploy`: the checks `create-do-kv check` makes, in this process (no second download
 * of itself), then `wrangler deploy` the package manager's own way (npx, pnpm exec, yarn, bun x),
 * with the KV ids already in the config. A failure leaves the project as created: exit 1, with
 * what wrangler said.
 */
import { deployCommand, deployedUrls } from "../core/project/deploy.js";
import type { PackageManager } from "../core/project/package-manager.js";
import { emptyReport, type Report } from "../core/project/report.js";
import { CliError } from "../errors.js";
import { run, tailOf } from "../effects/process.js";
import type { Ui } from "../effects/ui.js";
import { modulesOpenToOthers } from "../effects/wrangler.js";
import { runCheck } from "./check.js";

/** A first deploy uploads the bundle and may provision KV namespaces: minutes, not hours. */
const DEPLOY_TIMEOUT_MS = 600_000;

export async function deployStep(input: {
  projectDir: string;
  pm: PackageManager;
  /** --wrangler, when given: the same wrangler the KV step ran. */
  wrangler?: string;
  env: NodeJS.ProcessEnv;
  ui: Ui;
  report: Report;
  /** Where to deploy from later, for the hint after a failure: "cd app && npm run deploy". */
  later: string;
}): Promise<void> {
  const { ui } = input;
  const checked = emptyReport("check", false);
  try {
    await runCheck({}, { cwd: input.projectDir, env: input.env, ui, report: checked });
  } catch (error) {
    if (!(error instanceof CliError)) throw error;
    throw new CliError(`Not deployed: ${error.message}`, error.exitCode, `Fix the findings above, then: ${input.later}`);
  }
  // The package manager runs the project's wrangler, with the account's credentials: never code
  // that other users could have changed.
  const open = input.wrangler ? undefined : modulesOpenToOthers(input.projectDir);
  if (open) {
    throw new CliError(
      `Not deployed: ${open} can be written by other users, so the project's wrangler could run their code with your Cloudflare credentials; the project is created as it stands.`,
      undefined,
      `Make node_modules writable only by you (chmod -R o-w node_modules), then: ${input.later}`,
    );
  }
  const { file, args, shown } = deployCommand(input.pm, input.wrangler);
  const result = await ui.step(`Deploying with \`${shown}\``, undefined, () =>
    run(file, args, { cwd: input.projectDir, env: input.env, timeoutMs: DEPLOY_TIMEOUT_MS }),
  );
  if (result.exitCode !== 0) {
    const why = result.timedOut
      ? `it did not finish within ${DEPLOY_TIMEOUT_MS / 60_000} minutes and was stopped`
      : (result.problem ?? `exit ${result.exitCode}`);
    throw new CliError(
      `\`${shown}\` failed (${why}); the project is created as it stands:\n${tailOf(result.all.trim())}`,
      undefined,
      `Fix the cause, then: ${input.later}`,
    );
  }
  const urls = deployedUrls(result.all);
  input.report.deployed = { urls };
  ui.success(`Deployed${urls.length > 0 ? `: ${urls.join(" ")}` : "."}`);
}
