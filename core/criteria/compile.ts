/**
 * Criteria compiled once per node run into closures, so evaluating a resource walks no config:
 * paths are parsed, regexes built, CIDRs read and operators chosen up front.
 * `test` answers as fast as it can (groups stop at the first deciding condition); `explain`
 * evaluates every condition so the evidence shows each observed value.
 */
import type { ConditionEvidence, GroupEvidence } from './evidence.ts'
import { compileParamCondition } from './param.ts'
import type { RegexBudget } from './regex.ts'
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
  /** Regex steps one resource may take, over all its `matches` conditions (tests lower it). */
  regexStepsPerResource?: number
}

/**
 * Regex steps one resource may take across all its `matches` conditions: about 30 ms of work.
 * Each pattern runs in linear time, but linear is value length x pattern size; without a total,
 * twenty large patterns over a 64 KB value held the process for half a minute. Enough for any
 * pattern of ordinary size over a 64 KB value, and for hundreds of them over ordinary values.
 */
export const REGEX_STEPS_PER_RESOURCE = 1_000_000

interface Options extends CompileOptions {
  /** What is left of the resource's regex steps; refilled before each resource. */
  budget: RegexBudget
}

/** Compile parsed criteria (the output of `criteriaSchema`). */
export function compileCriteria(criteria: Criteria, options: CompileOptions): CompiledCriteria {
  const steps = options.regexStepsPerResource ?? REGEX_STEPS_PER_RESOURCE
  const budget: RegexBudget = { steps }
  const root = compileGroup(criteria, { ...options, budget })
  return {
    test(item) {
      budget.steps = steps
      return root.test(item)
    },
    explain(item) {
      budget.steps = steps
      return root.explain(item)
    },
  }
}

function compileNode(node: CriteriaNode, options: Options): CompiledNode {
  switch (node.type) {
    case 'group':
      return compileGroup(node, options)
    case 'param':
      return compileParamCondition(node, options)
    case 'securityGroup':
      return compileSecurityGroupCondition(node)
  }
}

function compileGroup(group: Criteria, options: Options): CompiledCriteria {
  const { budget } = options
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
      // Conditions after the deciding one are read for the evidence only, and `test` skips them:
      // the regex steps they take are given back, so both spend the same and agree everywhere.
      let stepsAtDecision: number | undefined
      for (let i = 0; i < children.length; i++) {
        const { truth, evidence } = children[i]!.explain(item)
        conditions[i] = evidence
        if (truth === decisive) {
          result = decisive
          stepsAtDecision ??= budget.steps
        } else if (truth === UNKNOWN && result !== decisive) result = UNKNOWN
      }
      if (stepsAtDecision !== undefined) budget.steps = stepsAtDecision
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
