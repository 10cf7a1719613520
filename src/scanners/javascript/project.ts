import path from "node:path";
import type * as TS from "typescript";
import { ts } from "./typescript.js";
import type { SourceFile } from "../../core/scanner.js";
import { parseSource } from "./parser.js";

const EXTENSIONS = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"];

/** What a module makes visible to others, by export name. */
export interface ModuleExports {
  /** `export const x`, `export function x`, `export class x`, `export default e`, `export { a as x }`. */
  esm: Map<string, TS.Node[]>;
  /** `export { a as x } from "./m"`. */
  reexports: Map<string, { specifier: string; imported: string }>;
  /** `export * from "./m"`. */
  stars: string[];
  /** `exports.x = e`, `module.exports.x = e`. */
  commonjs: Map<string, TS.Expression[]>;
  /** `module.exports = e`, `export = e`. */
  whole: TS.Expression[];
}

/** One parsed file with the nodes the analysis visits, collected in a single walk. */
export interface JsFile {
  source: SourceFile;
  ast: TS.SourceFile;
  exports: ModuleExports;
  /** `name = e` assignments by name, to widen what a `let` or `var` can hold. */
  assignments: Map<string, TS.Expression[]>;
  /** `this.name = e` assignments, by the class they sit in. */
  memberAssignments: Map<TS.ClassLikeDeclaration, Map<string, TS.Expression[]>>;
  /** Calls and `new` expressions by the last name of their callee, to find the arguments a parameter receives. */
  callsByName: Map<string, (TS.CallExpression | TS.NewExpression)[]>;
  calls: TS.CallExpression[];
  news: TS.NewExpression[];
  propertyAccesses: TS.PropertyAccessExpression[];
  imports: (TS.ImportDeclaration | TS.ImportEqualsDeclaration)[];
  instanceofs: TS.BinaryExpression[];
  typeReferences: TS.TypeReferenceNode[];
  objects: TS.ObjectLiteralExpression[];
  templates: (TS.TemplateExpression | TS.NoSubstitutionTemplateLiteral)[];
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

function calleeName(expression: TS.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

/** The class whose instance `this` is at a node, when it is one. */
export function enclosingClassOfThis(node: TS.Node): { cls: TS.ClassLikeDeclaration; isStatic: boolean } | undefined {
  for (let current = node.parent; current; current = current.parent) {
    if (ts.isArrowFunction(current)) continue;
    if (ts.isFunctionDeclaration(current) || ts.isFunctionExpression(current)) return undefined;
    if (ts.isClassLike(current.parent) && (ts.isClassElement(current) || ts.isConstructorDeclaration(current))) {
      const isStatic =
        ts.canHaveModifiers(current) &&
        (ts.getModifiers(current) ?? []).some((m) => m.kind === ts.SyntaxKind.StaticKeyword);
      return { cls: current.parent, isStatic };
    }
    if (ts.isSourceFile(current)) return undefined;
  }
  return undefined;
}

function isModuleExports(node: TS.Expression): boolean {
  return (
    ts.isPropertyAccessExpression(node) &&
    ts.isIdentifier(node.expression) &&
    node.expression.text === "module" &&
    node.name.text === "exports"
  );
}

function indexFile(source: SourceFile): JsFile {
  const ast = parseSource(source.path, source.text);
  const file: JsFile = {
    source,
    ast,
    exports: { esm: new Map(), reexports: new Map(), stars: [], commonjs: new Map(), whole: [] },
    assignments: new Map(),
    memberAssignments: new Map(),
    callsByName: new Map(),
    calls: [],
    news: [],
    propertyAccesses: [],
    imports: [],
    instanceofs: [],
    typeReferences: [],
    objects: [],
    templates: [],
  };
  indexTopLevelExports(file);
  const visit = (node: TS.Node): void => {
    switch (node.kind) {
      case ts.SyntaxKind.CallExpression: {
        const call = node as TS.CallExpression;
        file.calls.push(call);
        const name = calleeName(call.expression);
        if (name) push(file.callsByName, name, call);
        break;
      }
      case ts.SyntaxKind.NewExpression: {
        const created = node as TS.NewExpression;
        file.news.push(created);
        const name = calleeName(created.expression);
        if (name) push(file.callsByName, name, created);
        break;
      }
      case ts.SyntaxKind.PropertyAccessExpression:
        file.propertyAccesses.push(node as TS.PropertyAccessExpression);
        break;
      case ts.SyntaxKind.ImportDeclaration:
      case ts.SyntaxKind.ImportEqualsDeclaration:
        file.imports.push(node as TS.ImportDeclaration | TS.ImportEqualsDeclaration);
        break;
      case ts.SyntaxKind.TypeReference:
        file.typeReferences.push(node as TS.TypeReferenceNode);
        break;
      case ts.SyntaxKind.ObjectLiteralExpression:
        file.objects.push(node as TS.ObjectLiteralExpression);
        break;
      case ts.SyntaxKind.TemplateExpression:
      case ts.SyntaxKind.NoSubstitutionTemplateLiteral:
        file.templates.push(node as TS.TemplateExpression | TS.NoSubstitutionTemplateLiteral);
        break;
      case ts.SyntaxKind.BinaryExpression:
        indexBinary(file, node as TS.BinaryExpression);
        break;
    }
    ts.forEachChild(node, visit);
  };
  visit(ast);
  return file;
}

function indexBinary(file: JsFile, binary: TS.BinaryExpression): void {
  if (binary.operatorToken.kind === ts.SyntaxKind.InstanceOfKeyword) {
    file.instanceofs.push(binary);
    return;
  }
  if (binary.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return;
  const target = binary.left;
  if (ts.isIdentifier(target)) {
    push(file.assignments, target.text, binary.right);
  } else if (isModuleExports(target)) {
    file.exports.whole.push(binary.right);
  } else if (ts.isPropertyAccessExpression(target)) {
    const owner = target.expression;
    if ((ts.isIdentifier(owner) && owner.text === "exports") || isModuleExports(owner)) {
      push(file.exports.commonjs, target.name.text, binary.right);
    } else if (owner.kind === ts.SyntaxKind.ThisKeyword) {
      const at = enclosingClassOfThis(binary);
      if (at && !at.isStatic) {
        let members = file.memberAssignments.get(at.cls);
        if (!members) file.memberAssignments.set(at.cls, (members = new Map()));
        push(members, target.name.text, binary.right);
      }
    }
  }
}

function hasModifier(node: TS.Node, kind: TS.SyntaxKind): boolean {
  return ts.canHaveModifiers(node) && (ts.getModifiers(node) ?? []).some((m) => m.kind === kind);
}

function indexTopLevelExports(file: JsFile): void {
  const { esm, reexports, stars, whole } = file.exports;
  for (const statement of file.ast.statements) {
    if (ts.isExportDeclaration(statement)) {
      const specifier =
        statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)
          ? statement.moduleSpecifier.text
          : undefined;
      const clause = statement.exportClause;
      if (!clause) {
        if (specifier) stars.push(specifier);
      } else if (ts.isNamespaceExport(clause)) {
        if (specifier) reexports.set(clause.name.text, { specifier, imported: "*" });
      } else {
        for (const element of clause.elements) {
          const imported = (element.propertyName ?? element.name).text;
          if (specifier) reexports.set(element.name.text, { specifier, imported });
          else push(esm, element.name.text, element.propertyName ?? element.name);
        }
      }
    } else if (ts.isExportAssignment(statement)) {
      if (statement.isExportEquals) whole.push(statement.expression);
      else push(esm, "default", statement.expression);
    } else if (hasModifier(statement, ts.SyntaxKind.ExportKeyword)) {
      const isDefault = hasModifier(statement, ts.SyntaxKind.DefaultKeyword);
      if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          if (ts.isIdentifier(declaration.name)) push(esm, declaration.name.text, declaration);
        }
      } else if (ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) {
        if (isDefault) push(esm, "default", statement);
        if (statement.name) push(esm, statement.name.text, statement);
      }
    }
  }
}

/** Files parsed ahead of their scan (`prepareFile`), by path; the next Project takes those whose text matches. */
const prepared = new Map<string, JsFile>();

/** Parses and indexes a file now, for the next Project to take; a file the parser cannot take is left to it. */
export function prepareFile(source: SourceFile): void {
  try {
    prepared.set(source.path, indexFile(source));
  } catch {
    prepared.delete(source.path);
  }
}

/**
 * The JavaScript and TypeScript files of one scan. Candidates are parsed up front; context files (barrels that
 * re-export) only when an import reaches them.
 */
export class Project {
  private readonly sources = new Map<string, SourceFile>();
  private readonly parsed = new Map<string, JsFile>();
  private readonly byAst = new Map<TS.SourceFile, JsFile>();
  private packageIndex: Map<string, string[]> | undefined;
  /** Files the parser could not take at all (nesting deeper than its recursion allows), with why. */
  readonly unparseable: { source: SourceFile; reason: string }[] = [];

  constructor(candidates: SourceFile[], context: SourceFile[]) {
    for (const file of [...candidates, ...context]) this.sources.set(file.path, file);
    for (const file of candidates) this.file(file.path);
    // only candidates are ever prepared: what is left belongs to no scan
    prepared.clear();
  }

  /** Files parsed so far: every candidate, plus the context files imports have reached. */
  get files(): JsFile[] {
    return [...this.parsed.values()];
  }

  file(relPath: string): JsFile | undefined {
    const existing = this.parsed.get(relPath);
    if (existing) return existing;
    const source = this.sources.get(relPath);
    if (!source) return undefined;
    let file: JsFile;
    const ready = prepared.get(relPath);
    prepared.delete(relPath);
    try {
      file = ready?.source.text === source.text ? { ...ready, source } : indexFile(source);
    } catch (error) {
      this.sources.delete(relPath);
      this.unparseable.push({ source, reason: error instanceof Error ? error.message : String(error) });
      return undefined;
    }
    this.parsed.set(relPath, file);
    this.byAst.set(file.ast, file);
    return file;
  }

  fileOf(node: TS.Node): JsFile | undefined {
    return this.byAst.get(node.getSourceFile());
  }

  /** Resolves a relative specifier, or a workspace package path (`@org/core/aws/batch`) by its suffix. */
  resolveModule(from: JsFile, specifier: string): JsFile | undefined {
    if (specifier.startsWith(".")) {
      const base = path.posix.join(path.posix.dirname(from.source.path), specifier);
      return this.fileByBase(base);
    }
    const parts = specifier.split("/");
    const packageName = specifier.startsWith("@") ? parts.slice(0, 2) : parts.slice(0, 1);
    const rest = parts.slice(packageName.length).join("/");
    if (!rest) return undefined;
    const name = packageName[packageName.length - 1]!;
    for (const candidate of this.pathsEndingWith(rest)) {
      if (`/${candidate}`.includes(`/${name}/`)) {
        const file = this.file(candidate);
        if (file) return file;
      }
    }
    return undefined;
  }

  private fileByBase(base: string): JsFile | undefined {
    const stem = base.replace(/\.(m|c)?js$|\.jsx$/, "");
    const tries = [base, ...EXTENSIONS.map((ext) => stem + ext), ...EXTENSIONS.map((ext) => `${base}/index${ext}`)];
    for (const candidate of tries) {
      if (this.sources.has(candidate)) return this.file(candidate);
    }
    return undefined;
  }

  private pathsEndingWith(rest: string): string[] {
    if (!this.packageIndex) {
      this.packageIndex = new Map();
      for (const relPath of this.sources.keys()) {
        const stem = relPath.replace(/\.[cm]?[jt]sx?$/, "").replace(/\/index$/, "");
        const segments = stem.split("/");
        // Index by the last three segments: enough for `pkg/src/a/b` style deep imports.
        for (let n = 1; n <= Math.min(3, segments.length); n++)
          push(this.packageIndex, segments.slice(-n).join("/"), relPath);
      }
    }
    const key = rest.split("/").slice(-3).join("/");
    return (this.packageIndex.get(key) ?? []).filter((p) =>
      p
        .replace(/\.[cm]?[jt]sx?$/, "")
        .replace(/\/index$/, "")
        .endsWith(rest),
    );
  }
}
