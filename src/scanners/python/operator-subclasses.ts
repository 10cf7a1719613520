// Airflow operators that submit Batch jobs, and the project's own classes that extend them: a subclass such as
// astronomer-providers' deferrable `BatchOperatorAsync(BatchOperator)` submits the same job, so constructing it is
// the same orchestration entry point as constructing the base.
// https://airflow.apache.org/docs/apache-airflow-providers-amazon/stable/operators/batch.html
import type { ClassInfo, ModuleIndex } from "./module-index.js";
import type { Project } from "./project.js";

// Airflow 2 `providers.amazon.aws.operators.batch`; Airflow 1.10 `contrib.operators.awsbatch_operator`, whose class
// is spelled `AWSBatchOperator`.
const OPERATOR_MODULES = /^airflow\.(.*batch|contrib\.operators\.awsbatch_operator)$/;
const OPERATOR_NAMES = /^(Aws|AWS)?BatchOperator$/;

/** Whether `moduleName.className` is one of Airflow's Batch operators. */
export function isAirflowBatchOperator(moduleName: string, className: string): boolean {
  return OPERATOR_MODULES.test(moduleName) && OPERATOR_NAMES.test(className);
}

/** The Airflow operator a base name of a class body stands for, through the module's imports. */
function importedOperator(module: ModuleIndex, base: string): string | undefined {
  const binding = module.imports.get(base);
  return binding?.name && isAirflowBatchOperator(binding.module, binding.name) ? binding.name : undefined;
}

/**
 * Every project class that extends an Airflow Batch operator, directly or through other project classes, with the
 * operator it extends. One pass over the classes that have bases; each one's lineage is bounded by `Project.lineage`.
 */
export function operatorSubclasses(project: Project): Map<ClassInfo, string> {
  const found = new Map<ClassInfo, string>();
  for (const module of project.modules) {
    for (const cls of module.classByNode.values()) {
      if (cls.bases.length === 0) continue;
      for (const ancestor of project.lineage(cls)) {
        const operator = ancestor.bases.map((base) => importedOperator(ancestor.module, base)).find(Boolean);
        if (operator) {
          found.set(cls, operator);
          break;
        }
      }
    }
  }
  return found;
}
