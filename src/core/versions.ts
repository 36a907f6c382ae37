/**
 * The compatibility date written into new projects. It must not be newer than what the oldest
 * Workers runtime among the pinned devDependencies supports (wrangler's workerd for `wrangler dev`,
 * @cloudflare/vitest-plugin's own workerd for `npm test`), so it is pinned, not today's date.
 * The end-to-end test checks it against the installed runtimes.
 */
export const COMPATIBILITY_DATE = "2026-11-02";
