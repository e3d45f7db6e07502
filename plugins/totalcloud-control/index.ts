import type { GroupEvidence } from '../../core/criteria/evidence.ts'
import { errorMessage } from '../../core/errors.ts'
import { defineNodeType } from '../../core/plugin/define.ts'
import type { Item } from '../../core/plugin/types.ts'
import { CRITERIA_WIDGETS, compileForRun, forEachItem, inputItems } from '../shared/criteria-node.ts'
import { decidingInboundRules } from '../shared/matched-rules.ts'
import { controlConfig } from './config.ts'
import { type ControlResult, resultBuilder, verdictOf } from './results.ts'

/**
 * Judges each input resource against the criteria and says why: PASS, FAIL, or ERROR when the
 * data cannot decide (an undescribed security group, say). Its `results` are what a CSPM
 * connector reads back as a user-defined control; `failed` and `passed` carry the resources on,
 * unchanged, to actions, except that a failed resource also names the inbound security-group
 * rules that failed it in `_qflow.matchedRules` (what a revoke should take away). ERROR resources
 * go to `results` only: no action should run on a guess.
 */
export default defineNodeType({
  manifest: {
    type: 'totalcloud-control',
    version: 1,
    title: 'TotalCloud Control',
    description: 'Evaluates resources against criteria; PASS / FAIL per resource, with evidence.',
    category: 'general',
    icon: 'shield-check',
    color: '#0f766e',
    inputs: [{ name: 'in', label: 'Data to evaluate' }],
    outputs: [
      {
        name: 'failed',
        label: 'Failed',
        description:
          'Resources that fail the control, unchanged but for _qflow.matchedRules: the inbound rules that failed them',
      },
      { name: 'passed', label: 'Passed', description: 'Resources that pass the control, unchanged' },
      {
        name: 'results',
        label: 'Results',
        description:
          'One result per resource: {resourceId, displayName, result, accountId, region, evidence}',
      },
    ],
    widgets: {
      ...CRITERIA_WIDGETS,
      evidenceKeys: 'evidence-keys',
      resourceIdKey: 'key-path',
      displayNameKey: 'key-path',
    },
  },
  config: controlConfig,
  async execute(ctx, input) {
    const criteria = compileForRun(ctx)
    const results = resultBuilder(ctx.config)
    const failed: Item[] = []
    const passed: Item[] = []
    const out: ControlResult[] = []
    let unnamed = 0
    let errors = 0
    await forEachItem(ctx, inputItems(input), (item, index) => {
      let resourceId = results.idOf(item)
      if (resourceId === undefined) {
        unnamed++
        resourceId = `#${index}`
      }
      try {
        const { truth, evidence } = criteria.explain(item)
        const verdict = verdictOf(truth, ctx.config.onMatch)
        if (verdict === 'FAIL') failed.push(withMatchedRules(item, evidence, ctx.config.onMatch === 'FAIL'))
        else if (verdict === 'PASS') passed.push(item)
        else errors++
        out.push(results.build(item, resourceId, verdict, { criteria: evidence }))
      } catch (err) {
        // Data no AWS response has (a cyclic object, a getter that throws) must not sink the whole run.
        errors++
        out.push(results.build(item, resourceId, 'ERROR', { error: errorMessage(err) }))
      }
    })
    if (unnamed > 0)
      ctx.log(
        'warn',
        `${unnamed} resource(s) have no value at "${ctx.config.resourceIdKey}"; named by position`
      )
    if (errors > 0) ctx.log('info', `${errors} resource(s) could not be judged (ERROR); see their evidence`)
    return { failed, passed, results: out as unknown as Item[] }
  },
})

/** The item with the inbound rules that failed it under `_qflow.matchedRules`; as it came when there are none. */
function withMatchedRules(item: Item, evidence: GroupEvidence, wanted: boolean): Item {
  const matchedRules = decidingInboundRules(evidence, wanted)
  if (matchedRules.length === 0) return item
  const meta = item._qflow
  const qflow = meta !== null && typeof meta === 'object' && !Array.isArray(meta) ? meta : {}
  return { ...item, _qflow: { ...qflow, matchedRules } }
}
