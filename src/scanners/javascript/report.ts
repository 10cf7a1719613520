import { cdkBatchIntegration } from "../../core/apigw-integration.js";
import {
  addCdkComputeEnvironment,
  createInventoryItem,
  isObject,
  normalizeCdkConstruct,
  normalizeCloudFormationResource,
} from "../../inventory/index.js";
import type * as TS from "typescript";
import { ts } from "./typescript.js";
import { getOperationByCamel } from "../../core/batch-operations.js";
import type { ScanContext } from "../../core/scanner.js";
import type { Finding, InventoryItem, LiteralValue, Origin } from "../../core/types.js";
import { addedEventPatternFinding, ruleConstructFinding } from "./event-rules.js";
import { importFindings, isRequireOf } from "./import-findings.js";
import { cloudFormationResourceShape, inventoryItem } from "./inventory.js";
import { propertyKey, readLiteral, type LiteralResolver } from "./literals.js";
import type { JsFile } from "./project.js";
import { findingAt, spanAt, spanOf } from "./site.js";
import { looksLikeBatchPython, templateBody, templateResources } from "./templates.js";
import { stringValue, type Evaluator, type Value } from "./values.js";

const has = (values: Value[], kind: Value["kind"]) => values.some((value) => value.kind === kind);

/** Turns the evaluator's facts about one project into findings and inventory for its candidate files. */
export class Reporter {
  readonly findings: Finding[] = [];
  readonly inventory: InventoryItem[] = [];
  private readonly embedded: Promise<Finding[]>[] = [];

  constructor(
    private readonly evaluator: Evaluator,
    private readonly ctx: ScanContext,
  ) {}

  /** Files whose analysis ran out of stack (pathological nesting); their partial findings are dropped. */
  readonly unanalysable: { source: JsFile["source"]; reason: string }[] = [];

  async report(files: JsFile[]): Promise<{ findings: Finding[]; inventory: InventoryItem[] }> {
    for (const file of files) {
      const findings = this.findings.length;
      const inventory = this.inventory.length;
      try {
        this.reportFile(file);
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        this.findings.length = findings;
        this.inventory.length = inventory;
        this.unanalysable.push({ source: file.source, reason: error.message });
      }
    }
    for (const found of await Promise.all(this.embedded)) this.findings.push(...found);
    return { findings: this.findings, inventory: this.inventory };
  }

  private reportFile(file: JsFile): void {
    const before = this.findings.length;
    for (const created of file.news) this.reportNew(file, created);
    for (const call of file.calls) this.reportCall(file, call);
    for (const access of file.propertyAccesses) this.reportMethodReference(file, access);
    const usesV2 = this.findings.slice(before).some((f) => f.kind === "js-v2-client" || f.kind === "js-v2-call");
    this.findings.push(...importFindings(file, usesV2));
    for (const check of file.instanceofs) this.reportExceptionCheck(file, check);
    for (const reference of file.typeReferences) this.reportTypeReference(file, reference);
    for (const object of file.objects) this.reportCloudFormationObject(file, object);
    for (const template of file.templates) this.reportTemplate(file, template);
    for (const call of file.callsByName.get("addComputeEnvironment") ?? [])
      this.reportAddedComputeEnvironment(file, call);
    for (const call of file.callsByName.get("addEventPattern") ?? []) {
      const rule = addedEventPatternFinding(file, call, this.resolveLiteral);
      if (rule) this.findings.push(rule);
    }
  }

  /** `queue.addComputeEnvironment(environment, 1)` on a CDK queue of this file. */
  private reportAddedComputeEnvironment(file: JsFile, call: TS.CallExpression | TS.NewExpression): void {
    if (!ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return;
    const receiver = call.expression.expression;
    const binding = ts.isIdentifier(receiver)
      ? receiver.text
      : ts.isPropertyAccessExpression(receiver) && receiver.expression.kind === ts.SyntaxKind.ThisKeyword
        ? receiver.name.text
        : undefined;
    const [environment, order] = call.arguments;
    if (!binding || !environment) return;
    const position = order ? readLiteral(order, this.resolveLiteral) : undefined;
    addCdkComputeEnvironment(
      this.inventory,
      file.source.path,
      binding,
      environment.getText(file.ast),
      typeof position === "number" ? position : undefined,
    );
  }

  /** Reads literal values, following names bound to constants and CDK constructs passed as props. */
  private readonly resolveLiteral: LiteralResolver = (node, depth) => {
    if (ts.isIdentifier(node)) {
      const declaration = this.evaluator.scopes.resolve(node);
      if (
        declaration &&
        ts.isVariableDeclaration(declaration) &&
        declaration.initializer &&
        ts.isIdentifier(declaration.name)
      ) {
        const value = readLiteral(declaration.initializer, this.resolveLiteral, depth);
        // A name bound to something unreadable reads better as the name than as its initializer.
        return typeof value === "object" && value !== null && "$expr" in value ? undefined : value;
      }
      return undefined;
    }
    if (ts.isNewExpression(node)) {
      // A container definition is part of its job definition; other constructs are only referenced.
      const container = this.evaluator
        .valueOf(node.expression)
        .find((value) => value.kind === "cdk-class" && value.name.endsWith("ContainerDefinition"));
      const props = node.arguments?.[2];
      if (container?.kind !== "cdk-class" || !props) return undefined;
      const value = readLiteral(props, this.resolveLiteral, depth);
      return isObject(value) ? { ...value, $class: container.name } : value;
    }
    return undefined;
  };

  /** A call's input as `args`: an object's properties, or the whole expression under `**`. */
  private input(node: TS.Expression | undefined): Record<string, LiteralValue> {
    if (!node || ts.isSpreadElement(node)) return {};
    const value = readLiteral(node, this.resolveLiteral);
    if (value && typeof value === "object" && !Array.isArray(value) && !("$expr" in value)) return value;
    return { "**": value };
  }

  private reportNew(file: JsFile, created: TS.NewExpression): void {
    const values = this.evaluator.valueOf(created.expression);
    const args = created.arguments ?? ts.factory.createNodeArray<TS.Expression>();
    const span = spanOf(file, created);
    for (const value of values) {
      switch (value.kind) {
        case "v2-class":
          this.findings.push(
            findingAt(file, span, {
              kind: "js-v2-client",
              resourceType: "AWS.Batch",
              args: this.input(args[0]),
              origin: this.evaluator.clientOrigin(this.evaluator.valueOf(created)),
            }),
          );
          return;
        case "v3-client-class":
          this.findings.push(
            findingAt(file, span, {
              kind: "js-v3-client",
              resourceType: value.aggregated ? "Batch" : "BatchClient",
              args: this.input(args[0]),
              origin: this.evaluator.clientOrigin(this.evaluator.valueOf(created)),
            }),
          );
          return;
        case "v3-command-class":
          this.findings.push(
            findingAt(file, span, {
              kind: "js-v3-command",
              operation: value.operation,
              args: this.input(args[0]),
              origin: this.commandOrigin(file, created),
            }),
          );
          return;
        case "cdk-class":
          this.reportConstruct(file, created, value.name, value.module);
          return;
        case "events-rule-class":
          {
            const rule = ruleConstructFinding(file, created, value.name, this.resolveLiteral, bindingOf(created));
            if (rule) this.findings.push(rule);
          }
          return;
        case "apigw-integration-class":
          {
            const props = this.input(args[0]);
            const integration = cdkBatchIntegration(props);
            if (integration)
              this.findings.push(
                findingAt(file, span, {
                  kind: "apigw-batch-integration",
                  resourceType: "AwsIntegration",
                  ...integration,
                }),
              );
          }
          return;
        case "sfn-batch-task":
          this.findings.push(
            findingAt(file, span, { kind: "cdk-sfn-task", resourceType: value.name, ...this.constructParts(created) }),
          );
          return;
      }
    }
  }

  /**
   * A command's origin is the client it is sent with (`client.send(new XCommand(…))`, or `client.send(command)` of a
   * variable holding it in the same file); a command never seen sent has its import as origin.
   */
  private commandOrigin(file: JsFile, created: TS.NewExpression): Origin | undefined {
    const sent = (argument: TS.Node): Origin | undefined => {
      const call = argument.parent;
      if (!call || !ts.isCallExpression(call) || !ts.isPropertyAccessExpression(call.expression)) return undefined;
      if (call.expression.name.text !== "send" || call.arguments[0] !== argument) return undefined;
      return this.evaluator.clientOrigin(this.evaluator.valueOf(call.expression.expression));
    };
    let node: TS.Node = created;
    while (node.parent && (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent)))
      node = node.parent;
    const direct = sent(node);
    if (direct) return direct;
    const holder = node.parent;
    if (holder && ts.isVariableDeclaration(holder) && ts.isIdentifier(holder.name)) {
      const name = holder.name.text;
      for (const call of file.callsByName.get("send") ?? []) {
        const argument = call.arguments?.[0];
        if (!argument || !ts.isIdentifier(argument) || argument.text !== name) continue;
        if (this.evaluator.scopes.resolve(argument) !== holder) continue;
        const origin = sent(argument);
        if (origin) return origin;
      }
    }
    // `return new XCommand(…)` in a builder whose result is sent: `client.send(buildSubmit(…))`.
    const fn = ts.isReturnStatement(holder ?? node)
      ? ts.findAncestor(node, ts.isFunctionLike)
      : ts.isArrowFunction(holder ?? node)
        ? holder
        : undefined;
    const builder =
      fn && (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name)
        ? fn.name.text
        : fn && ts.isArrowFunction(fn) && ts.isVariableDeclaration(fn.parent) && ts.isIdentifier(fn.parent.name)
          ? fn.parent.name.text
          : undefined;
    for (const call of builder ? (file.callsByName.get(builder) ?? []) : []) {
      const origin = ts.isCallExpression(call) ? sent(call) : undefined;
      if (origin) return origin;
    }
    const declared = this.evaluator.commandImport(created.expression);
    const command = ts.isPropertyAccessExpression(created.expression)
      ? created.expression.name.text
      : created.expression.getText(file.ast);
    return declared ? this.evaluator.originAt(declared, `import ${command.slice(0, 60)}`) : undefined;
  }

  private constructParts(created: TS.NewExpression): { name?: string; args?: Record<string, LiteralValue> } {
    const id = stringValue(created.arguments?.[1]);
    const props = created.arguments?.[2];
    return {
      ...(id !== undefined ? { name: id } : {}),
      ...(props ? { args: this.input(props) } : {}),
    };
  }

  private reportConstruct(file: JsFile, created: TS.NewExpression, className: string, module: string): void {
    const span = spanOf(file, created);
    const parts = this.constructParts(created);
    this.findings.push(findingAt(file, span, { kind: "cdk-construct", resourceType: className, ...parts }));
    const spread = parts.args && "**" in parts.args && Object.keys(parts.args).length === 1;
    const normalized = normalizeCdkConstruct(className, spread ? parts.args!["**"] : parts.args);
    if (!normalized) return;
    const binding = bindingOf(created);
    const source = {
      path: file.source.path,
      line: span.line,
      via: `cdk:${module}`,
      ...(parts.name ? { address: parts.name } : {}),
      ...(binding ? { binding } : {}),
    };
    this.inventory.push(createInventoryItem(normalized.kind, source, normalized.normalized));
  }

  private reportCall(file: JsFile, call: TS.CallExpression): void {
    const required = isRequireOf(call);
    if (required !== undefined) return;
    const callee = call.expression;
    if (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) {
      const token = ts.isPropertyAccessExpression(callee) ? callee.name : callee.argumentExpression;
      const method = ts.isPropertyAccessExpression(callee) ? callee.name.text : stringValue(callee.argumentExpression);
      const operation = method !== undefined ? getOperationByCamel(method) : undefined;
      const isDynamic =
        method === undefined && ts.isElementAccessExpression(callee) && !ts.isNumericLiteral(callee.argumentExpression);
      if (!operation && !isDynamic) {
        this.reportPaginator(file, call);
        return;
      }
      const receiver = this.evaluator.valueOf(callee.expression);
      const kind = this.clientCallKind(receiver);
      if (!kind) return;
      const span = spanOf(file, token, call);
      const origin = this.evaluator.clientOrigin(receiver);
      this.findings.push(
        findingAt(file, span, {
          kind,
          ...(operation ? { operation: operation.name } : { dynamic: true }),
          ...(origin?.reason ? { dynamic: true } : {}),
          args: this.input(call.arguments[0]),
          origin,
        }),
      );
      return;
    }
    this.reportPaginator(file, call);
  }

  private clientCallKind(receiver: Value[]): "js-v2-call" | "js-v3-command" | undefined {
    if (has(receiver, "v2-client")) return "js-v2-call";
    if (receiver.some((value) => value.kind === "v3-client" && value.aggregated)) return "js-v3-command";
    return undefined;
  }

  private reportPaginator(file: JsFile, call: TS.CallExpression): void {
    const paginator = this.evaluator.valueOf(call.expression).find((value) => value.kind === "v3-paginator");
    if (paginator?.kind !== "v3-paginator") return;
    // `paginateListJobs({ client }, input)`: the client rides in the configuration object.
    const config = call.arguments[0];
    const origin = config
      ? this.evaluator.clientOrigin(this.evaluator.property(this.evaluator.valueOf(config), "client"))
      : undefined;
    this.findings.push(
      findingAt(file, spanOf(file, call.expression, call), {
        kind: "js-v3-command",
        operation: paginator.operation,
        args: this.input(call.arguments[1]),
        message: `${paginator.operation} call (paginator)`,
        ...(origin ? { origin } : {}),
      }),
    );
  }

  /** `batch.submitJob` handed on as a value: `promisify(batch.submitJob)`, `.bind(batch)`. */
  private reportMethodReference(file: JsFile, access: TS.PropertyAccessExpression): void {
    const operation = getOperationByCamel(access.name.text);
    if (!operation) return;
    const parent = access.parent;
    if (ts.isCallExpression(parent) && parent.expression === access) return;
    if (
      ts.isBinaryExpression(parent) &&
      parent.left === access &&
      parent.operatorToken.kind === ts.SyntaxKind.EqualsToken
    )
      return;
    const receiver = this.evaluator.valueOf(access.expression);
    const kind = this.clientCallKind(receiver);
    if (!kind) return;
    const origin = this.evaluator.clientOrigin(receiver);
    this.findings.push(
      findingAt(file, spanOf(file, access.name, access), {
        kind,
        operation: operation.name,
        ...(origin?.reason ? { dynamic: true } : {}),
        origin,
      }),
    );
  }

  private reportExceptionCheck(file: JsFile, check: TS.BinaryExpression): void {
    const exception = this.evaluator.valueOf(check.right).find((value) => value.kind === "v3-exception");
    if (exception?.kind !== "v3-exception") return;
    this.findings.push(
      findingAt(file, spanOf(file, check), {
        kind: "info",
        resourceType: "exception-check",
        name: exception.name,
        message: `instanceof check on the AWS Batch exception ${exception.name}`,
        detail: "The shim throws errors of the same names; the check keeps working once the import moves to the shim.",
      }),
    );
  }

  /** `AWS.Batch.SubmitJobRequest`, `Batch.Types.JobDetail`: types from the v2 Batch namespace, not calls. */
  private reportTypeReference(file: JsFile, reference: TS.TypeReferenceNode): void {
    let prefix: TS.EntityName = reference.typeName;
    if (!ts.isQualifiedName(prefix)) return;
    while (ts.isQualifiedName(prefix)) {
      prefix = prefix.left;
      if (has(this.evaluator.entityValues(prefix), "v2-class")) {
        this.findings.push(
          findingAt(file, spanOf(file, reference), {
            kind: "info",
            resourceType: "type-reference",
            name: reference.typeName.getText(file.ast),
            message: `Type-only reference to ${reference.typeName.getText(file.ast)}`,
            detail: "A type from the aws-sdk v2 Batch namespace; it makes no call.",
          }),
        );
        return;
      }
    }
  }

  /** `{ Type: "AWS::Batch::JobQueue", Properties: {…} }`: the logical id's line, or `Type`'s when the id is computed. */
  private reportCloudFormationObject(file: JsFile, object: TS.ObjectLiteralExpression): void {
    const typeProperty = object.properties.find(
      (p): p is TS.PropertyAssignment => ts.isPropertyAssignment(p) && propertyKey(p.name) === "Type",
    );
    const type = typeProperty ? stringValue(typeProperty.initializer) : undefined;
    if (!typeProperty || !type?.startsWith("AWS::Batch::")) return;
    const holder = object.parent;
    const logicalId =
      ts.isPropertyAssignment(holder) && holder.initializer === object && !ts.isComputedPropertyName(holder.name)
        ? propertyKey(holder.name)
        : undefined;
    const anchor = logicalId !== undefined && ts.isPropertyAssignment(holder) ? holder.name : typeProperty;
    const span = spanOf(file, anchor, object);
    this.findings.push(
      findingAt(file, span, { kind: "cfn-in-code", resourceType: type, ...(logicalId ? { name: logicalId } : {}) }),
    );
    const shape = cloudFormationResourceShape(type);
    const propertiesNode = object.properties.find(
      (p): p is TS.PropertyAssignment => ts.isPropertyAssignment(p) && propertyKey(p.name) === "Properties",
    );
    if (!shape) return;
    const properties = propertiesNode ? readLiteral(propertiesNode.initializer, this.resolveLiteral) : {};
    const normalized = normalizeCloudFormationResource(type, properties);
    if (normalized) {
      const source = {
        path: file.source.path,
        line: span.line,
        via: "cloudformation-in-code",
        ...(logicalId ? { address: logicalId } : {}),
      };
      this.inventory.push(createInventoryItem(normalized.kind, source, normalized.normalized, { byLine: true }));
      return;
    }
    this.inventory.push(
      inventoryItem({
        shape,
        path: file.source.path,
        line: span.line,
        via: "cloudformation-in-code",
        address: logicalId,
        properties: properties && typeof properties === "object" && !Array.isArray(properties) ? properties : {},
      }),
    );
  }

  private reportTemplate(file: JsFile, template: TS.TemplateExpression | TS.NoSubstitutionTemplateLiteral): void {
    const body = templateBody(template, file.ast);
    if (body.raw.includes("AWS::Batch::")) {
      for (const resource of templateResources(body)) {
        const start = body.start + resource.offset;
        this.findings.push(
          findingAt(file, spanAt(file, start, start + resource.length), {
            kind: "cfn-in-code",
            resourceType: resource.type,
            ...(resource.logicalId ? { name: resource.logicalId } : {}),
          }),
        );
      }
    }
    if (looksLikeBatchPython(body)) {
      const at = file.ast.getLineAndCharacterOfPosition(body.start);
      this.embedded.push(
        this.ctx.scanEmbedded({
          language: "python",
          text: body.filled,
          host: file.source,
          lineOffset: at.line,
          columnOffset: at.character,
        }),
      );
    }
  }
}

/** The name a construct is kept under (`const queue = new JobQueue(…)`, `this.queue = …`), which references use. */
function bindingOf(created: TS.NewExpression): string | undefined {
  let node: TS.Node = created;
  while (node.parent && (ts.isParenthesizedExpression(node.parent) || ts.isAsExpression(node.parent)))
    node = node.parent;
  const parent = node.parent;
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isPropertyDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (parent && ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.EqualsToken) {
    const left = parent.left;
    if (ts.isIdentifier(left)) return left.text;
    if (ts.isPropertyAccessExpression(left) && left.expression.kind === ts.SyntaxKind.ThisKeyword)
      return left.name.text;
  }
  return undefined;
}
