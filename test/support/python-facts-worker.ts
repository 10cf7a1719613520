// A thread that has never parsed Python: it rebuilds a module index from facts another thread posted and answers
// with what the index says of the module's calls, which needs the node type and field names the facts carry.
import { parentPort } from "node:worker_threads";
import { moduleOfFacts, type ModuleFacts } from "../../src/scanners/python/module-facts.js";

parentPort!.once("message", (facts: ModuleFacts) => {
  const module = moduleOfFacts(facts);
  const calls = [...module.calls].map((call) => ({
    type: call.type,
    callee: call.childForFieldName("function")?.text,
    keywords: (call.childForFieldName("arguments")?.namedChildren ?? [])
      .filter((arg) => arg.type === "keyword_argument")
      .map((arg) => arg.childForFieldName("name")?.text),
    line: call.startPosition.row + 1,
  }));
  parentPort!.postMessage({ calls, functions: module.functions.map((fn) => fn.key) });
});
