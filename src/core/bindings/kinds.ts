/**
 * Every binding kind wrangler accepts, declared once: where a section of the config holds it,
 * which field names it, which fields name the resource behind it, whether that resource holds
 * data (then deploying the same binding with another resource hides the data), and the type
 * `wrangler types` gives it in Env. Read by the config readers, check, sync, add and rename.
 * A test compares this list with the pinned wrangler's config-schema.json, so a newer wrangler's
 * new kind fails the suite until it is declared here. Pure data.
 */

export type KindShape =
  /** An array of entries, each naming one binding: `kv_namespaces = [{ binding = "CACHE", id }]`. */
  | "list"
  /** One object naming one binding: `ai = { binding = "AI" }`. */
  | "single"
  /** An object whose keys are the binding names: `vars = { MODE = "prod" }`. */
  | "map";

export interface BindingKind {
  /** Where a section (the top level or an `env.<name>`) holds it. */
  key: readonly string[];
  shape: KindShape;
  /** The field that names the binding (lists and singles). */
  nameField?: "binding" | "name";
  /** How messages name it. */
  label: string;
  /** The fields that name the resource behind the binding (a namespace id, a bucket). */
  resource: readonly string[];
  /** Whether the resource keeps data that a deploy pointing elsewhere would hide. */
  holdsData: boolean;
  /**
   * The type `wrangler types` writes for it in Env (its head: `DurableObjectNamespace<...>`
   * carries the class), as measured with the pinned wrangler; undefined where it writes the
   * value's literal type (vars); null where it declares nothing under the binding's name.
   */
  envType?: string | null;
}

const list = (
  key: string,
  label: string,
  resource: string[],
  holdsData: boolean,
  envType: string | null,
  nameField: "binding" | "name" = "binding",
): BindingKind => ({
  key: key.split("."),
  shape: "list",
  nameField,
  label,
  resource,
  holdsData,
  envType,
});
const single = (key: string, label: string, envType: string): BindingKind => ({
  key: [key],
  shape: "single",
  nameField: "binding",
  label,
  resource: [],
  holdsData: false,
  envType,
});
const map = (key: string, label: string, envType?: string | null): BindingKind => ({
  key: [key],
  shape: "map",
  label,
  resource: [],
  holdsData: false,
  envType,
});

export const KV_NAMESPACES = list("kv_namespaces", "KV namespace", ["id"], true, "KVNamespace");
export const DURABLE_OBJECTS = list(
  "durable_objects.bindings",
  "Durable Object",
  ["class_name", "script_name"],
  true,
  "DurableObjectNamespace",
  "name",
);

/** Grouped by whether they hold data; the order means nothing else. */
export const BINDING_KINDS: readonly BindingKind[] = [
  KV_NAMESPACES,
  DURABLE_OBJECTS,
  // Storage and databases: the resource is where the data is.
  list("r2_buckets", "R2 bucket", ["bucket_name", "jurisdiction"], true, "R2Bucket"),
  list("d1_databases", "D1 database", ["database_id"], true, "D1Database"),
  list("vectorize", "Vectorize index", ["index_name"], true, "VectorizeIndex"),
  list("analytics_engine_datasets", "Analytics Engine dataset", ["dataset"], true, "AnalyticsEngineDataset"),
  list("workflows", "Workflow", ["name"], true, "Workflow"),
  list("agent_memory", "Agent Memory namespace", ["namespace"], true, "AgentMemoryNamespace"),
  list("artifacts", "Artifacts namespace", ["namespace"], true, "Artifacts"),
  list("ai_search_namespaces", "AI Search namespace", ["namespace"], true, "AiSearchNamespace"),
  list("ai_search", "AI Search instance", ["instance_name"], true, "AiSearchInstance"),
  // Pointers to something that keeps no data of this Worker's.
  list("services", "service", ["service", "entrypoint"], false, "Fetcher"),
  list("queues.producers", "queue", ["queue"], false, "Queue"),
  list("hyperdrive", "Hyperdrive", ["id"], false, "Hyperdrive"),
  list("dispatch_namespaces", "dispatch namespace", ["namespace"], false, "DispatchNamespace"),
  list("mtls_certificates", "mTLS certificate", ["certificate_id"], false, "Fetcher"),
  list("pipelines", "pipeline", ["pipeline", "stream"], false, "Pipeline"),
  // Declared inline: `{ send(records: ...): Promise<...> }`.
  list("k2", "K2 stream", ["stream"], false, "{"),
  list("secrets_store_secrets", "Secrets Store secret", ["store_id", "secret_name"], false, "SecretsStoreSecret"),
  list("flagship", "Flagship app", ["app_id"], false, "Flagship"),
  list("worker_loaders", "Worker loader", [], false, "WorkerLoader"),
  list("vpc_services", "VPC service", ["service_id"], false, "Fetcher"),
  list("vpc_networks", "VPC network", ["tunnel_id", "network_id"], false, "Fetcher"),
  list("unsafe_hello_world", "hello world (unsafe)", [], false, "HelloWorldBinding"),
  list("send_email", "send_email", [], false, "SendEmail", "name"),
  list("ratelimits", "rate limit", ["namespace_id"], false, "RateLimit", "name"),
  list("unsafe.bindings", "unsafe", [], false, "any", "name"),
  // wrangler types declares LOGFWDR_SCHEMA for a logfwdr binding, whatever it is called.
  list("logfwdr.bindings", "logfwdr", [], false, null, "name"),
  single("ai", "AI", "Ai"),
  single("browser", "Browser Rendering", "BrowserRun"),
  single("analytics", "Analytics SQL", "AnalyticsSQLBinding"),
  single("images", "Images", "ImagesBinding"),
  single("media", "Media", "MediaBinding"),
  single("stream", "Stream", "StreamBinding"),
  single("version_metadata", "version metadata", "WorkerVersionMetadata"),
  single("assets", "assets", "Fetcher"),
  map("vars", "var"),
  map("text_blobs", "text blob", "string"),
  map("data_blobs", "data blob", "ArrayBuffer"),
  // A module Worker imports its Wasm; wrangler types declares no binding for it.
  map("wasm_modules", "Wasm module", null),
];

/** `secrets.required`: names only, their values set with `wrangler secret put` or .dev.vars. */
export const SECRETS = { key: ["secrets", "required"], label: "secret" } as const;
