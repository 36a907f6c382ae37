/**
 * The compatibility date written into new projects. It must not be newer than what the oldest
 * Workers runtime among the pinned devDependencies supports (wrangler's workerd for `wrangler dev`,
 * @cloudflare/vitest-plugin's own workerd for `npm test`), so it is pinned, not today's date.
 * The template pins the wrangler that @cloudflare/vitest-plugin itself pins (`npm run update-template`),
 * so one wrangler, miniflare and workerd serve both: half the install, and one runtime date.
 * The end-to-end test checks both against the installed project.
 */
export const COMPATIBILITY_DATE = "2026-11-02";
