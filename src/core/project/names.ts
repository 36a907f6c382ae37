/**
 * Names and their rules. Each validator returns undefined for a valid value, or one sentence
 * saying what is wrong; flags and prompts show the same sentence.
 */

const WORKER_NAME = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const PASCAL_CASE = /^[A-Z][A-Za-z0-9]*$/;

/** ECMAScript and TypeScript reserved and contextual words that cannot name a class or binding. */
const RESERVED_WORDS = new Set(
  (
    "break case catch class const continue debugger default delete do else enum export extends " +
    "false finally for function if import in instanceof new null return super switch this throw " +
    "true try typeof var void while with implements interface let package private protected public " +
    "static yield await async any boolean never number object string symbol undefined unknown " +
    "bigint declare type namespace module require global keyof readonly infer is asserts satisfies " +
    "constructor prototype arguments eval"
  ).split(" "),
);

/**
 * Names the generated code imports, declares or uses as globals. A class with one of these names
 * would shadow it and break the project. A test keeps this list in step with the templates.
 */
export const TAKEN_CLASS_NAMES = new Set([
  "DurableObject",
  "DurableObjectNamespace",
  "DurableObjectState",
  "DurableObjectStub",
  "Env",
  "ExportedHandler",
  "KVNamespace",
  "Request",
  "RequestInit",
  "Response",
  "HeadersInit",
  "Headers",
  "TextEncoder",
  "URL",
  "Promise",
  "Array",
  "Object",
  "Error",
  "JSON",
  "Map",
  "Set",
  "String",
  "Number",
  "Boolean",
  "Symbol",
  "Date",
  "Math",
  "RegExp",
  "Function",
  "Pick",
  "Partial",
  "Record",
  "Readonly",
  "ReturnType",
  "Awaited",
  "Cloudflare",
  "Rpc",
  "WebSocket",
  "WebSocketPair",
  "MessageEvent",
  "Event",
  "EventTarget",
  "AbortController",
  "AbortSignal",
  "ArrayBuffer",
  "Uint8Array",
  "ReadableStream",
  "WritableStream",
  "Blob",
  "FormData",
  "Crypto",
  "CryptoKey",
  "TextDecoder",
  "ServerMessage",
  "SetMessage",
  "ROUTES",
]);

export function validateWorkerName(name: string): string | undefined {
  if (name.length === 0) return "A Worker name cannot be empty.";
  if (name.length > 63) return `A Worker name is at most 63 characters; "${name}" has ${name.length}.`;
  if (!WORKER_NAME.test(name)) {
    return `"${name}" is not a valid Worker name: use lowercase letters, digits and dashes, not starting or ending with a dash.`;
  }
  return undefined;
}

/**
 * Local Durable Object storage (wrangler dev, the tests) is a folder named `<worker>-<class>`,
 * and a folder name has at most 255 bytes: the project's tests failed with "File name
 * too long" at 240 characters and passed at 230 (their worker is "vitest-plugin-runner-"). With
 * the longest Worker name (63), 191 fits everywhere.
 */
export const MAX_CLASS_NAME = 255 - 63 - 1;

export function validateClassName(name: string): string | undefined {
  if (name.length > MAX_CLASS_NAME) {
    return `A Durable Object class name is at most ${MAX_CLASS_NAME} characters (local storage keeps each class in a folder named "<worker>-<class>", 255 bytes at most, and a Worker name may have 63); this one has ${name.length}.`;
  }
  if (!PASCAL_CASE.test(name)) {
    return `"${name}" is not a valid class name: use PascalCase letters and digits, starting with an uppercase letter (e.g. ChatRoom).`;
  }
  if (TAKEN_CLASS_NAMES.has(name)) {
    return `"${name}" is already used by the generated code or the Workers runtime; choose another class name.`;
  }
  return undefined;
}

/** The vitest integration adds bindings of its own under this prefix to the Worker under test. */
const VITEST_RESERVED_PREFIX = "__VITEST_POOL_WORKERS_";

/** Bindings become properties of a plain object in wrangler; these names crash `wrangler types`. */
const OBJECT_MEMBERS = new Set([...Object.getOwnPropertyNames(Object.prototype), "__proto__"]);

export function validateBindingName(name: string): string | undefined {
  if (!IDENTIFIER.test(name)) {
    return `"${name}" is not a valid binding name: use letters, digits, _ and $, not starting with a digit (e.g. CACHE).`;
  }
  if (RESERVED_WORDS.has(name)) return `"${name}" is a reserved word in JavaScript or TypeScript; choose another binding name.`;
  if (OBJECT_MEMBERS.has(name))
    return `"${name}" is a member of every JavaScript object, which wrangler cannot take as a binding name; choose another.`;
  if (name.startsWith(VITEST_RESERVED_PREFIX)) {
    return `"${name}" starts with ${VITEST_RESERVED_PREFIX}, which the Workers vitest integration keeps for its own bindings (the project's tests would fail); choose another.`;
  }
  return undefined;
}

/**
 * KV bindings one create may ask for: each is a namespace (two with --preview), and an account
 * holds 1,000 (Cloudflare's KV limits); 5,000 were accepted before.
 */
export const MAX_KV_BINDINGS = 100;

/** Checks a list of bindings for validity and for names used twice (including the DO binding). */
export function validateKvBindings(names: readonly string[], doBinding?: string): string | undefined {
  if (names.length === 0) return "Give at least one KV binding name.";
  if (names.length > MAX_KV_BINDINGS) {
    return `At most ${MAX_KV_BINDINGS} KV bindings (each is a namespace, and an account holds 1,000); ${names.length} were given.`;
  }
  for (const name of names) {
    const problem = validateBindingName(name);
    if (problem) return problem;
  }
  if (doBinding && names.includes(doBinding)) {
    return `"${doBinding}" is already the Durable Object binding (set by --do-binding, or derived from --class); choose another KV binding name, or another --do-binding.`;
  }
  const seen = new Set<string>(doBinding ? [doBinding] : []);
  for (const name of names) {
    if (seen.has(name)) return `The binding name "${name}" is used twice; every binding needs its own name.`;
    seen.add(name);
  }
  return undefined;
}

/**
 * Starting with a letter: a name like "0" would be an integer-like key, which JavaScript objects
 * (and so every JSON or TOML reader) put first, out of the config's order (found by the hostile suite).
 */
const ENV_NAME = /^[a-z](?:[a-z0-9-]*[a-z0-9])?$/;

/**
 * Environment names: wrangler deploys `[env.<name>]` as the Worker `<worker>-<name>`, so a name
 * must make a valid Worker name with it (lowercase letters, digits, dashes; 63 at most).
 */
export function validateEnvironments(envs: readonly string[], workerName = "", kvCount = 1): string | undefined {
  const seen = new Set<string>();
  for (const env of envs) {
    if (!ENV_NAME.test(env)) {
      const deployedAs = workerName ? `the Worker "${workerName}-${env}"` : `the Worker's name followed by "-${env}"`;
      return `"${env}" is not a valid environment name: use lowercase letters, digits and dashes, starting with a letter and not ending with a dash (wrangler deploys it as ${deployedAs}).`;
    }
    if (workerName && workerName.length + 1 + env.length > 63) {
      return `The environment "${env}" would be deployed as "${workerName}-${env}", longer than the 63 characters a Worker name may have.`;
    }
    if (seen.has(env)) return `The environment "${env}" is given twice.`;
    seen.add(env);
  }
  const namespaces = kvCount * (1 + envs.length);
  if (namespaces > MAX_KV_BINDINGS) {
    return `${envs.length} environments with ${kvCount} KV binding${kvCount === 1 ? "" : "s"} each make ${namespaces} namespaces; at most ${MAX_KV_BINDINGS} (an account holds 1,000).`;
  }
  return undefined;
}

/** "ChatRoom" -> "CHAT_ROOM", "HTTPCache2" -> "HTTP_CACHE2". */
export function toUpperSnake(name: string): string {
  return name
    .replace(/([a-z0-9])([A-Z])/g, "$1_$2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1_$2")
    .toUpperCase();
}

/**
 * A Worker name derived from a directory name: "My App!" -> "my-app". Falls back to the given
 * default when nothing usable remains.
 */
export function workerNameFromDirectory(directoryName: string, fallback = "do-kv-app"): string {
  const name = directoryName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .slice(0, 63)
    .replace(/^-+|-+$/g, "");
  return validateWorkerName(name) === undefined ? name : fallback;
}

/** Splits "A, B" and repeated flags into a clean list. */
export function splitList(values: readonly string[]): string[] {
  return values
    .flatMap((value) => value.split(","))
    .map((value) => value.trim())
    .filter(Boolean);
}

/**
 * Characters in the project's path that its test runner trips on: vitest resolves files as
 * URLs, where "#" starts a fragment (no tests are found) and "?" a query (the run fails).
 * Warnings, not refusals: everything else about the project works there.
 */
export function pathNotes(path: string): string[] {
  const what: Record<string, string> = { "#": "finds no tests there", "?": "fails there with an error" };
  return Object.keys(what)
    .filter((char) => path.includes(char))
    .map(
      (char) =>
        `The project's path holds "${char}": its test runner reads paths as URLs, where "${char}" ends the path, so running the project's tests ${what[char]}. A path without "${char}" avoids that.`,
    );
}

/**
 * Why Windows cannot hold a file or folder of this name, whatever the extension: a device name
 * (`con`, `nul`, `com1`, ...), or a trailing dot or space (Windows drops them, so the name is a
 * different one there). A project holding one cannot be cloned or opened on Windows.
 */
export function windowsNameProblem(name: string): string | undefined {
  const device = /^(con|prn|aux|nul|com[1-9¹²³]|lpt[1-9¹²³])(\.|$)/i.exec(name);
  if (device) return `"${name}" is the device name ${device[1]!.toUpperCase()} on Windows, where no file or folder can be named so`;
  if (/[. ]$/.test(name)) return `"${name}" ends with a ${name.endsWith(".") ? "dot" : "space"}, which Windows drops from names`;
  return undefined;
}

/**
 * What one instance of a class is called in its comments: its name in words, lower-cased
 * (`Counter` -> "counter", `ChatRoom` -> "chat room", `HTTPCache` -> "http cache").
 */
export function instanceNoun(className: string): string {
  return className
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .replace(/([A-Z]+)([A-Z][a-z])/g, "$1 $2")
    .replace(/[_$]+/g, " ")
    .trim()
    .toLowerCase();
}
