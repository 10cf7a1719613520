import type { ClassInfo, FunctionInfo, ModuleIndex } from "./module-index.js";
import { enclosingFunction } from "./module-index.js";
import type { SyntaxNode } from "./parser.js";

/** All indexed modules of one scan, with the look-ups that resolve names across files. */
export class Project {
  readonly modules: ModuleIndex[] = [];
  private readonly byModuleName = new Map<string, ModuleIndex>();
  private readonly functionsByName = new Map<string, FunctionInfo[]>();
  private readonly classesByName = new Map<string, ClassInfo[]>();
  private readonly moduleLookups = new Map<string, ModuleIndex | undefined>();
  private readonly calleeLookups = new Map<number, FunctionInfo | ClassInfo | undefined>();

  /** How many times each name is defined (`def name`) in every Python file read, parsed or not. */
  constructor(private readonly definitionCounts: Map<string, number>) {}

  add(module: ModuleIndex): void {
    this.modules.push(module);
    this.byModuleName.set(module.moduleName, module);
    this.moduleLookups.clear();
    this.calleeLookups.clear();
    for (const fn of module.functions) push(this.functionsByName, fn.name, fn);
    for (const cls of module.classByNode.values()) push(this.classesByName, cls.name, cls);
  }

  findModule(name: string): ModuleIndex | undefined {
    if (this.moduleLookups.has(name)) return this.moduleLookups.get(name);
    const found = this.searchModule(name);
    this.moduleLookups.set(name, found);
    return found;
  }

  private searchModule(name: string): ModuleIndex | undefined {
    const exact = this.byModuleName.get(name);
    if (exact) return exact;
    // Our module names are guesses from paths; accept a match on the dotted suffix either way.
    for (const [key, module] of this.byModuleName) {
      if (key.endsWith(`.${name}`) || name.endsWith(`.${key}`)) return module;
    }
    return undefined;
  }

  /** The one definition of a name in the whole project, or undefined when there are none or several. */
  uniqueFunction(name: string): FunctionInfo | undefined {
    const defs = this.functionsByName.get(name);
    if (defs?.length !== 1) return undefined;
    return (this.definitionCounts.get(name) ?? 1) <= 1 ? defs[0] : undefined;
  }

  uniqueClass(name: string): ClassInfo | undefined {
    const defs = this.classesByName.get(name);
    return defs?.length === 1 ? defs[0] : undefined;
  }

  /** Resolves a bare name as seen from a module (imports, then module definitions, then a unique definition). */
  resolveName(module: ModuleIndex, name: string, scope?: FunctionInfo): FunctionInfo | ClassInfo | undefined {
    for (let fn = scope; fn; fn = fn.parent) {
      const nested = module.functions.find((f) => f.parent === fn && f.name === name);
      if (nested) return nested;
    }
    const local = module.topFunctions.get(name) ?? module.classes.get(name);
    if (local) return local;
    const binding = module.imports.get(name);
    if (binding?.name) {
      const target = this.findModule(binding.module);
      const found = target?.topFunctions.get(binding.name) ?? target?.classes.get(binding.name);
      if (found) return found;
      if (target) return undefined;
      return this.uniqueFunction(binding.name) ?? this.uniqueClass(binding.name);
    }
    if (binding) return undefined;
    const unique = this.uniqueFunction(name);
    if (unique && !unique.owner && !unique.parent) return unique;
    return this.uniqueClass(name);
  }

  /** The method or function a call's callee names, when it can be told. */
  resolveCallee(module: ModuleIndex, call: SyntaxNode): FunctionInfo | ClassInfo | undefined {
    const id = call.id;
    if (this.calleeLookups.has(id)) return this.calleeLookups.get(id);
    const found = this.searchCallee(module, call);
    this.calleeLookups.set(id, found);
    return found;
  }

  private searchCallee(module: ModuleIndex, call: SyntaxNode): FunctionInfo | ClassInfo | undefined {
    const callee = call.childForFieldName("function");
    if (!callee) return undefined;
    const scope = enclosingFunction(module, call);
    if (callee.type === "identifier") return this.resolveName(module, callee.text, scope);
    if (callee.type !== "attribute") return undefined;
    const object = callee.childForFieldName("object");
    const method = callee.childForFieldName("attribute")?.text;
    if (!object || !method) return undefined;
    if (object.type === "identifier" && (object.text === "self" || object.text === "cls")) {
      const owner = methodOwner(scope);
      return owner ? this.findMethod(owner, method) : undefined;
    }
    if (object.type === "identifier") {
      const binding = module.imports.get(object.text);
      if (binding) {
        const target = this.findModule(binding.name ? `${binding.module}.${binding.name}` : binding.module);
        if (target) return target.topFunctions.get(method) ?? target.classes.get(method);
      }
    }
    return this.uniqueFunction(method);
  }

  findMethod(cls: ClassInfo, name: string, depth = 0): FunctionInfo | undefined {
    const own = cls.methods.get(name);
    if (own || depth > 4) return own;
    for (const base of cls.bases) {
      const baseClass = cls.module.classes.get(base) ?? this.uniqueClass(base);
      const found = baseClass && baseClass !== cls ? this.findMethod(baseClass, name, depth + 1) : undefined;
      if (found) return found;
    }
    return undefined;
  }

  /** A class and the classes it derives from that the project defines. */
  lineage(cls: ClassInfo): ClassInfo[] {
    const seen: ClassInfo[] = [cls];
    for (let i = 0; i < seen.length && i < 6; i++) {
      for (const base of seen[i]!.bases) {
        const baseClass = seen[i]!.module.classes.get(base) ?? this.uniqueClass(base);
        if (baseClass && !seen.includes(baseClass)) seen.push(baseClass);
      }
    }
    return seen;
  }
}

/** The class whose method a scope is (looking through nested functions). */
export function methodOwner(scope: FunctionInfo | undefined): ClassInfo | undefined {
  for (let fn = scope; fn; fn = fn.parent) if (fn.owner) return fn.owner;
  return undefined;
}

/** How many leading parameters a call does not pass (self/cls of a bound method or constructor). */
export function implicitParams(fn: FunctionInfo): number {
  if (!fn.owner) return 0;
  const decorated = fn.node.parent?.type === "decorated_definition" ? fn.node.parent.text : "";
  if (/@staticmethod/.test(decorated.slice(0, decorated.indexOf("def ")))) return 0;
  return fn.params[0] && (fn.params[0].name === "self" || fn.params[0].name === "cls") ? 1 : 0;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
