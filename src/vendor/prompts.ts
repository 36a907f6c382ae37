/**
 * The parts of @clack/prompts the CLI uses. The build bundles this file on its own
 * (dist/prompts.cjs), required only when a run prompts; keep the list to what is used.
 */
export { confirm, isCancel, select, text } from "@clack/prompts";
