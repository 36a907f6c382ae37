/**
 * Hostile input, generated (fast-check): every field of create, rename and sync's config edits,
 * mixing good names with what a hurried or hostile user types (reserved words, Object.prototype
 * members, white space, quotes, shell syntax, other scripts, very long values). Each case is
 * either refused with exit 2 (a UsageError) and nothing on disk, or accepted and read back
 * exactly from the config. Case counts are in CASES; together they are the 10,000 per run the
 * hardening issue asks for. A failure prints the seed and the smallest failing case.
 */
import fc from "fast-check";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { setKvNamespaceField } from "../../src/core/config/edit.js";
import { readConfig, type WranglerConfig } from "../../src/core/config/read.js";
import { lifecycleProblems } from "../../src/core/migrations/lifecycle.js";
import { DEFAULT_DIRECTORY, type Lifecycle } from "../../src/core/project/options.js";
import { planProject, configFileName } from "../../src/core/project/plan.js";
import type { Report } from "../../src/core/project/report.js";
import { planRenames, type Renames } from "../../src/core/rename/plan.js";
import { UsageError } from "../../src/errors.js";
import { readTemplateLayers } from "../../src/effects/templates.js";
import { runMain } from "../helpers/io.js";
import { inProject } from "../helpers/project.js";
import { REPO, runCli } from "../helpers/run.js";
import { snapshotTree, tempDir } from "../helpers/tmp.js";
import type { ConfigFormat } from "../../src/core/config/types.js";

const CASES = { create: 4_000, rename: 4_000, kvIds: 2_000, sync: 1_000 };

const TRICKY = [
  ...Object.getOwnPropertyNames(Object.prototype),
  "__proto__",
  "class",
  "await",
  "enum",
  "constructor",
  "prototype",
  "default",
  "Env",
  "DurableObject",
  "Response",
  "CACHE",
  "ROOM",
  "Room",
  "$",
  "_",
  "",
  " ",
  "\t",
  "a b",
  "é",
  "Ω",
  "😀",
  "x".repeat(300),
  "R".repeat(192),
  "--help",
  "-x",
  "a=b",
  "a,b",
  "null",
  "0",
  "1e3",
  "x\ny",
  "'",
  '"',
  "`",
  "$(touch PWNED)",
  "../x",
  "\\",
  "a/b",
  ".",
  "..",
  "~",
  "NaN",
  "A".repeat(64),
  "a".repeat(63),
  "a".repeat(64),
];
const tricky = fc.constantFrom(...TRICKY);
const ID_UPPER = "0123456789ABCDEF0123456789ABCDEF";
const identifier = fc.stringMatching(/^[A-Za-z_$][A-Za-z0-9_$]{0,12}$/);
const pascal = fc.stringMatching(/^[A-Z][A-Za-z0-9]{0,12}$/);
const workerName = fc.stringMatching(/^[a-z0-9][a-z0-9-]{0,12}$/);
const text = fc.string({ unit: "grapheme", maxLength: 24 });
const padded = (good: fc.Arbitrary<string>) =>
  fc.tuple(fc.constantFrom(" ", "\t", "\n", " \t"), good, fc.constantFrom("", " ", "\n")).map(([a, b, c]) => a + b + c);
/** A value for a field: usually a plausible one, often hostile. */
const field = (good: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 16, arbitrary: good }, { weight: 2, arbitrary: tricky }, { weight: 1, arbitrary: text }, { weight: 1, arbitrary: padded(good) });
/** Mostly one of `good`, sometimes one of `bad`. */
const mostly = (good: string[], bad: string[]) =>
  fc.oneof({ weight: 8, arbitrary: fc.constantFrom(...good) }, { weight: 1, arbitrary: fc.constantFrom(...bad) });

/** Everything under `root`, folders included, as relative paths. */
const entries = (root: string) => readdirSync(root, { recursive: true }).map(String).sort();

/** How far a case is from the defaults: characters outside plain ASCII names, and length. */
const oddness = (argv: string[]) => argv.join("").replace(/[A-Za-z0-9-]/g, "").length + argv.join("").length / 100;
const oddAccepted: { argv: string[]; oddness: number; format: ConfigFormat }[] = [];

describe("generated create input: refused with exit 2 and nothing written, or read back exactly", () => {
  // A directory never absolute: generated paths stay inside the case's own folder ("../x" too,
  // since the case runs two folders down).
  const directory = field(workerName).filter((value) => !value.trim().startsWith("/") && !value.includes("\0") && value.trim() !== "~");
  const createArgs = fc.record(
    {
      directory,
      name: field(workerName),
      className: field(pascal),
      doBinding: field(identifier),
      kv: fc.array(field(identifier), { minLength: 1, maxLength: 3 }),
      env: fc.array(field(fc.constantFrom("staging", "production", "dev", "eu-1", "0", "2a")), { maxLength: 2 }),
      format: mostly(["toml", "jsonc"], ["json", " toml", "TOML", ""]),
      template: mostly(["default", "broadcast"], ["none", " default", "Default"]),
      lifecycle: mostly(["migrations", "exports"], ["migration", "Exports", ""]),
    },
    { requiredKeys: [] },
  );

  it(`${CASES.create} cases`, async () => {
    const root = tempDir("cdk-hostile-");
    let n = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(createArgs, async (input) => {
        const caseRoot = join(root, String(n++));
        const cwd = join(caseRoot, "a", "b");
        mkdirSync(cwd, { recursive: true });
        const argv = [
          ...(input.name !== undefined ? ["--name", input.name] : []),
          ...(input.className !== undefined ? ["--class", input.className] : []),
          ...(input.doBinding !== undefined ? ["--do-binding", input.doBinding] : []),
          ...(input.kv ?? []).flatMap((kv) => ["--kv", kv]),
          ...(input.env ?? []).flatMap((env) => ["--env", env]),
          ...(input.format !== undefined ? ["--format", input.format] : []),
          ...(input.template !== undefined ? ["--template", input.template] : []),
          ...(input.lifecycle !== undefined ? ["--lifecycle", input.lifecycle] : []),
          "--yes",
          "--no-install",
          "--no-git",
          "--no-create-kv",
          "--json",
          // After `--`, so a directory named "--help" is a directory, as a shell user would pass it.
          ...(input.directory !== undefined ? ["--", input.directory] : []),
        ];
        try {
          const result = await runMain(argv, cwd);
          expect(result.stderr).not.toContain("Unexpected");
          expect([0, 2]).toContain(result.exitCode);
          const report = JSON.parse(result.stdout) as Report;
          if (result.exitCode === 2) {
            expect(report.status).toBe("invalid");
            expect(entries(caseRoot)).toEqual(["a", "a/b"]);
            return;
          }
          accepted++;
          oddAccepted.push({
            argv: argv.filter((a) => a !== "--json"),
            oddness: oddness(argv),
            format: (input.format?.trim() || "toml") as ConfigFormat,
          });
          // Read back from disk with the real parsers, and compare with what was asked.
          const project = resolve(cwd, input.directory?.trim() || DEFAULT_DIRECTORY);
          const format = (input.format?.trim() || "toml") as ConfigFormat;
          const file = configFileName({ format });
          const config = readConfig(readFileSync(join(project, file), "utf8"), format);
          if (input.name !== undefined) expect(config.name).toBe(input.name.trim());
          expect(config.name).toBe(report.worker);
          const bindings = config.durable_objects?.bindings ?? [];
          expect(bindings.map((b) => ({ binding: b.name, class: b.class_name }))).toEqual(report.durableObjects);
          if (input.className !== undefined) expect(bindings[0]?.class_name).toBe(input.className.trim());
          if (input.doBinding !== undefined) expect(bindings[0]?.name).toBe(input.doBinding.trim());
          const kv = (config.kv_namespaces ?? []).map((k) => k.binding);
          if (input.kv !== undefined)
            expect(kv).toEqual(
              input.kv
                .flatMap((v) => v.split(","))
                .map((v) => v.trim())
                .filter(Boolean),
            );
          expect(kv).toEqual(report.kv.filter((k) => k.env === undefined).map((k) => k.binding));
          // Each environment asked for is a section repeating every binding.
          const envs = (input.env ?? [])
            .flatMap((v) => v.split(","))
            .map((v) => v.trim())
            .filter(Boolean);
          expect(Object.keys(config.env ?? {})).toEqual(envs);
          for (const env of envs) {
            expect(config.env![env]!.durable_objects?.bindings).toEqual(bindings.map(({ name, class_name }) => ({ name, class_name })));
            expect(config.env![env]!.kv_namespaces?.map((k) => k.binding)).toEqual(kv);
          }
          expect(lifecycleProblems(config)).toEqual([]);
          if ((input.lifecycle?.trim() || "migrations") === "exports") expect(Object.keys(config.exports ?? {})).toEqual([bindings[0]?.class_name]);
          else expect(config.migrations?.[0]?.new_sqlite_classes).toEqual([bindings[0]?.class_name]);
        } finally {
          rmSync(caseRoot, { recursive: true, force: true });
        }
      }),
      { numRuns: CASES.create },
    );
    // The generators must reach both outcomes, or the property says little.
    console.info(`create: ${accepted} of ${CASES.create} generated cases accepted, the rest refused with exit 2`);
    expect(accepted).toBeGreaterThan(CASES.create / 10);
    expect(accepted).toBeLessThan(CASES.create);
  }, 900_000);
});

/** The folder under `dir` that create made (the one holding its record). */
function projectUnder(dir: string): string {
  if (existsSync(join(dir, "create-do-kv.json"))) return dir;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const found = projectUnder(join(dir, entry.name));
    if (found) return found;
  }
  return "";
}

describe("the oddest accepted create input of this run, through the toolchain", () => {
  // A config that reads back as asked can still be one wrangler or TypeScript cannot take (that
  // is how Object.prototype names as bindings were found): the two oddest accepted cases get
  // `wrangler types`, `tsc --noEmit` and their own tests, on dependencies installed once.
  it("passes wrangler types, tsc and the project's tests", async () => {
    const base = tempDir("cdk-hostile-base-");
    const made = await runCli(["base", "--yes", "--no-git", "--no-create-kv"], { cwd: base, timeout: 600_000 });
    expect(made.exitCode, made.stderr).toBe(0);
    const samples = [...oddAccepted].sort((a, b) => b.oddness - a.oddness).slice(0, 2);
    expect(samples.length).toBe(2);
    for (const sample of samples) {
      console.info(`through the toolchain: ${JSON.stringify(sample.argv)}`);
      const cwd = tempDir("cdk-hostile-sample-");
      const made = await runMain(sample.argv, cwd);
      expect(made.exitCode, `${JSON.stringify(sample.argv)}\n${made.stderr}`).toBe(0);
      // The folder may be nested: a generated directory argument can hold "/".
      const project = projectUnder(cwd);
      expect(project, `no project under ${cwd}`).not.toBe("");
      symlinkSync(join(base, "base", "node_modules"), join(project, "node_modules"));
      const checks = inProject(project);
      for (const [what, result] of [
        ["wrangler types", await checks.wrangler("types")],
        ["tsc --noEmit", await checks.bin("tsc", "--noEmit")],
        ["tests", await checks.bin("vitest", "run")],
      ] as const) {
        expect(result.exitCode, `${what} for ${JSON.stringify(sample.argv)}:\n${result.all}`).toBe(0);
      }
    }
  }, 900_000);
});

describe("generated sync flags: refused with exit 2 and the project unchanged, or ids read back as given", () => {
  const hex = fc.stringMatching(/^[0-9a-f]{32}$/);
  const kvId = fc
    .tuple(
      mostly(["CACHE", "LOG"], ["ROOM", "cache", "NOPE", "", "toString"]),
      fc.oneof({ weight: 6, arbitrary: hex }, { weight: 1, arbitrary: fc.constantFrom("", "XYZ", ID_UPPER, `${"a".repeat(31)}`, " ") }),
      fc.constantFrom("=", "=", "=", "", "=="),
    )
    .map(([binding, id, sep]) => `${binding}${sep}${id}`);
  const flags = fc.record(
    {
      kvIds: fc.array(kvId, { maxLength: 3 }),
      timeout: mostly(["5", "30", "120"], ["0", "-1", "abc", "1e9", "2147484", " 5", "0.0001", ""]),
      preview: fc.boolean(),
    },
    { requiredKeys: [] },
  );

  it(`${CASES.sync} cases`, async () => {
    const base = tempDir("cdk-hostile-sync-");
    const made = await runMain(["app", "--yes", "--no-install", "--no-git", "--no-create-kv", "--kv", "CACHE,LOG"], base);
    expect(made.exitCode, made.stderr).toBe(0);
    const project = join(base, "app");
    const before = snapshotTree(project);
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(flags, async (input) => {
        const argv = [
          "sync",
          "--no-create-kv",
          "--json",
          ...(input.kvIds ?? []).flatMap((pair) => ["--kv-id", pair]),
          ...(input.timeout !== undefined ? ["--timeout", input.timeout] : []),
          ...(input.preview ? ["--preview"] : []),
        ];
        try {
          const result = await runMain(argv, project);
          expect(result.stderr).not.toContain("Unexpected");
          expect([0, 2]).toContain(result.exitCode);
          if (result.exitCode === 2) {
            expect(snapshotTree(project)).toEqual(before);
            return;
          }
          accepted++;
          const config = readConfig(readFileSync(join(project, "wrangler.toml"), "utf8"), "toml");
          const given = new Map((input.kvIds ?? []).map((pair) => pair.split("=") as [string, string]));
          expect(idsByBinding(config)).toEqual({ CACHE: given.get("CACHE"), LOG: given.get("LOG") });
        } finally {
          for (const [path, content] of Object.entries(before)) writeFileSync(join(project, path), content);
        }
      }),
      { numRuns: CASES.sync },
    );
    console.info(`sync: ${accepted} of ${CASES.sync} generated flag sets accepted, the rest refused with exit 2`);
    expect(accepted).toBeGreaterThan(CASES.sync / 10);
  }, 900_000);
});

const ID = "0123456789abcdef0123456789abcdef";

/** A generated project's config, as create writes it, with an id on its first KV binding. */
function projectConfig(
  format: ConfigFormat,
  kvBindings = ["CACHE", "LOG"],
  lifecycle: Lifecycle = "migrations",
  environments: string[] = [],
): string {
  const options = {
    directory: "app",
    name: "app",
    className: "Room",
    doBinding: "ROOM",
    kvBindings,
    format,
    template: "default" as const,
    lifecycle,
    environments,
  };
  const files = planProject(readTemplateLayers(join(REPO, "templates"), "default"), options);
  const file = configFileName(options);
  const source = files.find((f) => f.path === file)!.content;
  return setKvNamespaceField({ source, format, file }, kvBindings[0]!, "id", ID);
}

/** The config without the parts a rename may change, to compare what must stay. */
function idsByBinding(config: WranglerConfig): Record<string, string | undefined> {
  return Object.fromEntries((config.kv_namespaces ?? []).map((kv) => [kv.binding, kv.id]));
}

describe("generated renames: refused as a UsageError, or a config that reads back as asked, the class history only added to", () => {
  const change = (from: fc.Arbitrary<string>, to: fc.Arbitrary<string>) => fc.record({ from, to });
  const renames = fc.record({
    classes: fc.array(change(mostly(["Room"], ["Log", "room", "", "Other"]), field(pascal)), { maxLength: 2 }),
    doBindings: fc.array(change(mostly(["ROOM"], ["CACHE", "Room", "NOPE"]), field(identifier)), { maxLength: 2 }),
    kv: fc.array(change(mostly(["CACHE", "LOG"], ["ROOM", "cache", "NOPE"]), field(identifier)), { maxLength: 2 }),
  });

  it.each([
    ["toml", "migrations", []],
    ["jsonc", "migrations", ["staging"]],
    ["toml", "exports", ["staging", "production"]],
    ["jsonc", "exports", []],
  ] as const)(`${CASES.rename / 4} cases on a %s project declaring classes with %s, environments %j`, (format, lifecycle, envs) => {
    const source = projectConfig(format, undefined, lifecycle, [...envs]);
    const file = configFileName({ format });
    const before = readConfig(source, format);
    let accepted = 0;
    fc.assert(
      fc.property(renames, (requested: Renames) => {
        let plan: ReturnType<typeof planRenames> | undefined;
        try {
          plan = planRenames({ source, format, file }, before, requested, { exportedClasses: new Set(["Room"]) });
        } catch (error) {
          expect(error).toBeInstanceOf(UsageError);
          return;
        }
        accepted++;
        const after = readConfig(plan.configText, format);
        expect(lifecycleProblems(after)).toEqual([]);
        const steps = after.migrations ?? [];
        if (lifecycle === "migrations") {
          // A deployed migration is permanent: the steps before stay exactly, at most one is added.
          expect(steps.slice(0, before.migrations!.length)).toEqual(before.migrations);
          expect(steps.length - before.migrations!.length).toBeLessThanOrEqual(1);
        } else {
          // The exports map is the history: no entry goes; a renamed class's entry says where it went.
          expect(after.migrations).toBeUndefined();
          for (const [name, entry] of Object.entries(before.exports!)) {
            const renamed = plan.todo.classes.find((c) => c.from === name);
            expect(after.exports![name]).toEqual(renamed ? { type: "durable-object", state: "renamed", renamed_to: renamed.to } : entry);
            if (renamed) expect(after.exports![renamed.to]).toEqual({ type: "durable-object", storage: "sqlite" });
          }
        }
        // Every section's Durable Object bindings, the environments' too.
        const everywhere = [after, ...envs.map((env) => after.env![env]!)].flatMap((section) => section.durable_objects?.bindings ?? []);
        expect(everywhere).toHaveLength(1 + envs.length);
        const classes = everywhere.map((b) => b.class_name);
        for (const { from, to } of plan.todo.classes) {
          expect(classes.every((c) => c === to)).toBe(true);
          expect(classes).not.toContain(from);
          if (lifecycle === "migrations") expect(steps.at(-1)?.renamed_classes).toContainEqual({ from, to });
        }
        const names = everywhere.map((b) => b.name);
        for (const { from, to } of plan.todo.doBindings) {
          expect(names.every((n) => n === to)).toBe(true);
          expect(names).not.toContain(from);
        }
        // KV ids follow their binding to its new name; nothing else changes.
        const ids = idsByBinding(before);
        const expected = Object.fromEntries(
          Object.entries(ids).map(([binding, id]) => [plan.todo.kv.find((c) => c.from === binding)?.to ?? binding, id]),
        );
        expect(idsByBinding(after)).toEqual(expected);
        expect(after.name).toBe(before.name);
        // Asking again changes nothing: the config already says it.
        const again = planRenames({ source: plan.configText, format, file }, after, requested, { exportedClasses: new Set(["Room"]) });
        expect(again.configText).toBe(plan.configText);
      }),
      { numRuns: CASES.rename / 4 },
    );
    console.info(
      `rename (${format}, ${lifecycle}, ${envs.length} environments): ${accepted} of ${CASES.rename / 4} generated requests accepted, the rest refused`,
    );
    expect(accepted).toBeGreaterThan(CASES.rename / 40);
  });
});

describe("generated KV bindings and ids: every edit reads back, nothing else changes", () => {
  const bindings = fc.uniqueArray(identifier, { minLength: 1, maxLength: 5, selector: (b) => b.toLowerCase() });
  const hex = fc.stringMatching(/^[0-9a-f]{32}$/);

  it.each(["toml", "jsonc"] as const)(`${CASES.kvIds / 2} cases on a %s project`, (format) => {
    const file = configFileName({ format });
    let edited = 0;
    fc.assert(
      fc.property(
        bindings,
        fc.array(fc.tuple(fc.nat(), hex, fc.constantFrom("id" as const, "preview_id" as const)), { maxLength: 6 }),
        (names, edits) => {
          let source: string;
          try {
            source = projectConfig(format, names);
          } catch (error) {
            // A binding name the renderer or the checked edit refuses (a reserved word, say).
            expect(error).toBeInstanceOf(UsageError);
            return;
          }
          const original = readConfig(source, format);
          const want = new Map(original.kv_namespaces!.map((kv) => [kv.binding, { ...kv }]));
          for (const [pick, id, kind] of edits) {
            const binding = names[pick % names.length]!;
            source = setKvNamespaceField({ source, format, file }, binding, kind, id);
            want.get(binding)![kind] = id;
            edited++;
          }
          const after = readConfig(source, format);
          expect(after.kv_namespaces).toEqual([...want.values()]);
          expect({ ...after, kv_namespaces: undefined }).toEqual({ ...original, kv_namespaces: undefined });
        },
      ),
      { numRuns: CASES.kvIds / 2 },
    );
    expect(edited).toBeGreaterThan(CASES.kvIds / 2);
  });
});
