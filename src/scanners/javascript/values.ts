import type * as TS from "typescript";
import { ts } from "./typescript.js";
import { getOperationByCamel, getOperationByCommand } from "../../core/batch-operations.js";
import { enclosingClassOfThis, type JsFile, type Project } from "./project.js";
import { Scopes, type Declaration } from "./scope.js";
import type { Origin, OriginStepKind } from "../../core/types.js";

/** Long chains add nothing a reader can use and cost memory on every copy. */
const MAX_STEPS = 12;
export const INJECTED_REASON =
  "the client is handed in by a caller the scan cannot see; only its type annotation says it is a Batch client";

/** Wrappers that hand back the client they are given (X-Ray, Powertools tracer, instrumentation). */
const PASS_THROUGH = /^(capture|instrument|wrap|trace)\w*$/i;
/** DI containers that hand out what was registered under a token, typed by a type argument. */
const CONTAINER_GETTERS = new Set(["resolve", "get", "getService", "inject"]);

/** What an expression can evaluate to, as far as Batch is concerned. Everything else is the empty set. */
export type Value =
  | { kind: "aws-sdk" }
  | { kind: "v2-class" }
  | { kind: "v2-client"; origin?: Origin }
  | { kind: "v3-module" }
  | { kind: "v3-client-class"; aggregated: boolean }
  | { kind: "v3-client"; aggregated: boolean; origin?: Origin }
  | { kind: "v3-command-class"; operation: string }
  | { kind: "v3-paginator"; operation: string }
  | { kind: "v3-exception"; name: string }
  | { kind: "cdk-root" }
  | { kind: "cdk-batch"; module: string }
  | { kind: "cdk-class"; name: string; module: string }
  | { kind: "sfn-tasks" }
  | { kind: "sfn-batch-task"; name: string }
  | { kind: "cdk-events" }
  | { kind: "events-rule-class"; name: string }
  | { kind: "cdk-apigateway" }
  | { kind: "apigw-integration-class" }
  | { kind: "module"; file: JsFile }
  | { kind: "object"; node: TS.ObjectLiteralExpression }
  | { kind: "array"; node: TS.ArrayLiteralExpression }
  | { kind: "function"; node: TS.SignatureDeclaration }
  | { kind: "class"; node: TS.ClassLikeDeclaration }
  | { kind: "instance"; node: TS.ClassLikeDeclaration };

export const V2_PER_SERVICE_MODULE = "aws-sdk/clients/batch";
export const V3_MODULE = "@aws-sdk/client-batch";
export const CDK_BATCH_MODULES = new Set(["aws-cdk-lib/aws-batch", "@aws-cdk/aws-batch", "@aws-cdk/aws-batch-alpha"]);
const SFN_TASKS_MODULES = new Set(["aws-cdk-lib/aws-stepfunctions-tasks", "@aws-cdk/aws-stepfunctions-tasks"]);
const CDK_EVENTS_MODULES = new Set(["aws-cdk-lib/aws-events", "@aws-cdk/aws-events"]);
const CDK_APIGATEWAY_MODULES = new Set(["aws-cdk-lib/aws-apigateway", "@aws-cdk/aws-apigateway"]);
/** The EventBridge rule classes of aws-events: the L2 `Rule` and the L1 `CfnRule`. */
const EVENTS_RULE_CLASSES = new Set(["Rule", "CfnRule"]);

const MAX_DEPTH = 60;

function identity(value: Value): unknown {
  switch (value.kind) {
    case "v2-client":
      return "v2-client";
    case "v3-client":
      return `v3-client:${value.aggregated}`;
    case "module":
      return value.file;
    case "object":
    case "array":
    case "function":
    case "class":
    case "instance":
      return value.node;
    default:
      return JSON.stringify(value);
  }
}

/** Whether a client value's origin is only a type annotation (its maker unseen). */
function annotatedOnly(value: Value): boolean {
  return (value.kind === "v2-client" || value.kind === "v3-client") && !!value.origin?.reason;
}

function unique(values: Value[]): Value[] {
  const seen = new Map<string, Set<unknown>>();
  const kept: Value[] = [];
  const at = new Map<unknown, number>();
  for (const value of values) {
    let ids = seen.get(value.kind);
    if (!ids) seen.set(value.kind, (ids = new Set()));
    const id = identity(value);
    if (ids.has(id)) {
      // A maker found along any path is a better origin than an annotation found first.
      const index = at.get(`${value.kind}|${String(id)}`);
      if (index !== undefined && annotatedOnly(kept[index]!) && !annotatedOnly(value)) kept[index] = value;
      continue;
    }
    ids.add(id);
    if (value.kind === "v2-client" || value.kind === "v3-client") at.set(`${value.kind}|${String(id)}`, kept.length);
    kept.push(value);
  }
  return kept;
}

/** A DI token as written: a string's value, or the name of the constant or member that holds it. */
function tokenOf(node: TS.Expression): string | undefined {
  const text = stringValue(node);
  if (text !== undefined) return `"${text}"`;
  if (ts.isIdentifier(node)) return node.text;
  if (ts.isPropertyAccessExpression(node)) return node.name.text;
  return undefined;
}

function propertyName(member: TS.PropertyAssignment): string | undefined {
  return ts.isIdentifier(member.name) || ts.isStringLiteral(member.name) ? member.name.text : undefined;
}

function isStaticMember(node: TS.Node): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
}

function v3Member(name: string): Value[] {
  if (name === "BatchClient") return [{ kind: "v3-client-class", aggregated: false }];
  if (name === "Batch") return [{ kind: "v3-client-class", aggregated: true }];
  const command = getOperationByCommand(name);
  if (command) return [{ kind: "v3-command-class", operation: command.name }];
  const paginated = /^paginate(\w+)$/.exec(name);
  const operation = paginated
    ? getOperationByCamel(paginated[1]!.charAt(0).toLowerCase() + paginated[1]!.slice(1))
    : undefined;
  if (operation) return [{ kind: "v3-paginator", operation: operation.name }];
  if (name.endsWith("Exception")) return [{ kind: "v3-exception", name }];
  return [];
}

function unwrap(node: TS.Expression): TS.Expression {
  let current = node;
  while (
    ts.isParenthesizedExpression(current) ||
    ts.isAsExpression(current) ||
    ts.isTypeAssertionExpression(current) ||
    ts.isNonNullExpression(current) ||
    ts.isSatisfiesExpression(current) ||
    ts.isAwaitExpression(current)
  ) {
    current = current.expression;
  }
  return current;
}

/** A string literal's value (plain quotes or a template without substitutions). */
export function stringValue(node: TS.Node | undefined): string | undefined {
  return node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) ? node.text : undefined;
}

/** `Promise<T>` → `T`: an async factory's declared result. */
function promised(type: TS.TypeNode | undefined): TS.TypeNode | undefined {
  if (type && ts.isTypeReferenceNode(type) && ts.isIdentifier(type.typeName) && type.typeName.text === "Promise") {
    return type.typeArguments?.[0];
  }
  return type;
}

function isRequireCall(node: TS.CallExpression): boolean {
  return ts.isIdentifier(node.expression) && node.expression.text === "require" && node.arguments.length === 1;
}

/** Names a function is called by: its own, or the variable, property or export it is assigned to. */
function callableName(fn: TS.SignatureDeclaration): string | undefined {
  if (
    (ts.isFunctionDeclaration(fn) || ts.isMethodDeclaration(fn) || ts.isFunctionExpression(fn)) &&
    fn.name &&
    ts.isIdentifier(fn.name)
  ) {
    return fn.name.text;
  }
  const parent = fn.parent;
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if ((ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent)) && ts.isIdentifier(parent.name))
    return parent.name.text;
  if (ts.isBinaryExpression(parent) && ts.isPropertyAccessExpression(parent.left)) return parent.left.name.text;
  if (ts.isBinaryExpression(parent) && ts.isIdentifier(parent.left)) return parent.left.text;
  return undefined;
}

/**
 * A flow-insensitive evaluator over the files of a scan: follows imports and `require`, exports, destructuring,
 * factories' return values, class members (`this.x = …`, getters, typed properties), and the arguments a
 * parameter receives at its call sites. Results are cached per node.
 */
export class Evaluator {
  readonly scopes = new Scopes();
  private readonly cache = new Map<TS.Node, Value[]>();
  private readonly active = new Set<TS.Node>();
  private readonly returnCache = new Map<TS.Node, Value[]>();
  private readonly exporting = new Set<string>();

  constructor(private readonly project: Project) {}

  private lineOf(node: TS.Node): { path: string; line: number; column: number } | undefined {
    const file = this.project.fileOf(node);
    if (!file) return undefined;
    const at = file.ast.getLineAndCharacterOfPosition(node.getStart(file.ast));
    return { path: file.source.path, line: at.line + 1, column: at.character + 1 };
  }

  /** Where a client is made: the `new` expression, or the type annotation that alone says so. */
  originAt(node: TS.Node, via: string, reason?: string): Origin | undefined {
    const at = this.lineOf(node);
    return at ? { ...at, via, steps: [], ...(reason ? { reason } : {}) } : undefined;
  }

  /** The clients among `values` with one more step, taken at `node`. */
  private step(values: Value[], node: TS.Node, step: OriginStepKind, name?: string): Value[] {
    if (!values.some((v) => (v.kind === "v2-client" || v.kind === "v3-client") && v.origin)) return values;
    const at = this.lineOf(node);
    if (!at) return values;
    return values.map((value) => {
      if ((value.kind !== "v2-client" && value.kind !== "v3-client") || !value.origin) return value;
      const origin = value.origin;
      const last = origin.steps.at(-1);
      if (origin.steps.length >= MAX_STEPS) return value;
      if (last && last.path === at.path && last.line === at.line && last.step === step && last.name === name)
        return value;
      const next = [...origin.steps, { path: at.path, line: at.line, step, ...(name ? { name } : {}) }];
      return { ...value, origin: { ...origin, steps: next } };
    });
  }

  /** The client origin a receiver's values carry, when they hold a Batch client. */
  clientOrigin(values: Value[]): Origin | undefined {
    for (const value of values)
      if ((value.kind === "v2-client" || value.kind === "v3-client") && value.origin) return value.origin;
    return undefined;
  }

  valueOf(node: TS.Node): Value[] {
    const cached = this.cache.get(node);
    if (cached) return cached;
    if (this.active.has(node) || this.active.size > MAX_DEPTH) return [];
    this.active.add(node);
    try {
      const values = unique(this.compute(node));
      this.cache.set(node, values);
      return values;
    } finally {
      this.active.delete(node);
    }
  }

  private compute(node: TS.Node): Value[] {
    if (ts.isExpression(node) && unwrap(node) !== node) return this.valueOf(unwrap(node));
    if (ts.isIdentifier(node)) return this.identifierValues(node);
    if (node.kind === ts.SyntaxKind.ThisKeyword) {
      const at = enclosingClassOfThis(node);
      return at ? [{ kind: at.isStatic ? "class" : "instance", node: at.cls }] : [];
    }
    if (ts.isPropertyAccessExpression(node)) {
      if (ts.isIdentifier(node.expression) && node.expression.text === "module" && node.name.text === "exports") {
        const file = this.project.fileOf(node);
        return file ? [{ kind: "module", file }] : [];
      }
      return this.property(this.valueOf(node.expression), node.name.text);
    }
    if (ts.isElementAccessExpression(node)) {
      const key = node.argumentExpression;
      const name = stringValue(key);
      if (name !== undefined) return this.property(this.valueOf(node.expression), name);
      if (ts.isNumericLiteral(key)) return this.element(this.valueOf(node.expression), Number(key.text));
      return [];
    }
    if (ts.isCallExpression(node)) return this.callValues(node);
    if (ts.isNewExpression(node)) return this.newValues(node);
    if (ts.isConditionalExpression(node)) return [...this.valueOf(node.whenTrue), ...this.valueOf(node.whenFalse)];
    if (ts.isBinaryExpression(node)) {
      switch (node.operatorToken.kind) {
        case ts.SyntaxKind.BarBarToken:
        case ts.SyntaxKind.QuestionQuestionToken:
        case ts.SyntaxKind.BarBarEqualsToken:
        case ts.SyntaxKind.QuestionQuestionEqualsToken:
          return [...this.valueOf(node.left), ...this.step(this.valueOf(node.right), node.right, "default")];
        case ts.SyntaxKind.AmpersandAmpersandToken:
        case ts.SyntaxKind.EqualsToken:
        case ts.SyntaxKind.CommaToken:
          return this.valueOf(node.right);
        default:
          return [];
      }
    }
    if (ts.isObjectLiteralExpression(node)) return [{ kind: "object", node }];
    if (ts.isArrayLiteralExpression(node)) return [{ kind: "array", node }];
    if (ts.isFunctionExpression(node) || ts.isArrowFunction(node)) return [{ kind: "function", node }];
    if (ts.isClassExpression(node)) return [{ kind: "class", node }];
    return [];
  }

  private identifierValues(id: TS.Identifier): Value[] {
    const declaration = this.scopes.resolve(id);
    if (declaration) return this.declarationValues(declaration);
    if (id.text === "exports") {
      const file = this.project.fileOf(id);
      return file ? [{ kind: "module", file }] : [];
    }
    return [];
  }

  declarationValues(declaration: Declaration): Value[] {
    if (ts.isVariableDeclaration(declaration)) {
      const name = ts.isIdentifier(declaration.name) ? declaration.name.text : undefined;
      const values = [
        ...(declaration.initializer
          ? this.step(this.valueOf(declaration.initializer), declaration, "assigned", name)
          : []),
        ...this.typeValues(declaration.type, name),
      ];
      if (ts.isIdentifier(declaration.name) && !(declaration.parent.flags & ts.NodeFlags.Const)) {
        const file = this.project.fileOf(declaration);
        for (const assigned of file?.assignments.get(declaration.name.text) ?? []) {
          const target = assigned.parent;
          if (
            ts.isBinaryExpression(target) &&
            ts.isIdentifier(target.left) &&
            this.scopes.resolve(target.left) === declaration
          ) {
            values.push(...this.step(this.valueOf(assigned), target, "assigned", declaration.name.text));
          }
        }
      }
      return values;
    }
    if (ts.isBindingElement(declaration)) return this.bindingElementValues(declaration);
    if (ts.isParameter(declaration)) return this.parameterValues(declaration);
    if (ts.isFunctionDeclaration(declaration) || ts.isFunctionExpression(declaration))
      return [{ kind: "function", node: declaration }];
    if (ts.isClassDeclaration(declaration) || ts.isClassExpression(declaration))
      return [{ kind: "class", node: declaration }];
    const file = this.project.fileOf(declaration);
    if (!file) return [];
    if (ts.isImportEqualsDeclaration(declaration)) {
      const reference = declaration.moduleReference;
      if (ts.isExternalModuleReference(reference)) {
        const specifier = stringValue(reference.expression);
        return specifier ? this.moduleValues(file, specifier, "whole") : [];
      }
      return this.entityValues(reference);
    }
    const importDeclaration = ts.isImportClause(declaration)
      ? declaration.parent
      : ts.isNamespaceImport(declaration)
        ? declaration.parent.parent
        : declaration.parent.parent.parent;
    const specifier = stringValue(importDeclaration.moduleSpecifier);
    if (!specifier) return [];
    if (ts.isImportClause(declaration))
      return this.step(
        this.moduleValues(file, specifier, "default"),
        importDeclaration,
        "imported",
        declaration.name?.text,
      );
    if (ts.isNamespaceImport(declaration)) return this.moduleValues(file, specifier, "*");
    return this.step(
      this.moduleValues(file, specifier, (declaration.propertyName ?? declaration.name).text),
      importDeclaration,
      "imported",
      declaration.name.text,
    );
  }

  private bindingElementValues(element: TS.BindingElement): Value[] {
    const pattern = element.parent;
    const holder = pattern.parent;
    let whole: Value[];
    if (ts.isVariableDeclaration(holder)) whole = holder.initializer ? this.valueOf(holder.initializer) : [];
    else if (ts.isParameter(holder)) whole = this.parameterValues(holder);
    else if (ts.isBindingElement(holder)) whole = this.bindingElementValues(holder);
    else whole = [];
    const defaults = element.initializer ? this.step(this.valueOf(element.initializer), element, "default") : [];
    if (ts.isArrayBindingPattern(pattern))
      return [...this.step(this.element(whole, pattern.elements.indexOf(element)), element, "element"), ...defaults];
    if (element.dotDotDotToken) return whole;
    const key = element.propertyName ?? element.name;
    const name = ts.isIdentifier(key) || ts.isStringLiteral(key) ? key.text : undefined;
    const required =
      ts.isVariableDeclaration(holder) &&
      !!holder.initializer &&
      ts.isCallExpression(holder.initializer) &&
      isRequireCall(holder.initializer);
    return name
      ? [...this.step(this.property(whole, name), element, required ? "imported" : "element", name), ...defaults]
      : defaults;
  }

  private parameterValues(parameter: TS.ParameterDeclaration): Value[] {
    const name = ts.isIdentifier(parameter.name) ? parameter.name.text : undefined;
    const values: Value[] = [];
    if (parameter.dotDotDotToken) return this.typeValues(parameter.type, name);
    const fn = parameter.parent;
    const index = fn.parameters.indexOf(parameter);
    // What callers pass comes first, so that a known maker is the origin rather than the annotation.
    for (const argument of this.argumentsFor(fn, index))
      values.push(...this.step(this.valueOf(argument), parameter, "parameter", name));
    if (parameter.initializer)
      values.push(...this.step(this.valueOf(parameter.initializer), parameter, "default", name));
    values.push(...this.step(this.injectedValues(parameter), parameter, "parameter", name));
    values.push(...this.typeValues(parameter.type, name));
    return values;
  }

  /**
   * `@Inject(TOKEN)` / `@inject("token")` on a parameter: what a DI provider registered under that token makes —
   * `{ provide: TOKEN, useFactory | useValue | useClass }` (NestJS, Angular) or `container.register("token", {…})`
   * (tsyringe). Tokens match by their written form (a string, or the name of the constant that holds them).
   */
  private injectedValues(parameter: TS.ParameterDeclaration): Value[] {
    const decorators = ts.canHaveDecorators(parameter) ? (ts.getDecorators(parameter) ?? []) : [];
    for (const decorator of decorators) {
      const call = decorator.expression;
      if (!ts.isCallExpression(call) || !call.arguments[0]) continue;
      const callee = call.expression;
      const name = ts.isIdentifier(callee)
        ? callee.text
        : ts.isPropertyAccessExpression(callee)
          ? callee.name.text
          : "";
      if (name.toLowerCase() !== "inject") continue;
      const token = tokenOf(call.arguments[0]);
      return token ? this.providerValues(token) : [];
    }
    return [];
  }

  private providerIndex: Map<string, TS.ObjectLiteralExpression[]> | undefined;

  /** Provider objects by token, indexed once per scan. */
  private providers(token: string): TS.ObjectLiteralExpression[] {
    if (!this.providerIndex) {
      this.providerIndex = new Map();
      for (const file of this.project.files) {
        for (const object of file.objects) {
          const provide = object.properties.find(
            (p): p is TS.PropertyAssignment => ts.isPropertyAssignment(p) && propertyName(p) === "provide",
          );
          const parent = object.parent;
          const key = provide
            ? tokenOf(provide.initializer)
            : ts.isCallExpression(parent) &&
                parent.arguments[1] === object &&
                ts.isPropertyAccessExpression(parent.expression) &&
                parent.expression.name.text === "register" &&
                parent.arguments[0]
              ? tokenOf(parent.arguments[0])
              : undefined;
          if (key === undefined) continue;
          const list = this.providerIndex.get(key);
          if (list) list.push(object);
          else this.providerIndex.set(key, [object]);
        }
      }
    }
    return this.providerIndex.get(token) ?? [];
  }

  private providerValues(token: string): Value[] {
    const values: Value[] = [];
    for (const object of this.providers(token)) {
      for (const member of object.properties) {
        if (!ts.isPropertyAssignment(member)) continue;
        const key = propertyName(member);
        let made: Value[] = [];
        if (key === "useFactory")
          made = this.valueOf(member.initializer).flatMap((v) =>
            v.kind === "function" ? this.returnValues(v.node) : [],
          );
        else if (key === "useValue") made = this.valueOf(member.initializer);
        else if (key === "useClass")
          made = this.valueOf(member.initializer).flatMap((v): Value[] =>
            v.kind === "class" ? [{ kind: "instance", node: v.node }] : [],
          );
        values.push(...this.step(made, member, "element", key));
      }
    }
    return values.filter((v) => v.kind === "v2-client" || v.kind === "v3-client" || v.kind === "instance");
  }

  /** The expressions passed at position `index` wherever `fn` is called in the parsed files. */
  private argumentsFor(fn: TS.SignatureDeclaration, index: number): TS.Expression[] {
    const isConstructor = ts.isConstructorDeclaration(fn);
    const name = isConstructor ? fn.parent.name?.text : callableName(fn);
    if (!name) return [];
    const found: TS.Expression[] = [];
    for (const file of this.project.files) {
      for (const call of file.callsByName.get(name) ?? []) {
        if (isConstructor !== ts.isNewExpression(call)) continue;
        const argument = call.arguments?.[index];
        if (!argument || ts.isSpreadElement(argument)) continue;
        const callees = this.valueOf(call.expression);
        const target = isConstructor ? fn.parent : fn;
        const matches = callees.some((value) => "node" in value && value.node === target);
        // A method called on a receiver the evaluator cannot see through is matched by name alone.
        if (matches || (callees.length === 0 && ts.isPropertyAccessExpression(call.expression) && !isConstructor))
          found.push(argument);
      }
    }
    return found;
  }

  /** Values of a type annotation read as "an instance of": `AWS.Batch`, `BatchClient`, a project class. */
  typeValues(type: TS.TypeNode | undefined, name?: string): Value[] {
    if (!type) return [];
    if (ts.isUnionTypeNode(type)) return type.types.flatMap((member) => this.typeValues(member, name));
    if (ts.isParenthesizedTypeNode(type)) return this.typeValues(type.type, name);
    if (!ts.isTypeReferenceNode(type)) return [];
    const annotated = (): Origin | undefined => {
      const origin = this.originAt(type, `type ${type.typeName.getText().slice(0, 60)}`, INJECTED_REASON);
      const at = this.lineOf(type);
      return origin && at
        ? { ...origin, steps: [{ path: at.path, line: at.line, step: "annotated", ...(name ? { name } : {}) }] }
        : origin;
    };
    return this.entityValues(type.typeName).flatMap((value): Value[] => {
      if (value.kind === "v2-class") return [{ kind: "v2-client", origin: annotated() }];
      if (value.kind === "v3-client-class")
        return [{ kind: "v3-client", aggregated: value.aggregated, origin: annotated() }];
      if (value.kind === "class") return [{ kind: "instance", node: value.node }];
      return [];
    });
  }

  /** The import (or require) a command class's name comes from: `SubmitJobCommand`, `Batch.SubmitJobCommand`. */
  commandImport(expression: TS.Expression): TS.Node | undefined {
    let root: TS.Expression = expression;
    while (ts.isPropertyAccessExpression(root)) root = root.expression;
    if (!ts.isIdentifier(root)) return undefined;
    const declaration = this.scopes.resolve(root);
    if (!declaration) return undefined;
    for (let node: TS.Node | undefined = declaration; node; node = node.parent) {
      if (ts.isImportDeclaration(node) || ts.isImportEqualsDeclaration(node) || ts.isVariableStatement(node))
        return node;
    }
    return declaration;
  }

  entityValues(name: TS.EntityName): Value[] {
    if (ts.isIdentifier(name)) return this.valueOf(name);
    return this.property(this.entityValues(name.left), name.right.text);
  }

  private callValues(call: TS.CallExpression): Value[] {
    const file = this.project.fileOf(call);
    if (file && (isRequireCall(call) || call.expression.kind === ts.SyntaxKind.ImportKeyword)) {
      const specifier = stringValue(call.arguments[0]);
      return specifier ? this.moduleValues(file, specifier, isRequireCall(call) ? "whole" : "*") : [];
    }
    const callees = this.valueOf(call.expression);
    const values = callees.flatMap((value) => (value.kind === "function" ? this.returnValues(value.node) : []));
    if (values.length > 0 || callees.some((value) => value.kind === "function")) return values;
    const name = ts.isIdentifier(call.expression)
      ? call.expression.text
      : ts.isPropertyAccessExpression(call.expression)
        ? call.expression.name.text
        : undefined;
    // `captureAWSv3Client(new BatchClient())`: an outside wrapper that returns the client it is given.
    if (name && PASS_THROUGH.test(name) && call.arguments[0])
      return this.valueOf(call.arguments[0]).filter((v) => v.kind === "v2-client" || v.kind === "v3-client");
    // `container.resolve<BatchClient>("batch")`: a DI container typed by its type argument.
    if (name && CONTAINER_GETTERS.has(name) && ts.isPropertyAccessExpression(call.expression) && call.arguments[0]) {
      const token = tokenOf(call.arguments[0]);
      const provided = token ? this.providerValues(token) : [];
      const typed = call.typeArguments?.length === 1 ? this.typeValues(call.typeArguments[0]) : [];
      return [...this.step(provided, call, "parameter", token), ...typed];
    }
    return [];
  }

  private newValues(created: TS.NewExpression): Value[] {
    const via = () => this.originAt(created, `new ${created.expression.getText().slice(0, 60)}`);
    return this.valueOf(created.expression).flatMap((value): Value[] => {
      if (value.kind === "v2-class") return [{ kind: "v2-client", origin: via() }];
      if (value.kind === "v3-client-class") return [{ kind: "v3-client", aggregated: value.aggregated, origin: via() }];
      if (value.kind === "class") return [{ kind: "instance", node: value.node }];
      return [];
    });
  }

  returnValues(fn: TS.SignatureDeclaration): Value[] {
    const cached = this.returnCache.get(fn);
    if (cached) return cached;
    this.returnCache.set(fn, []);
    const values: Value[] = [];
    const name = callableName(fn);
    if (ts.isArrowFunction(fn) && !ts.isBlock(fn.body))
      values.push(...this.step(this.valueOf(fn.body), fn.body, "returned", name));
    const body = "body" in fn ? fn.body : undefined;
    if (body && ts.isBlock(body)) {
      const visit = (node: TS.Node): void => {
        if (ts.isFunctionLike(node) || ts.isClassLike(node)) return;
        if (ts.isReturnStatement(node) && node.expression)
          values.push(...this.step(this.valueOf(node.expression), node, "returned", name));
        ts.forEachChild(node, visit);
      };
      ts.forEachChild(body, visit);
    }
    values.push(...this.typeValues(promised(fn.type)));
    const result = unique(values);
    this.returnCache.set(fn, result);
    return result;
  }

  private element(values: Value[], index: number): Value[] {
    return values.flatMap((value) => {
      if (value.kind !== "array") return [];
      const item = value.node.elements[index];
      return item && !ts.isSpreadElement(item) ? this.valueOf(item) : [];
    });
  }

  property(values: Value[], name: string): Value[] {
    return values.flatMap((value): Value[] => {
      switch (value.kind) {
        case "aws-sdk":
          return name === "Batch" ? [{ kind: "v2-class" }] : [];
        case "v3-module":
          return v3Member(name);
        case "cdk-root":
          if (name === "aws_batch") return [{ kind: "cdk-batch", module: "aws-cdk-lib/aws-batch" }];
          if (name === "aws_events") return [{ kind: "cdk-events" }];
          if (name === "aws_apigateway") return [{ kind: "cdk-apigateway" }];
          return name === "aws_stepfunctions_tasks" ? [{ kind: "sfn-tasks" }] : [];
        case "cdk-events":
          return EVENTS_RULE_CLASSES.has(name) ? [{ kind: "events-rule-class", name }] : [];
        case "cdk-apigateway":
          return name === "AwsIntegration" ? [{ kind: "apigw-integration-class" }] : [];
        case "cdk-batch":
          return /^[A-Z]/.test(name) ? [{ kind: "cdk-class", name, module: value.module }] : [];
        case "sfn-tasks":
          return name === "BatchSubmitJob" ? [{ kind: "sfn-batch-task", name }] : [];
        case "module":
          return this.exportValues(value.file, name);
        case "object":
          return this.objectMember(value.node, name);
        case "instance":
          return this.classMember(value.node, name, false);
        case "class":
          return this.classMember(value.node, name, true);
        default:
          return [];
      }
    });
  }

  private objectMember(object: TS.ObjectLiteralExpression, name: string): Value[] {
    const values: Value[] = [];
    for (const member of object.properties) {
      if (ts.isSpreadAssignment(member)) {
        values.push(...this.property(this.valueOf(member.expression), name));
        continue;
      }
      const key =
        member.name && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) ? member.name.text : undefined;
      if (key !== name) continue;
      if (ts.isPropertyAssignment(member))
        values.push(...this.step(this.valueOf(member.initializer), member, "element", name));
      else if (ts.isShorthandPropertyAssignment(member))
        values.push(...this.step(this.valueOf(member.name), member, "element", name));
      else if (ts.isMethodDeclaration(member)) values.push({ kind: "function", node: member });
      else if (ts.isGetAccessorDeclaration(member)) values.push(...this.returnValues(member));
    }
    return values;
  }

  private classMember(cls: TS.ClassLikeDeclaration, name: string, isStatic: boolean): Value[] {
    const values: Value[] = [];
    // Annotations come last: an assignment found anywhere is a better origin than the declared type.
    const typed: Value[] = [];
    for (const member of cls.members) {
      const memberIsStatic = isStaticMember(member);
      if (ts.isConstructorDeclaration(member) && !isStatic) {
        for (const parameter of member.parameters) {
          const isProperty = (ts.getModifiers(parameter) ?? []).length > 0;
          if (isProperty && ts.isIdentifier(parameter.name) && parameter.name.text === name)
            values.push(...this.step(this.parameterValues(parameter), parameter, "attribute", `this.${name}`));
        }
        continue;
      }
      if (
        memberIsStatic !== isStatic ||
        !member.name ||
        !(ts.isIdentifier(member.name) || ts.isPrivateIdentifier(member.name) || ts.isStringLiteral(member.name))
      )
        continue;
      if (member.name.text !== name) continue;
      if (ts.isPropertyDeclaration(member)) {
        if (member.initializer) values.push(...this.step(this.valueOf(member.initializer), member, "attribute", name));
        typed.push(...this.typeValues(member.type, name));
      } else if (ts.isGetAccessorDeclaration(member)) {
        values.push(...this.returnValues(member));
      } else if (ts.isMethodDeclaration(member)) {
        values.push({ kind: "function", node: member });
      }
    }
    if (!isStatic) {
      const file = this.project.fileOf(cls);
      for (const assigned of file?.memberAssignments.get(cls)?.get(name) ?? [])
        values.push(...this.step(this.valueOf(assigned), assigned.parent, "attribute", `this.${name}`));
    }
    for (const clause of cls.heritageClauses ?? []) {
      if (clause.token !== ts.SyntaxKind.ExtendsKeyword) continue;
      for (const parent of clause.types) {
        for (const base of this.valueOf(parent.expression)) {
          if (base.kind === "class") values.push(...this.classMember(base.node, name, isStatic));
        }
      }
    }
    return [...values, ...typed];
  }

  /** What `import … from specifier` (member "default", "*", a name) or `require(specifier)` ("whole") gives. */
  moduleValues(from: JsFile, specifier: string, member: string): Value[] {
    const root = this.packageRoot(specifier);
    if (root) {
      if (member === "*" || member === "default" || member === "whole") return [root];
      return this.property([root], member);
    }
    const file = this.project.resolveModule(from, specifier);
    if (!file) return [];
    if (member === "*") return [{ kind: "module", file }];
    if (member === "whole")
      return file.exports.whole.length
        ? file.exports.whole.flatMap((e) => this.valueOf(e))
        : [{ kind: "module", file }];
    const values = this.exportValues(file, member);
    // `import x from "./cjs"` reads module.exports under interop.
    if (member === "default" && values.length === 0) return file.exports.whole.flatMap((e) => this.valueOf(e));
    return values;
  }

  private packageRoot(specifier: string): Value | undefined {
    if (specifier === "aws-sdk" || specifier === "aws-sdk/global") return { kind: "aws-sdk" };
    if (specifier === V2_PER_SERVICE_MODULE) return { kind: "v2-class" };
    if (specifier === V3_MODULE) return { kind: "v3-module" };
    if (specifier === "aws-cdk-lib") return { kind: "cdk-root" };
    if (CDK_BATCH_MODULES.has(specifier)) return { kind: "cdk-batch", module: specifier };
    if (SFN_TASKS_MODULES.has(specifier)) return { kind: "sfn-tasks" };
    if (CDK_EVENTS_MODULES.has(specifier)) return { kind: "cdk-events" };
    if (CDK_APIGATEWAY_MODULES.has(specifier)) return { kind: "cdk-apigateway" };
    return undefined;
  }

  exportValues(file: JsFile, name: string): Value[] {
    const key = `${file.source.path}#${name}`;
    if (this.exporting.has(key)) return [];
    this.exporting.add(key);
    try {
      return unique(this.collectExport(file, name));
    } finally {
      this.exporting.delete(key);
    }
  }

  private collectExport(file: JsFile, name: string): Value[] {
    const { esm, reexports, stars, commonjs, whole } = file.exports;
    const values: Value[] = [];
    for (const node of esm.get(name) ?? []) {
      if (ts.isVariableDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isClassDeclaration(node))
        values.push(...this.declarationValues(node));
      else values.push(...this.valueOf(node));
    }
    for (const expression of commonjs.get(name) ?? []) values.push(...this.valueOf(expression));
    for (const expression of whole) values.push(...this.property(this.valueOf(expression), name));
    const reexport = reexports.get(name);
    if (reexport) values.push(...this.moduleValues(file, reexport.specifier, reexport.imported));
    if (values.length === 0 && name !== "default") {
      for (const specifier of stars) values.push(...this.moduleValues(file, specifier, name));
    }
    return values;
  }
}
