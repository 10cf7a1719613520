import type { TransformLanguage } from "./transform.js";
import { applyEdits, type TextEdit } from "./edits.js";
import { findAll, parsePython, type SyntaxNode } from "./python/syntax.js";
import { detectJsStyle, parseJs, type JsNode } from "./javascript/syntax.js";

interface RequiredImport {
  module: string;
  name: string;
  /** Put it where this module is imported (inside the same `try`/`if`/function), not at the top. */
  near?: string;
}

/** Import additions and removals asked for by transforms, applied by one pass after all of them ran. */
export class ImportRequests {
  readonly required: RequiredImport[] = [];
  readonly droppable: { module: string; name?: string }[] = [];

  /**
   * The file must import `name` from `module` (Python: `from module import name`); with `near`, next to (or in
   * place of, when it is dropped) the first import of that module, so a guarded import stays guarded.
   */
  require(module: string, name: string, near?: string): void {
    if (!this.required.some((entry) => entry.module === module && entry.name === name))
      this.required.push(near === undefined ? { module, name } : { module, name, near });
  }

  /** Remove the imports of `module` (only its `name`, when given) that nothing uses any more. */
  dropIfUnused(module: string, name?: string): void {
    this.droppable.push(name === undefined ? { module } : { module, name });
  }

  drops(module: string, imported: string): boolean {
    return this.droppable.some(
      (entry) => entry.module === module && (entry.name === undefined || entry.name === imported),
    );
  }

  get isEmpty(): boolean {
    return this.required.length === 0 && this.droppable.length === 0;
  }
}

export function runImportPass(
  language: TransformLanguage,
  code: string,
  requests: ImportRequests,
  path: string,
): string {
  if (requests.isEmpty) return code;
  return language === "python" ? runPythonImportPass(code, requests) : runJsImportPass(code, requests, path);
}

function wholeLines(code: string, node: { startIndex: number; endIndex: number }): TextEdit {
  const start = code.lastIndexOf("\n", node.startIndex - 1) + 1;
  const newline = code.indexOf("\n", node.endIndex);
  return { start, end: newline === -1 ? code.length : newline + 1, text: "" };
}

function runPythonImportPass(code: string, requests: ImportRequests): string {
  const root = parsePython(code).rootNode;
  const topImports = root.namedChildren.filter(
    (node) => node.type === "import_statement" || node.type === "import_from_statement",
  );
  const usedNames = new Map<string, number>();
  for (const identifier of findAll(root, (node) => node.type === "identifier")) {
    if (insideImport(identifier)) continue;
    usedNames.set(identifier.text, (usedNames.get(identifier.text) ?? 0) + 1);
  }
  const edits: TextEdit[] = [];
  const droppable = (statement: SyntaxNode) => {
    const bindings = importBindings(statement);
    return (
      bindings.length > 0 &&
      bindings.every((binding) => requests.drops(binding.module, binding.imported)) &&
      !bindings.some((binding) => usedNames.has(binding.local))
    );
  };
  const placed = new Set<RequiredImport>();
  const anchored = new Set<number>();
  for (const entry of requests.required) {
    if (entry.near === undefined) continue;
    const anchor = findAll(
      root,
      (node) =>
        (node.type === "import_statement" || node.type === "import_from_statement") &&
        importBindings(node).some((binding) => binding.module === entry.near || binding.local === entry.near),
    )[0];
    if (!anchor || anchored.has(anchor.id)) continue;
    const already = findAll(
      root,
      (node) =>
        node.type === "import_from_statement" &&
        importBindings(node).some((b) => b.module === entry.module && b.imported === entry.name),
    );
    placed.add(entry);
    if (already.length > 0) continue;
    anchored.add(anchor.id);
    // Every other name from the same module anchored here joins this one line.
    const names = [entry.name];
    for (const other of requests.required) {
      if (placed.has(other) || other.near !== entry.near || other.module !== entry.module) continue;
      placed.add(other);
      names.push(other.name);
    }
    const line = `from ${entry.module} import ${names.join(", ")}`;
    if (droppable(anchor)) edits.push({ start: anchor.startIndex, end: anchor.endIndex, text: line });
    else {
      const lineStart = code.lastIndexOf("\n", anchor.startIndex - 1) + 1;
      const indent = code.slice(lineStart, anchor.startIndex);
      edits.push({ start: anchor.endIndex, end: anchor.endIndex, text: `\n${indent}${line}` });
    }
  }
  let freedLine: number | undefined;
  for (const statement of topImports) {
    if (anchored.has(statement.id)) continue;
    const bindings = importBindings(statement);
    if (bindings.length === 0 || !bindings.every((binding) => requests.drops(binding.module, binding.imported)))
      continue;
    if (bindings.some((binding) => usedNames.has(binding.local))) continue;
    const edit = wholeLines(code, statement);
    edits.push(edit);
    freedLine ??= edit.start;
  }
  const missing = requests.required.filter(
    (entry) =>
      !placed.has(entry) &&
      !topImports.some((statement) =>
        importBindings(statement).some((b) => b.module === entry.module && b.imported === entry.name),
      ),
  );
  const byModule = new Map<string, string[]>();
  for (const entry of missing) byModule.set(entry.module, [...(byModule.get(entry.module) ?? []), entry.name]);
  if (byModule.size > 0) {
    const lines = [...byModule].map(([module, names]) => `from ${module} import ${names.sort().join(", ")}\n`).join("");
    const kept = topImports.filter(
      (statement) => !edits.some((edit) => edit.start <= statement.startIndex && statement.endIndex <= edit.end),
    );
    const at = freedLine ?? (kept.length > 0 ? wholeLines(code, kept.at(-1)!).end : afterModuleDocstring(root, code));
    const joined = edits.find((edit) => edit.start === at);
    if (joined) joined.text = lines;
    else
      edits.push({
        start: at,
        end: at,
        text: at === code.length && !code.endsWith("\n") && code.length > 0 ? `\n${lines}` : lines,
      });
  }
  return applyEdits(code, edits);
}

function insideImport(node: SyntaxNode): boolean {
  for (let current: SyntaxNode | null = node.parent; current; current = current.parent) {
    if (current.type === "import_statement" || current.type === "import_from_statement") return true;
  }
  return false;
}

interface ImportBinding {
  module: string;
  /** The imported name (`from m import x`), or the module itself for `import m`. */
  imported: string;
  local: string;
}

function importBindings(statement: SyntaxNode): ImportBinding[] {
  if (statement.type === "import_statement") {
    return statement.namedChildren.flatMap((child): ImportBinding[] => {
      if (child.type === "dotted_name")
        return [{ module: child.text, imported: child.text, local: child.text.split(".")[0]! }];
      if (child.type === "aliased_import") {
        const name = child.childForFieldName("name")!.text;
        return [{ module: name, imported: name, local: child.childForFieldName("alias")!.text }];
      }
      return [];
    });
  }
  const module = statement.childForFieldName("module_name")?.text ?? "";
  return statement.namedChildren.flatMap((child): ImportBinding[] => {
    if (child === statement.childForFieldName("module_name")) return [];
    if (child.type === "dotted_name") return [{ module, imported: child.text, local: child.text }];
    if (child.type === "aliased_import") {
      return [
        { module, imported: child.childForFieldName("name")!.text, local: child.childForFieldName("alias")!.text },
      ];
    }
    return [];
  });
}

function afterModuleDocstring(root: SyntaxNode, code: string): number {
  let index = 0;
  for (const child of root.namedChildren) {
    const isDocstring = child.type === "expression_statement" && child.namedChildren[0]?.type === "string";
    const isFuture = child.type === "future_import_statement";
    if (!(isDocstring && index === 0) && !isFuture) break;
    index = wholeLines(code, child).end;
  }
  return index;
}

function runJsImportPass(code: string, requests: ImportRequests, path: string): string {
  const j = parseJs(code, path);
  const style = detectJsStyle(code, j.root);
  const edits: TextEdit[] = [];
  const declarations = j.root.find(j.api.ImportDeclaration).nodes() as JsNode[];
  const referenced = new Map<string, number>();
  j.root.find(j.api.Identifier).forEach((p) => {
    const parent = p.parent?.node as JsNode | undefined;
    if (parent && /^Import(Default|Namespace)?Specifier$/.test(parent.type)) return;
    const name = (p.node as { name: string }).name;
    referenced.set(name, (referenced.get(name) ?? 0) + 1);
  });
  let freed: number | undefined;
  for (const declaration of declarations) {
    const source = String(declaration.source.value);
    const specifiers = (declaration.specifiers ?? []) as JsNode[];
    if (specifiers.length === 0 || !requests.droppable.some((entry) => entry.module === source)) continue;
    const unused = specifiers.filter(
      (specifier) =>
        !referenced.has(specifier.local.name) &&
        requests.drops(source, specifier.imported?.name ?? specifier.local.name),
    );
    if (unused.length === specifiers.length) {
      const edit = wholeLines(code, { startIndex: declaration.start, endIndex: declaration.end });
      edits.push(edit);
      freed ??= edit.start;
    } else {
      for (const specifier of unused) edits.push(removeListItem(code, specifier));
    }
  }
  const requireCalls: JsNode[] = [];
  j.root.find(j.api.VariableDeclaration).forEach((p) => {
    const declaration = p.node as JsNode;
    if (p.parent?.node.type !== "Program" || declaration.declarations.length !== 1) return;
    const init = declaration.declarations[0].init;
    if (
      init?.type !== "CallExpression" ||
      init.callee.name !== "require" ||
      typeof init.arguments[0]?.value !== "string"
    )
      return;
    requireCalls.push(declaration);
    const id = declaration.declarations[0].id;
    const source = init.arguments[0].value as string;
    if (id.type === "Identifier" && requests.drops(source, id.name) && (referenced.get(id.name) ?? 0) <= 1) {
      const edit = wholeLines(code, { startIndex: declaration.start, endIndex: declaration.end });
      edits.push(edit);
      freed ??= edit.start;
    }
  });
  const commonJs = declarations.length === 0 && requireCalls.length > 0;
  const byModule = new Map<string, string[]>();
  for (const entry of requests.required) {
    const existing = declarations.find((d) => String(d.source.value) === entry.module && d.importKind !== "type");
    const has = existing?.specifiers?.some(
      (s: JsNode) => s.type === "ImportSpecifier" && s.imported.name === entry.name,
    );
    if (has) continue;
    const namedSpecifiers = ((existing?.specifiers ?? []) as JsNode[]).filter((s) => s.type === "ImportSpecifier");
    if (existing && namedSpecifiers.length > 0) {
      edits.push({ start: namedSpecifiers.at(-1)!.end, end: namedSpecifiers.at(-1)!.end, text: `, ${entry.name}` });
      continue;
    }
    byModule.set(entry.module, [...(byModule.get(entry.module) ?? []), entry.name]);
  }
  if (byModule.size > 0) {
    const q = style.quote;
    const end = style.semicolon ? ";" : "";
    const lines = [...byModule]
      .map(([module, names]) =>
        commonJs
          ? `const { ${names.sort().join(", ")} } = require(${q}${module}${q})${end}\n`
          : `import { ${names.sort().join(", ")} } from ${q}${module}${q}${end}\n`,
      )
      .join("");
    const anchors = commonJs ? requireCalls : declarations;
    const kept = anchors.filter(
      (d) => !edits.some((edit) => edit.start <= d.start && d.end <= edit.end && edit.text === ""),
    );
    const at =
      freed ??
      (kept.length > 0 ? wholeLines(code, { startIndex: kept.at(-1)!.start, endIndex: kept.at(-1)!.end }).end : 0);
    const joined = edits.find((edit) => edit.start === at && edit.text === "");
    if (joined) joined.text = lines;
    else edits.push({ start: at, end: at, text: lines });
  }
  return applyEdits(code, edits);
}

/** Removes one item of a comma-separated list together with the comma that joins it to the next or previous item. */
export function removeListItem(code: string, node: { start: number; end: number }): TextEdit {
  const after = /^\s*,[ \t]*/.exec(code.slice(node.end));
  if (after) return { start: node.start, end: node.end + after[0].length, text: "" };
  const before = /,\s*$/.exec(code.slice(0, node.start));
  return { start: before ? node.start - before[0].length : node.start, end: node.end, text: "" };
}
