import type * as TS from "typescript";
import type { Finding } from "../../core/types.js";
import type { JsFile } from "./project.js";
import { findingAt, spanOf } from "./site.js";
import { ts } from "./typescript.js";
import { CDK_BATCH_MODULES, stringValue, V2_PER_SERVICE_MODULE, V3_MODULE } from "./values.js";

/** The resource type of CDK imports in every language, so that rule ids agree with the Python scanner's. */
const CDK_IMPORT = "aws_cdk.aws_batch";

/** The module a `require(…)` or dynamic `import(…)` names, when written as a string. */
export function isRequireOf(call: TS.CallExpression): string | undefined {
  const isRequire = ts.isIdentifier(call.expression) && call.expression.text === "require";
  const isDynamicImport = call.expression.kind === ts.SyntaxKind.ImportKeyword;
  return isRequire || isDynamicImport ? stringValue(call.arguments[0]) : undefined;
}

function isTypeOnlyImport(node: TS.ImportDeclaration): boolean {
  const clause = node.importClause;
  if (!clause) return false;
  if (clause.isTypeOnly) return true;
  const bindings = clause.namedBindings;
  return (
    !clause.name &&
    !!bindings &&
    ts.isNamedImports(bindings) &&
    bindings.elements.length > 0 &&
    bindings.elements.every((e) => e.isTypeOnly)
  );
}

/** The findings of a file's imports and requires of the Batch SDKs and CDK modules. */
export function importFindings(file: JsFile, usesV2: boolean): Finding[] {
  const findings: Finding[] = [];
  for (const node of file.imports) {
    if (ts.isImportEqualsDeclaration(node)) {
      const reference = node.moduleReference;
      const specifier = ts.isExternalModuleReference(reference) ? stringValue(reference.expression) : undefined;
      if (specifier) reportImport(findings, file, node, specifier, node.isTypeOnly, usesV2);
      continue;
    }
    const specifier = stringValue(node.moduleSpecifier);
    if (!specifier) continue;
    if (specifier === "aws-cdk-lib") {
      reportCdkRootImport(findings, file, node);
      continue;
    }
    reportImport(findings, file, node, specifier, isTypeOnlyImport(node), usesV2);
  }
  for (const call of file.calls) {
    const specifier = isRequireOf(call);
    if (specifier === undefined) continue;
    const statement = ts.isVariableDeclaration(call.parent) ? call.parent.parent.parent : call;
    reportImport(findings, file, statement, specifier, false, usesV2);
  }
  return findings;
}

function reportImport(
  findings: Finding[],
  file: JsFile,
  node: TS.Node,
  specifier: string,
  typeOnly: boolean,
  usesV2: boolean,
): void {
  const span = spanOf(file, node);
  if (specifier === V2_PER_SERVICE_MODULE || specifier === V3_MODULE) {
    findings.push(
      typeOnly
        ? findingAt(file, span, {
            kind: "info",
            resourceType: "type-only-import",
            name: specifier,
            message: `Type-only import from ${specifier}`,
            detail: "Types do not reach AWS at run time; they follow the import the shim replaces.",
          })
        : findingAt(file, span, {
            kind: specifier === V3_MODULE ? "js-v3-import" : "js-v2-import",
            resourceType: specifier,
          }),
    );
  } else if (CDK_BATCH_MODULES.has(specifier)) {
    findings.push(findingAt(file, span, { kind: "cdk-import", resourceType: CDK_IMPORT, name: specifier }));
  } else if (specifier === "aws-sdk" && usesV2) {
    findings.push(
      findingAt(file, span, {
        kind: "info",
        resourceType: "aws-sdk-import",
        name: specifier,
        message: "aws-sdk v2 import used for an AWS Batch client",
        detail:
          "The import serves other AWS services too; the Batch client created from it is reported where it is created.",
      }),
    );
  }
}

/** `import { aws_batch as batch } from "aws-cdk-lib"`: the line naming aws_batch. */
function reportCdkRootImport(findings: Finding[], file: JsFile, node: TS.ImportDeclaration): void {
  const bindings = node.importClause?.namedBindings;
  if (!bindings || !ts.isNamedImports(bindings)) return;
  for (const element of bindings.elements) {
    if ((element.propertyName ?? element.name).text !== "aws_batch") continue;
    findings.push(
      findingAt(file, spanOf(file, element), {
        kind: "cdk-import",
        resourceType: CDK_IMPORT,
        name: "aws-cdk-lib/aws_batch",
      }),
    );
  }
}
