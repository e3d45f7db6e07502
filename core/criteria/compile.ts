/**
 * Criteria compiled once per node run into closures, so evaluating a resource walks no config:
 * paths are parsed, regexes built, CIDRs read and operators chosen up front.
 * `test` answers as fast as it can (groups stop at the first deciding condition); `explain`
 * evaluates every condition so the evidence shows each observed value.
 */
import type { ConditionEvidence, GroupEvidence } from './evidence.ts'
import { compileParamCondition } from './param.ts'
import type { Criteria, CriteriaNode } from './schema.ts'
import { compileSecurityGroupCondition } from './security-groups.ts'
import { FALSE, not, TRUE, type Truth, truthJson, UNKNOWN } from './truth.ts'

type Json = Record<string, unknown>

export interface CompiledCriteria {
  test(item: Json): Truth
  explain(item: Json): { truth: Truth; evidence: GroupEvidence }
}

interface CompiledNode {
  test(item: Json): Truth
  explain(item: Json): { truth: Truth; evidence: ConditionEvidence }
}

export interface CompileOptions {
  /** The instant "older than N days" counts from (epoch ms); the node run's start. */
  now: number
}

/** Compile parsed criteria (the output of `criteriaSchema`). */
export function compileCriteria(criteria: Criteria, options: CompileOptions): CompiledCriteria {
  return compileGroup(criteria, options)
}

function compileNode(node: CriteriaNode, options: CompileOptions): CompiledNode {
  switch (node.type) {
    case 'group':
      return compileGroup(node, options)
    case 'param':
      return compileParamCondition(node, options)
    case 'securityGroup':
      return compileSecurityGroupCondition(node)
  }
}

function compileGroup(group: Criteria, options: CompileOptions): CompiledCriteria {
  const children = group.conditions.map((child) => compileNode(child, options))
  // AND stops at the first false, OR at the first true; unknown never stops either.
  const decisive: Truth = group.op === 'AND' ? FALSE : TRUE
  const neutral: Truth = group.op === 'AND' ? TRUE : FALSE
  const finish = (truth: Truth) => (group.not ? not(truth) : truth)
  return {
    test(item) {
      let result: Truth = neutral
      for (let i = 0; i < children.length; i++) {
        const truth = children[i]!.test(item)
        if (truth === decisive) return finish(decisive)
        if (truth === UNKNOWN) result = UNKNOWN
      }
      return finish(result)
    },
    explain(item) {
      let result: Truth = neutral
      // Exactly as long as needed: it is kept in every stored result.
      const conditions: ConditionEvidence[] = new Array(children.length)
      for (let i = 0; i < children.length; i++) {
        const { truth, evidence } = children[i]!.explain(item)
        conditions[i] = evidence
        if (truth === decisive) result = decisive
        else if (truth === UNKNOWN && result !== decisive) result = UNKNOWN
      }
      const truth = finish(result)
      const evidence: GroupEvidence = {
        type: 'group',
        op: group.op,
        not: group.not,
        matched: truthJson(truth),
        conditions,
      }
      if (group.label !== undefined) evidence.label = group.label
      return { truth, evidence }
    },
  }
}
