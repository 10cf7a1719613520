// Where a Batch client made by `new …` is held, and every expression that reads it there: a local const, a private
// field of the class whose constructor (or initializer) makes it, or the results of a module-private factory
// function that returns it. A holder whose uses cannot all be found in this file is a refusal, with the reason.
import type { TextEdit } from "../edits.js";
import { referencesIn, scopeOf } from "./scope.js";
import type { JsNode, ParsedJs } from "./syntax.js";

export interface ClientUse {
  /** The path of the expression that reads the client (`client`, `this.client`). */
  use: JsNode;
  /** That expression's text: the receiver of the target calls. */
  label: string;
}

export interface ClientHolders {
  uses: ClientUse[];
  /** Type annotations that name the AWS client, retyped to the target's client. */
  edits: TextEdit[];
}

export interface HolderContext {
  parsed: ParsedJs;
  code: string;
  /** The target client's class name, for the annotations. */
  nativeClient: string;
  /** The target's name, for the reasons. */
  targetName: string;
  /** Whether a type (its text) is the aws-sdk Batch client this file imports. */
  isBatchType: (typeText: string) => boolean;
}

const FUNCTION = /^(FunctionDeclaration|FunctionExpression|ArrowFunctionExpression)$/;

function clip(value: string): string {
  const flat = value.replace(/\s+/g, " ");
  return flat.length > 60 ? `${flat.slice(0, 57)}…` : flat;
}

/** Retypes `x: AWS.Batch` to the target client; a refusal when the annotation names another type. */
function retype(ctx: HolderContext, annotation: JsNode | undefined, holder: string): TextEdit[] | string {
  const type = annotation?.typeAnnotation as JsNode | undefined;
  if (!type) return [];
  const typeText = ctx.code.slice(type.start, type.end);
  if (ctx.isBatchType(typeText)) return [{ start: type.start, end: type.end, text: ctx.nativeClient }];
  return `${holder} is declared as ${clip(typeText)}, not as the AWS Batch client: the ${ctx.nativeClient} would not fit that type; annotate it with the client class, or keep this file on the shim`;
}

export function holdersOf(ctx: HolderContext, made: JsNode, seen = new Set<JsNode>()): ClientHolders | string {
  const node = made.node as JsNode;
  const parent = made.parent?.node as JsNode | undefined;
  const madeText = clip(ctx.code.slice(node.start, node.end));
  if (parent?.type === "VariableDeclarator" && parent.id.type === "Identifier" && parent.init === node) {
    if (made.parent.parent?.parent?.node.type === "ExportNamedDeclaration")
      return `${madeText} is exported: other modules call it as an AWS Batch client, so this file stays on the shim; convert those modules with it, or keep the client private to this file`;
    const name = parent.id.name as string;
    const edits = retype(ctx, parent.id.typeAnnotation, name);
    if (typeof edits === "string") return edits;
    const uses = referencesIn(ctx.parsed, scopeOf(made.parent), name)
      .filter((use) => use.node !== parent.id)
      .map((use) => ({ use, label: name }));
    return { uses, edits };
  }
  const field = fieldOf(made);
  if (field) return fieldHolders(ctx, field, made);
  if (parent?.type === "ReturnStatement" || (parent?.type === "ArrowFunctionExpression" && parent.body === node))
    return factoryHolders(ctx, made, seen);
  if (parent?.type === "AssignmentExpression") {
    const left = clip(ctx.code.slice(parent.left.start, parent.left.end));
    if (/^(module\.)?exports\b/.test(left))
      return `${madeText} is exported as ${left}: other modules call it as an AWS Batch client, and apply follows a client within its own module only, so this file stays on the shim; convert those modules by hand with it, or keep the client private to this file`;
    return `${madeText} is stored in ${left}, which code elsewhere can reach: its uses cannot all be followed to ${ctx.targetName} calls, so this file stays on the shim; hold the client in a const, a private field or a module-private factory, with its uses in this file`;
  }
  return `${madeText} is not bound to a name: its uses cannot be followed to ${ctx.targetName} calls, so this file stays on the shim; hold the client in a const, a private field or a module-private factory, with its uses in this file`;
}

interface Field {
  name: string;
  /** `#name`: a private name, unreachable from outside the class. */
  hash: boolean;
  classBody: JsNode;
}

function memberName(member: JsNode): { name: string; hash: boolean } | undefined {
  if (member.computed) return undefined;
  if (member.property.type === "Identifier") return { name: member.property.name, hash: false };
  if (member.property.type === "PrivateName") return { name: member.property.id.name, hash: true };
  return undefined;
}

/** `this.x = new …` as a statement of the constructor, or `x = new …` as a class property's initializer. */
function fieldOf(made: JsNode): Field | undefined {
  const node = made.node as JsNode;
  const parent = made.parent?.node as JsNode | undefined;
  if (/^Class(Private)?Property$/.test(parent?.type ?? "") && parent!.value === node && !parent!.static) {
    const key = parent!.key as JsNode;
    const hash = parent!.type === "ClassPrivateProperty" || key.type === "PrivateName";
    const name = key.type === "PrivateName" ? key.id.name : key.name;
    return typeof name === "string" && !parent!.computed ? { name, hash, classBody: made.parent.parent } : undefined;
  }
  if (parent?.type !== "AssignmentExpression" || parent.right !== node || parent.operator !== "=") return undefined;
  const left = parent.left as JsNode;
  if (left.type !== "MemberExpression" || left.object.type !== "ThisExpression") return undefined;
  const named = memberName(left);
  const statement = made.parent.parent;
  const method = statement?.parent?.parent;
  if (!named || statement?.node.type !== "ExpressionStatement" || method?.node.type !== "ClassMethod") return undefined;
  if (method.node.kind !== "constructor") return undefined;
  return { ...named, classBody: method.parent };
}

function fieldHolders(ctx: HolderContext, field: Field, made: JsNode): ClientHolders | string {
  const label = `this.${field.hash ? "#" : ""}${field.name}`;
  const declared = ((field.classBody.node.body ?? []) as JsNode[]).find((member) => {
    if (!/^Class(Private)?Property$/.test(member.type) || member.static) return false;
    const key = member.key as JsNode;
    return (key.type === "PrivateName" ? key.id.name : key.name) === field.name;
  });
  const isPrivate = field.hash || declared?.accessibility === "private";
  if (!isPrivate)
    return `${label} is a ${declared?.accessibility ?? "public"} field: code outside the class (or in other modules) can reach the client through an instance, so its uses cannot all be followed: declare it private (or #${field.name}) with its uses in this class, or keep this file on the shim`;
  const edits = retype(ctx, declared?.typeAnnotation, label);
  if (typeof edits === "string") return edits;
  const uses: ClientUse[] = [];
  let problem: string | undefined;
  ctx.parsed
    .api(field.classBody)
    .find(ctx.parsed.api.MemberExpression)
    .forEach((p) => {
      const member = p.node as JsNode;
      const named = member.object.type === "ThisExpression" ? memberName(member) : undefined;
      if (problem || named?.name !== field.name || named.hash !== field.hash) return;
      const outer = p.parent?.node as JsNode;
      if (outer?.type === "AssignmentExpression" && outer.left === member) {
        if (made.parent.node !== outer)
          problem = `${label} is assigned again (${clip(ctx.code.slice(outer.start, outer.end))}): the client it holds is not only the one made here, so its uses cannot move: assign it once, in the constructor`;
        return;
      }
      // `this` is the instance in the class's methods and in arrow functions inside them, not in a nested function.
      for (let up = p.parent; up && up.node !== field.classBody.node; up = up.parent) {
        if (
          (FUNCTION.test(up.node.type) && up.node.type !== "ArrowFunctionExpression") ||
          up.node.type === "ClassBody"
        ) {
          problem = `${label} is read inside a nested function (${clip(ctx.code.slice(member.start, member.end))}), where this is not the instance: use an arrow function, or keep this file on the shim`;
          return;
        }
        if (/^Class(Private)?Method$/.test(up.node.type) && up.node.static) {
          problem = `${label} is read in a static method, where this is the class: keep this file on the shim`;
          return;
        }
      }
      uses.push({ use: p, label });
    });
  return problem ?? { uses, edits };
}

/** `function makeBatch() { return new AWS.Batch() }` (or an arrow), private to the module: each call is a holder. */
function factoryHolders(ctx: HolderContext, made: JsNode, seen: Set<JsNode>): ClientHolders | string {
  const madeText = clip(ctx.code.slice(made.node.start, made.node.end));
  let fn = made.parent;
  while (fn && !FUNCTION.test(fn.node.type)) fn = fn.parent;
  if (!fn) return `${madeText} is returned outside a function`;
  const declarator = fn.parent?.node as JsNode | undefined;
  const name: string | undefined =
    fn.node.type === "FunctionDeclaration"
      ? fn.node.id?.name
      : declarator?.type === "VariableDeclarator" && declarator.init === fn.node && declarator.id.type === "Identifier"
        ? declarator.id.name
        : undefined;
  if (!name)
    return `${madeText} is returned by an unnamed function: its callers cannot be followed: name the factory, or keep this file on the shim`;
  const exported =
    fn.parent?.node.type === "ExportNamedDeclaration" ||
    fn.parent?.node.type === "ExportDefaultDeclaration" ||
    fn.parent?.parent?.parent?.node.type === "ExportNamedDeclaration";
  if (exported)
    return `${madeText} is returned by ${name}(), which is exported: other modules get an AWS Batch client from it, so this file stays on the shim; convert those modules with it, or keep ${name}() private to this file`;
  if (seen.has(fn.node)) return `${name}() calls itself: its clients cannot be followed`;
  seen.add(fn.node);
  const returns: JsNode[] = [];
  ctx.parsed
    .api(fn)
    .find(ctx.parsed.api.ReturnStatement)
    .forEach((p) => {
      let up = p.parent;
      while (up && !FUNCTION.test(up.node.type)) up = up.parent;
      if (up?.node === fn.node) returns.push(p.node);
    });
  if (returns.length > 1 || (returns.length === 1 && fn.node.type === "ArrowFunctionExpression" && fn.node.expression))
    return `${name}() returns more than the client made by ${madeText}: rewrite it by hand`;
  const edits = retype(ctx, fn.node.returnType, `${name}()`);
  if (typeof edits === "string") return edits;
  const holders: ClientHolders = { uses: [], edits };
  for (const reference of referencesIn(ctx.parsed, ctx.parsed.root.get(), name)) {
    if (reference.node === fn.node.id || (declarator && reference.node === declarator.id)) continue;
    const call = reference.parent?.node as JsNode;
    if (call?.type !== "CallExpression" || call.callee !== reference.node)
      return `${name}() (the factory of ${madeText}) is handed on as a value (${clip(ctx.code.slice(call?.start ?? reference.node.start, call?.end ?? reference.node.end))}): whoever calls it gets an AWS Batch client: call it directly, or keep this file on the shim`;
    const inner = holdersOf(ctx, reference.parent, seen);
    if (typeof inner === "string") return inner;
    holders.uses.push(...inner.uses);
    holders.edits.push(...inner.edits);
  }
  return holders;
}
