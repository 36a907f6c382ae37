/**
 * The part of `diff` that rename uses to print changes. The build bundles this file on its own
 * (dist/diff.cjs), required only when a diff is printed.
 */
export { createTwoFilesPatch } from "diff";
