import path from "node:path";
import type { InventoryItem, ResourceKind } from "../core/types.js";

const ARN_RESOURCE: Record<string, ResourceKind> = {
  "job-definition": "job-definition",
  "job-queue": "job-queue",
  "compute-environment": "compute-environment",
  "scheduling-policy": "scheduling-policy",
};

/** The Batch name a literal reference stands for: `name`, `name:3`, or an ARN of the expected kind. */
export function nameOfLiteral(reference: string, kind: ResourceKind): string | undefined {
  const arn = /^arn:[\w-]+:batch:[^:]*:[^:]*:([a-z-]+)\/(.+)$/.exec(reference);
  if (arn) return ARN_RESOURCE[arn[1]!] === kind ? stripRevision(arn[2]!, kind) : undefined;
  if (reference.startsWith("arn:") || reference.trim() === "") return undefined;
  return stripRevision(reference, kind);
}

function stripRevision(name: string, kind: ResourceKind): string {
  return kind === "job-definition" ? name.replace(/:\d+$/, "") : name;
}

const TERRAFORM_ADDRESS = /^((?:data\.)?aws_batch_[a-z_]+\.[\w-]+)(\[[^\]]*\])?(?:\.\w+)?$/;
const MODULE_ADDRESS = /^(module\.[\w-]+\.\w+\["[^"]+"\])/;
const CLOUDFORMATION_REF = /^!(?:Ref|GetAtt) ([\w-]+)/;
/** CloudFormation references built in code: `cf.ref('Env')`, `Fn.getAtt("Env", "Arn")`, `troposphere.Ref("Env")`. */
const CODE_BUILT_REF = /^(?:[\w$]+\.)*(?:ref|Ref|getAtt|GetAtt|get_att|fnGetAtt|fn_get_att)\(\s*['"]([\w-]+)['"]/;
/** The same written as an object: `{ Ref: 'Env' }`, `{"Fn::GetAtt": ["Env", "Arn"]}`. */
const OBJECT_REF = /^\{\s*['"]?(?:Ref|Fn::GetAtt)['"]?\s*:\s*\[?\s*['"]([\w-]+)['"]/;
const CODE_VARIABLE = /^(?:this\.|self\.)?([A-Za-z_$][\w$]*)/;

/** What an expression names: an IaC address (`aws_batch_job_queue.q.arn`), a CFN logical id or a code variable. */
export function addressOfExpression(
  expression: string,
): { address: string; scope: "module" | "file"; index?: string } | undefined {
  const text = expression.trim();
  if (text.startsWith("$.") || text === "$") return undefined;
  // A template string that is one interpolation, `${queue.jobQueueArn}`, names what it interpolates.
  const interpolated = /^`?\$\{([^{}]+)\}`?$/.exec(text);
  if (interpolated) return addressOfExpression(interpolated[1]!);
  const terraform = TERRAFORM_ADDRESS.exec(text);
  if (terraform) return { address: terraform[1]!, scope: "module", ...(terraform[2] ? { index: terraform[2] } : {}) };
  const module = MODULE_ADDRESS.exec(text);
  if (module) return { address: module[1]!, scope: "module" };
  const cloudformation = CLOUDFORMATION_REF.exec(text);
  if (cloudformation) return { address: cloudformation[1]!, scope: "file" };
  const built = CODE_BUILT_REF.exec(text) ?? OBJECT_REF.exec(text);
  if (built) return { address: built[1]!, scope: "file" };
  const variable = CODE_VARIABLE.exec(text);
  if (variable) return { address: variable[1]!, scope: "file" };
  return undefined;
}

/** Inventory items a reference written in `fromPath` resolves to. */
export function resolveReference(
  items: InventoryItem[],
  reference: { value: string; literal: boolean },
  fromPath: string,
  kind: ResourceKind,
): InventoryItem[] {
  const candidates = items.filter((item) => item.kind === kind);
  if (reference.literal) {
    const name = nameOfLiteral(reference.value, kind);
    return name === undefined ? [] : candidates.filter((item) => item.name === name);
  }
  const target = addressOfExpression(reference.value);
  if (!target) return [];
  // `count`/`for_each` instances are addressed `type.name[key]`: an indexed reference names one, a bare one all.
  const sameAddress = candidates.filter((item) => {
    const address = item.source.address;
    if (address === target.address) return true;
    // A construct passed by the variable it is kept in: `computeEnvironment: gpuEnvironment`.
    if (target.scope === "file" && item.source.binding === target.address) return true;
    if (!address?.startsWith(`${target.address}[`)) return false;
    return target.index === undefined || address === `${target.address}${target.index}`;
  });
  const inScope =
    target.scope === "file"
      ? sameAddress.filter((item) => item.source.path === fromPath)
      : sameAddress.filter((item) => path.posix.dirname(item.source.path) === path.posix.dirname(fromPath));
  return inScope;
}
