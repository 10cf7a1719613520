import { cdkBatchIntegration } from "../../core/apigw-integration.js";
import { getOperationBySnake } from "../../core/batch-operations.js";
import { createFinding, type FindingInput, type Span } from "../../core/rules.js";
import type { Finding, FindingKind, InventoryItem, LiteralValue, Origin } from "../../core/types.js";
import {
  addCdkComputeEnvironment,
  createInventoryItem,
  normalizeCdkConstruct,
  normalizeCloudFormationResource,
} from "../../inventory/index.js";
import { addedEventPatternSite, ruleConstructSite, type EventRuleReader, type EventRuleSite } from "./event-rules.js";
import { argumentFor, type Dataflow } from "./dataflow.js";
import { enclosingClass, enclosingFunction, type ClassInfo, type ModuleIndex } from "./module-index.js";
import { isAirflowBatchOperator, operatorSubclasses } from "./operator-subclasses.js";
import { expression, readLiteral, readString } from "./literals.js";
import { originAt } from "./origin.js";
import type { SyntaxNode } from "./parser.js";
import type { Project } from "./project.js";

const BATCH_RESOURCE_TYPES = new Set([
  "ComputeEnvironment",
  "JobQueue",
  "JobDefinition",
  "SchedulingPolicy",
  "ConsumableResource",
  "ServiceEnvironment",
  "QuotaShare",
]);

const CDK_BATCH_MODULES = /^(aws_cdk\.aws_batch(_alpha)?|aws_cdk_lib\.aws_batch)$/;
const CDK_EVENTS_MODULES = /^aws_cdk(_lib)?\.aws_events$/;
const CDK_APIGATEWAY_MODULES = /^aws_cdk\.aws_apigateway$/;

interface PendingWrapperCall {
  module: ModuleIndex;
  call: SyntaxNode;
  token: SyntaxNode;
  name: string;
}

/** Operation names other services share: an untraced receiver calling one of them is never taken for Batch. */
const SHARED_OPERATION_NAMES = new Set([
  "tag_resource",
  "untag_resource",
  "list_tags_for_resource",
  "list_jobs",
  "cancel_job",
]);

/** Turns the dataflow facts of one project into findings for its candidate modules. */
export class Reporter {
  readonly findings: Finding[] = [];
  readonly inventory: InventoryItem[] = [];
  private readonly wrappingScopes = new Set<string>();
  private readonly pendingWrapperCalls: PendingWrapperCall[] = [];
  /** Modules with a Batch client of their own: an operation call there on a receiver we cannot trace is reported. */
  private readonly touchesBatch = new Set<string>();
  /** Project classes extending an Airflow Batch operator, with that operator; by name, to test a callee cheaply. */
  private readonly subclasses: Map<ClassInfo, string>;
  private readonly subclassNames: Set<string>;

  constructor(
    private readonly project: Project,
    private readonly flow: Dataflow,
  ) {
    this.subclasses = operatorSubclasses(project);
    this.subclassNames = new Set([...this.subclasses.keys()].map((cls) => cls.name));
  }

  report(modules: ModuleIndex[]): Finding[] {
    for (const module of modules) this.reportModule(module);
    this.reportWrapperCalls();
    return this.findings;
  }

  private span(module: ModuleIndex, start: SyntaxNode, end: SyntaxNode = start): Span {
    const mapLine = (row: number) => module.lineMap?.[row] ?? row + 1;
    return {
      line: mapLine(start.startPosition.row),
      column: start.startPosition.column + 1,
      endLine: mapLine(end.endPosition.row),
      endColumn: end.endPosition.column + 1,
    };
  }

  private add(
    module: ModuleIndex,
    kind: FindingKind,
    token: SyntaxNode,
    end: SyntaxNode,
    extra: Partial<FindingInput> = {},
  ): void {
    this.findings.push(
      createFinding({
        kind,
        path: module.file.path,
        span: this.span(module, token, end),
        language: module.language,
        ...extra,
        // A client whose maker could not be told is only known at run time.
        ...(extra.origin?.reason ? { dynamic: true } : {}),
      }),
    );
    if (extra.origin && extra.origin.via !== "unresolved") this.touchesBatch.add(module.file.path);
    if (kind.startsWith("py-call") || kind === "py-client" || kind === "py-paginator") {
      const fn = enclosingFunction(module, token);
      if (fn) this.wrappingScopes.add(fn.owner ? fn.owner.key : fn.key);
      const cls = enclosingClass(module, token);
      if (cls) this.wrappingScopes.add(cls.key);
    }
  }

  private nameResolver(module: ModuleIndex) {
    return (name: string): LiteralValue | undefined => module.constants.get(name);
  }

  private callArguments(module: ModuleIndex, call: SyntaxNode): Record<string, LiteralValue> {
    const args: Record<string, LiteralValue> = {};
    for (const arg of call.childForFieldName("arguments")?.namedChildren ?? []) {
      if (arg.type === "keyword_argument") {
        const name = arg.childForFieldName("name")?.text;
        const value = arg.childForFieldName("value");
        if (name && value) args[name] = readLiteral(value, this.nameResolver(module));
      } else if (arg.type === "dictionary_splat") {
        args["**"] = expression(arg.namedChildren[0] ?? arg);
      }
    }
    return args;
  }

  private reportModule(module: ModuleIndex): void {
    for (const call of module.calls) this.reportCall(module, call);
    for (const attribute of module.attributes) this.reportMethodReference(module, attribute);
    this.reportDeclarativeOperations(module);
    this.reportCloudFormationDictionaries(module);
    for (const call of module.calls) this.reportAddedComputeEnvironment(module, call);
    for (const call of module.calls)
      this.addEventRule(module, addedEventPatternSite(call, this.eventRuleReader(module)));
  }

  private readonly eventRuleReader = (module: ModuleIndex): EventRuleReader => ({
    callArguments: (call) => this.callArguments(module, call),
    resolveName: this.nameResolver(module),
  });

  private addEventRule(module: ModuleIndex, rule: EventRuleSite | undefined): void {
    if (rule) this.add(module, "eventbridge-rule", rule.token, rule.token, rule.extra);
  }

  /** `self.queue.add_compute_environment(environment, 1)` on a CDK queue of this file. */
  private reportAddedComputeEnvironment(module: ModuleIndex, call: SyntaxNode): void {
    const callee = call.childForFieldName("function");
    if (callee?.type !== "attribute" || callee.childForFieldName("attribute")?.text !== "add_compute_environment")
      return;
    const receiver = callee.childForFieldName("object")?.text.replace(/^self\./, "");
    const [environment, order] = (call.childForFieldName("arguments")?.namedChildren ?? []).filter(
      (arg) => arg.type !== "keyword_argument" && arg.type !== "comment",
    );
    if (!receiver || !environment) return;
    const position = order ? readLiteral(order, this.nameResolver(module)) : undefined;
    addCdkComputeEnvironment(
      this.inventory,
      module.file.path,
      receiver,
      environment.text,
      typeof position === "number" ? position : undefined,
    );
  }

  private reportCall(module: ModuleIndex, call: SyntaxNode): void {
    const scope = enclosingFunction(module, call);
    const made = this.flow.creation(call, module);
    if (made) {
      this.add(module, made.viaHelper && !made.returnsClient ? "py-client-indirect" : "py-client", made.token, call, {
        ...(made.dynamic ? { dynamic: true } : {}),
        origin: made.origin,
        args: this.callArguments(module, call),
      });
      return;
    }
    const callee = call.childForFieldName("function");
    if (!callee) return;
    if (callee.type === "attribute") {
      const receiver = callee.childForFieldName("object");
      const method = callee.childForFieldName("attribute");
      if (!receiver || !method) return;
      const op = getOperationBySnake(method.text);
      if (op) {
        const origin = this.flow.clientOrigin(receiver, module, scope);
        if (origin) {
          this.add(module, "py-call", method, call, {
            operation: op.name,
            args: this.callArguments(module, call),
            origin,
          });
        } else {
          this.pendingWrapperCalls.push({ module, call, token: method, name: method.text });
        }
        return;
      }
      const paginatorOrigin =
        method.text === "get_paginator" ? this.flow.clientOrigin(receiver, module, scope) : undefined;
      if (paginatorOrigin) {
        const name = argumentFor(call, ["operation_name"], 0);
        const paginated = name ? getOperationBySnake(readString(name) ?? "") : undefined;
        this.add(module, "py-paginator", method, call, {
          ...(paginated ? { operation: paginated.name } : { dynamic: true }),
          origin: paginatorOrigin,
        });
        return;
      }
      this.reportConstructs(module, call, callee);
      if (method.text === "create_waiter_with_client") this.reportWaiter(module, call, method, scope);
      return;
    }
    if (callee.type === "identifier") {
      if (callee.text === "getattr") {
        const receiver = argumentFor(call, [], 0);
        const name = argumentFor(call, [], 1);
        const origin = receiver && name ? this.flow.clientOrigin(receiver, module, scope) : undefined;
        if (origin) {
          const op = getOperationBySnake(readString(name!) ?? "");
          this.add(module, op ? "py-call" : "py-call-dynamic", callee, call, {
            ...(op ? { operation: op.name } : { dynamic: true }),
            origin,
          });
        }
        return;
      }
      if (callee.text === "create_waiter_with_client") this.reportWaiter(module, call, callee, scope);
      else if (getOperationBySnake(callee.text))
        this.pendingWrapperCalls.push({ module, call, token: callee, name: callee.text });
      else this.reportConstructs(module, call, callee);
    }
  }

  private reportWaiter(
    module: ModuleIndex,
    call: SyntaxNode,
    token: SyntaxNode,
    scope: ReturnType<typeof enclosingFunction>,
  ): void {
    const args = call.childForFieldName("arguments")?.namedChildren ?? [];
    let origin: Origin | undefined;
    for (const arg of args) {
      origin = this.flow.clientOrigin(
        arg.type === "keyword_argument" ? arg.childForFieldName("value")! : arg,
        module,
        scope,
      );
      if (origin) break;
    }
    if (!origin) return;
    const name = argumentFor(call, ["waiter_name"], 0);
    const waiter = name ? readString(name) : undefined;
    this.add(module, "py-waiter-custom", token, call, { ...(waiter ? { name: waiter } : {}), origin });
  }

  /** `batch.submit_job` handed on as a value (a callback, an executor argument). */
  private reportMethodReference(module: ModuleIndex, attribute: SyntaxNode): void {
    const parent = attribute.parent;
    if (
      !parent ||
      parent.type === "attribute" ||
      (parent.type === "call" && parent.childForFieldName("function")?.id === attribute.id)
    )
      return;
    if (parent.type === "assignment" && parent.childForFieldName("left")?.id === attribute.id) return;
    if (
      !["argument_list", "keyword_argument", "assignment", "return_statement", "list", "tuple", "pair"].includes(
        parent.type,
      )
    )
      return;
    const method = attribute.childForFieldName("attribute");
    const receiver = attribute.childForFieldName("object");
    const op = method ? getOperationBySnake(method.text) : undefined;
    if (!op || !receiver || !method) return;
    const origin = this.flow.clientOrigin(receiver, module, enclosingFunction(module, attribute));
    if (origin) this.add(module, "py-call", method, attribute, { operation: op.name, origin });
  }

  /** Framework tables that name Batch operations: a class body with `service = "batch"` (cloud-custodian). */
  private reportDeclarativeOperations(module: ModuleIndex): void {
    for (const cls of module.classByNode.values()) {
      const body = cls.node.childForFieldName("body");
      if (!body) continue;
      const isBatchTable = body.namedChildren.some((statement) => {
        const assignment = statement.namedChildren[0];
        return (
          assignment?.type === "assignment" &&
          assignment.childForFieldName("left")?.text === "service" &&
          readString(assignment.childForFieldName("right")!) === "batch"
        );
      });
      if (!isBatchTable) continue;
      for (const statement of body.namedChildren) {
        const assignment = statement.namedChildren[0];
        if (assignment?.type !== "assignment") continue;
        for (const string of assignment.childForFieldName("right")?.descendantsOfType("string") ?? []) {
          const op = getOperationBySnake(readString(string) ?? "");
          if (op) this.add(module, "py-declarative-op", string, string, { operation: op.name });
        }
      }
    }
  }

  /** CloudFormation resources written as Python dicts: `{"Type": "AWS::Batch::…"}`. */
  private reportCloudFormationDictionaries(module: ModuleIndex): void {
    for (const dict of module.dictionaries) {
      for (const pair of dict.namedChildren) {
        if (pair.type !== "pair") continue;
        const key = pair.childForFieldName("key");
        const value = pair.childForFieldName("value");
        if (!key || !value || readString(key) !== "Type") continue;
        const type = readString(value);
        if (!type?.startsWith("AWS::Batch::")) continue;
        const holder = dict.parent?.type === "pair" ? dict.parent.childForFieldName("key") : undefined;
        const logicalId = holder ? readString(holder) : undefined;
        this.add(module, "cfn-in-code", holder ?? pair, dict, {
          resourceType: type,
          ...(logicalId ? { name: logicalId } : {}),
        });
        this.addCloudFormationResource(module, dict, type, holder ?? pair, logicalId);
      }
    }
  }

  /** The dict's `Properties`, normalised into the inventory like a template's resource. */
  private addCloudFormationResource(
    module: ModuleIndex,
    dict: SyntaxNode,
    type: string,
    anchor: SyntaxNode,
    logicalId: string | undefined,
  ): void {
    const propertiesPair = dict.namedChildren.find(
      (pair) => pair.type === "pair" && readString(pair.childForFieldName("key")!) === "Properties",
    );
    const propertiesNode = propertiesPair?.childForFieldName("value");
    const properties = propertiesNode ? readLiteral(propertiesNode, this.nameResolver(module)) : {};
    const normalized = normalizeCloudFormationResource(type, properties);
    if (!normalized) return;
    const line = this.span(module, anchor).line;
    const source = {
      path: module.file.path,
      line,
      via: "cloudformation-in-code",
      ...(logicalId ? { address: logicalId } : {}),
    };
    this.inventory.push(createInventoryItem(normalized.kind, source, normalized.normalized, { byLine: true }));
  }

  /**
   * A CDK aws-batch construct in the inventory: its props are its keyword arguments, a container definition passed
   * inline (`container=batch.EcsEc2ContainerDefinition(self, "C", cpu=2, …)`) read as part of its job definition.
   */
  private addCdkConstruct(module: ModuleIndex, call: SyntaxNode, className: string, moduleName: string): void {
    const props: Record<string, LiteralValue> = {};
    let id: string | undefined;
    let positional = 0;
    for (const arg of call.childForFieldName("arguments")?.namedChildren ?? []) {
      if (arg.type === "keyword_argument") {
        const name = arg.childForFieldName("name")?.text;
        const value = arg.childForFieldName("value");
        if (!name || !value) continue;
        const inner = value.type === "call" ? value.childForFieldName("function")?.text : undefined;
        props[name] = inner?.endsWith("ContainerDefinition")
          ? { ...this.callArguments(module, value), $class: inner.split(".").at(-1)! }
          : readLiteral(value, this.nameResolver(module));
      } else if (arg.type === "dictionary_splat") props["**"] = expression(arg.namedChildren[0] ?? arg);
      else if (arg.type !== "comment" && positional++ === 1 && arg.type === "string") id = readString(arg);
    }
    const spread = "**" in props && Object.keys(props).length === 1;
    const normalized = normalizeCdkConstruct(className, spread ? props["**"] : props);
    if (!normalized) return;
    const holder = call.parent?.type === "assignment" ? call.parent.childForFieldName("left") : undefined;
    const binding =
      holder?.type === "identifier"
        ? holder.text
        : holder?.type === "attribute" && holder.childForFieldName("object")?.text === "self"
          ? holder.childForFieldName("attribute")?.text
          : undefined;
    const source = {
      path: module.file.path,
      line: this.span(module, call).line,
      via: `cdk:${moduleName}`,
      ...(id ? { address: id } : {}),
      ...(binding ? { binding } : {}),
    };
    this.inventory.push(createInventoryItem(normalized.kind, source, normalized.normalized, { byLine: true }));
  }

  /** troposphere `batch.JobQueue(...)`, CDK `batch.CfnJobQueue(...)` / `batch.JobQueue(...)`, Airflow `BatchOperator(...)`. */
  private reportConstructs(module: ModuleIndex, call: SyntaxNode, callee: SyntaxNode): void {
    let moduleName: string | undefined;
    let className: string | undefined;
    if (callee.type === "attribute") {
      const object = callee.childForFieldName("object");
      className = callee.childForFieldName("attribute")?.text;
      if (object?.type === "identifier") {
        const binding = module.imports.get(object.text);
        if (binding) moduleName = binding.name ? `${binding.module}.${binding.name}` : binding.module;
      } else if (object) moduleName = object.text;
    } else {
      const binding = module.imports.get(callee.text);
      if (binding?.name) {
        moduleName = binding.module;
        className = binding.name;
      }
    }
    const token = callee.type === "attribute" ? callee.childForFieldName("attribute")! : callee;
    if (this.subclassNames.has(token.text) && this.reportOperatorSubclass(module, call, token)) return;
    if (!moduleName || !className) return;
    if (moduleName === "troposphere.batch" && BATCH_RESOURCE_TYPES.has(className)) {
      this.add(module, "cfn-in-code", callee, call, {
        resourceType: `AWS::Batch::${className}`,
        args: this.callArguments(module, call),
      });
    } else if (CDK_BATCH_MODULES.test(moduleName) && /^[A-Z]/.test(className)) {
      const args = this.callArguments(module, call);
      this.add(module, "cdk-construct", callee, call, { resourceType: className, args });
      this.addCdkConstruct(module, call, className, moduleName);
    } else if (CDK_EVENTS_MODULES.test(moduleName) && (className === "Rule" || className === "CfnRule")) {
      this.addEventRule(module, ruleConstructSite(call, className, this.eventRuleReader(module)));
    } else if (CDK_APIGATEWAY_MODULES.test(moduleName) && className === "AwsIntegration") {
      const integration = cdkBatchIntegration(this.callArguments(module, call));
      if (integration)
        this.add(module, "apigw-batch-integration", token, call, { resourceType: className, ...integration });
    } else if (isAirflowBatchOperator(moduleName, className)) {
      this.add(module, "airflow-operator", token, call, {
        resourceType: className,
        args: this.callArguments(module, call),
      });
    }
  }

  /** `BatchOperatorAsync(...)`: a project class extending an Airflow Batch operator, reported as that operator. */
  private reportOperatorSubclass(module: ModuleIndex, call: SyntaxNode, token: SyntaxNode): boolean {
    const resolved = this.project.resolveCallee(module, call);
    const operator = resolved && "bases" in resolved ? this.subclasses.get(resolved) : undefined;
    if (!resolved || !operator) return false;
    this.add(module, "airflow-operator", token, call, {
      resourceType: operator,
      name: resolved.name,
      message: `${resolved.name} (a subclass of ${operator})`,
      args: this.callArguments(module, call),
    });
    return true;
  }

  /**
   * A receiver named for Batch (`batch`, `self.batch_client`, `self.hook.batch_conn`) that nothing in the scan assigns,
   * calling a Batch-only operation in a module that makes Batch clients: a client from a framework, reported as
   * dynamic rather than dropped. Anywhere else such calls stay unreported.
   */
  private isUntraceableClient(pending: PendingWrapperCall): boolean {
    if (SHARED_OPERATION_NAMES.has(pending.name) || !this.touchesBatch.has(pending.module.file.path)) return false;
    const callee = pending.call.childForFieldName("function");
    const receiver = callee?.type === "attribute" ? callee.childForFieldName("object") : undefined;
    if (!receiver || !/batch/i.test(receiver.text)) return false;
    const scope = enclosingFunction(pending.module, pending.call);
    if (receiver.type === "identifier") {
      // A parameter nobody passes a value we know; locals and globals hold what they were assigned.
      for (let fn = scope; fn; fn = fn.parent) {
        if (fn.params.some((p) => p.name === receiver.text)) return !fn.locals.has(receiver.text);
        if (fn.locals.has(receiver.text)) return false;
      }
      return false;
    }
    if (receiver.type === "attribute") {
      const root = receiver.text.split(".")[0];
      return root === "self" || root === "cls";
    }
    return false;
  }

  /** Calls of project methods named like Batch operations, where the project's method wraps a Batch client. */
  private reportWrapperCalls(): void {
    const wrapperNames = new Set<string>();
    for (const module of this.project.modules) {
      for (const fn of module.functions) {
        if (!getOperationBySnake(fn.name)) continue;
        if (this.wrappingScopes.has(fn.key) || (fn.owner && this.wrappingScopes.has(fn.owner.key)))
          wrapperNames.add(fn.name);
      }
    }
    for (const pending of this.pendingWrapperCalls) {
      const op = getOperationBySnake(pending.name);
      if (wrapperNames.has(pending.name)) {
        this.add(pending.module, "wrapper-call", pending.token, pending.call, op ? { operation: op.name } : {});
      } else if (op && this.isUntraceableClient(pending)) {
        const receiver = pending.call.childForFieldName("function")!.childForFieldName("object")!;
        this.add(pending.module, "py-call", pending.token, pending.call, {
          operation: op.name,
          args: this.callArguments(pending.module, pending.call),
          origin: {
            ...originAt(pending.module, receiver, "unresolved"),
            reason: `\`${receiver.text.slice(0, 80)}\` is handed in from code the scan cannot see; it is named for Batch in a module that makes Batch clients`,
          },
        });
      }
    }
  }
}

export function importFindings(module: ModuleIndex): Finding[] {
  const findings: Finding[] = [];
  for (const node of module.tree.rootNode.descendantsOfType(["import_statement", "import_from_statement"])) {
    if (!/\baws_cdk\b/.test(node.text) || !/\baws_batch(_alpha)?\b/.test(node.text)) continue;
    // The line that names aws_batch, which in a parenthesised import list is not the statement's first line.
    const name = node.descendantsOfType("identifier").find((id) => /^aws_batch(_alpha)?$/.test(id.text)) ?? node;
    findings.push(
      createFinding({
        kind: "cdk-import",
        path: module.file.path,
        span: {
          line: module.lineMap?.[name.startPosition.row] ?? name.startPosition.row + 1,
          column: name.startPosition.column + 1,
          endLine: module.lineMap?.[name.endPosition.row] ?? name.endPosition.row + 1,
          endColumn: name.endPosition.column + 1,
        },
        language: module.language,
        resourceType: "aws_cdk.aws_batch",
      }),
    );
  }
  return findings;
}
