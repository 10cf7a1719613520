import type * as TS from "typescript";
import { ts } from "./typescript.js";

/** A node that introduces a name: what an identifier can resolve to. */
export type Declaration =
  | TS.VariableDeclaration
  | TS.BindingElement
  | TS.ParameterDeclaration
  | TS.FunctionDeclaration
  | TS.FunctionExpression
  | TS.ClassDeclaration
  | TS.ClassExpression
  | TS.ImportClause
  | TS.ImportSpecifier
  | TS.NamespaceImport
  | TS.ImportEqualsDeclaration;

function isScope(node: TS.Node): boolean {
  return (
    ts.isSourceFile(node) ||
    ts.isBlock(node) ||
    ts.isModuleBlock(node) ||
    ts.isCaseBlock(node) ||
    ts.isFunctionLike(node) ||
    ts.isForStatement(node) ||
    ts.isForInStatement(node) ||
    ts.isForOfStatement(node) ||
    ts.isCatchClause(node) ||
    ts.isClassExpression(node)
  );
}

/** Lexical scopes of parsed files, built on demand: enough to follow names without a type checker. */
export class Scopes {
  private readonly tables = new Map<TS.Node, Map<string, Declaration>>();

  resolve(id: TS.Identifier): Declaration | undefined {
    for (let node: TS.Node | undefined = id.parent; node; node = node.parent) {
      if (!isScope(node)) continue;
      const found = this.table(node).get(id.text);
      if (found) return found;
    }
    return undefined;
  }

  private table(scope: TS.Node): Map<string, Declaration> {
    let table = this.tables.get(scope);
    if (!table) {
      table = new Map();
      fillScope(scope, table);
      this.tables.set(scope, table);
    }
    return table;
  }
}

function addBinding(name: TS.BindingName, declaration: Declaration, table: Map<string, Declaration>): void {
  if (ts.isIdentifier(name)) {
    table.set(name.text, declaration);
    return;
  }
  for (const element of name.elements) {
    if (ts.isOmittedExpression(element)) continue;
    if (ts.isIdentifier(element.name)) table.set(element.name.text, element);
    else addBinding(element.name, element, table);
  }
}

function addStatement(statement: TS.Statement, table: Map<string, Declaration>): void {
  if (ts.isVariableStatement(statement)) {
    for (const declaration of statement.declarationList.declarations) addBinding(declaration.name, declaration, table);
  } else if ((ts.isFunctionDeclaration(statement) || ts.isClassDeclaration(statement)) && statement.name) {
    table.set(statement.name.text, statement);
  } else if (ts.isImportDeclaration(statement) && statement.importClause) {
    const clause = statement.importClause;
    if (clause.name) table.set(clause.name.text, clause);
    const bindings = clause.namedBindings;
    if (bindings && ts.isNamespaceImport(bindings)) table.set(bindings.name.text, bindings);
    else if (bindings) for (const specifier of bindings.elements) table.set(specifier.name.text, specifier);
  } else if (ts.isImportEqualsDeclaration(statement)) {
    table.set(statement.name.text, statement);
  }
}

function fillScope(scope: TS.Node, table: Map<string, Declaration>): void {
  if (ts.isSourceFile(scope) || ts.isBlock(scope) || ts.isModuleBlock(scope)) {
    for (const statement of scope.statements) addStatement(statement, table);
  } else if (ts.isCaseBlock(scope)) {
    for (const clause of scope.clauses) for (const statement of clause.statements) addStatement(statement, table);
  } else if (ts.isFunctionLike(scope)) {
    for (const parameter of scope.parameters) addBinding(parameter.name, parameter, table);
    if (ts.isFunctionExpression(scope) && scope.name) table.set(scope.name.text, scope);
  } else if (ts.isForStatement(scope) || ts.isForInStatement(scope) || ts.isForOfStatement(scope)) {
    const initializer = scope.initializer;
    if (initializer && ts.isVariableDeclarationList(initializer)) {
      for (const declaration of initializer.declarations) addBinding(declaration.name, declaration, table);
    }
  } else if (ts.isCatchClause(scope) && scope.variableDeclaration) {
    addBinding(scope.variableDeclaration.name, scope.variableDeclaration, table);
  } else if (ts.isClassExpression(scope) && scope.name) {
    table.set(scope.name.text, scope);
  }
}
