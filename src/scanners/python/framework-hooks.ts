// Airflow's Amazon provider makes Batch clients inside its hooks: `BatchClientHook(...).conn`, `hook.client`,
// `async with hook.async_conn as client`, `AwsBaseHook(client_type="batch").get_conn()`, and in classes that extend
// the hook, `self.client` / `await self.get_client_async()`. The client is made in Airflow, not in the tree.
// https://airflow.apache.org/docs/apache-airflow-providers-amazon/stable/_api/airflow/providers/amazon/aws/hooks/batch_client/index.html
import type { ClassInfo, ModuleIndex } from "./module-index.js";
import { readString } from "./literals.js";
import type { SyntaxNode } from "./parser.js";

/** Members of a hook that are its boto3 (or aiobotocore) client. */
export const HOOK_CLIENT_ATTRIBUTES = new Set(["client", "conn", "async_conn"]);
/** Methods of a hook that return its client. */
export const HOOK_CLIENT_METHODS = new Set(["get_conn", "get_client_async", "get_async_conn", "get_client_type"]);

export const HOOK_REASON =
  "the client is made inside Airflow's Amazon provider (a Batch hook); the scan cannot see or change where";

/** Hooks whose client is always Batch, by module. */
const BATCH_HOOK_MODULES = /^airflow\.(providers\.amazon\.aws\.hooks\.batch_client|contrib\.hooks\.aws_batch_client)$/;
const BATCH_HOOK_NAMES = /^(Aws)?BatchClientHook$/;
/** Generic hooks that serve whichever service `client_type` names. */
const GENERIC_HOOK_MODULES =
  /^airflow\.(providers\.amazon\.aws\.hooks\.base_aws|contrib\.hooks\.aws_hook|hooks\.aws_hook|providers\.amazon\.aws\.hooks\.aws_hook)$/;
const GENERIC_HOOK_NAMES = /^(AwsBaseHook|AwsGenericHook|AwsHook)$/;

type HookKind = "batch" | "generic";

/** What an imported name is: Airflow's Batch hook, a generic AWS hook, or neither. */
function hookKind(module: ModuleIndex, text: string): HookKind | undefined {
  const dot = text.lastIndexOf(".");
  const head = dot < 0 ? text : text.slice(0, dot);
  const name = dot < 0 ? text : text.slice(dot + 1);
  const binding = module.imports.get(head.split(".")[0]!);
  if (!binding) return undefined;
  let moduleName: string;
  if (dot < 0) {
    if (!binding.name) return undefined;
    moduleName = binding.module;
  } else {
    const root = binding.name ? `${binding.module}.${binding.name}` : binding.module;
    moduleName = [root, ...head.split(".").slice(1)].join(".");
  }
  const imported = dot < 0 ? binding.name! : name;
  if (BATCH_HOOK_MODULES.test(moduleName) && BATCH_HOOK_NAMES.test(imported)) return "batch";
  if (GENERIC_HOOK_MODULES.test(moduleName) && GENERIC_HOOK_NAMES.test(imported)) return "generic";
  return undefined;
}

/** The keyword or positional `client_type` of a generic hook's constructor (`AwsBaseHook(conn_id, "batch")`). */
function clientType(call: SyntaxNode): string | undefined {
  const args = call.childForFieldName("arguments")?.namedChildren ?? [];
  for (const arg of args)
    if (arg.type === "keyword_argument" && arg.childForFieldName("name")?.text === "client_type")
      return readString(arg.childForFieldName("value")!);
  return undefined;
}

/** Whether a call constructs a hook whose client is Batch. */
export function isBatchHookConstruction(call: SyntaxNode, module: ModuleIndex): boolean {
  const callee = call.childForFieldName("function");
  if (!callee || (callee.type !== "identifier" && callee.type !== "attribute")) return false;
  const kind = hookKind(module, callee.text);
  return kind === "batch" || (kind === "generic" && clientType(call) === "batch");
}

/**
 * Whether a project class extends Airflow's Batch hook (directly, or through project classes in `lineage`), or
 * extends a generic AWS hook and passes `client_type="batch"` up in `super().__init__(…)`.
 */
export function extendsBatchHook(lineage: ClassInfo[]): boolean {
  let generic = false;
  for (const cls of lineage) {
    for (const base of cls.bases) {
      const kind = hookKind(cls.module, base);
      if (kind === "batch") return true;
      if (kind === "generic") generic = true;
    }
  }
  if (!generic) return false;
  return lineage.some((cls) => /super\(\)\.__init__\([^)]*client_type\s*=\s*["']batch["']/.test(cls.node.text));
}
