/**
 * The sample QFlow's control over every recorded AWS case in ../shared/aws-cases, through the
 * real totalcloud-control node: the verdicts must be exactly those of expected.json, with ERROR
 * where the answer rests on a security group nobody described.
 */
import { describe, expect, it } from 'vitest'
import type { SecurityGroupEvidence } from '../../core/criteria/evidence.ts'
import type { TrafficSource } from '../../core/criteria/schema.ts'
import control from '../../plugins/totalcloud-control/index.ts'
import type { ControlResult } from '../../plugins/totalcloud-control/results.ts'
import {
  type AwsCase,
  caseItems,
  expectedRuleTexts,
  expectedVerdict,
  loadAwsCases,
  matchedRuleTexts,
  type Rule,
} from '../support/aws-cases.ts'
import { runPlugin } from '../support/node-context.ts'
import { SAMPLE_CONTROL_CONFIG, sampleCriteriaInput } from '../support/sample-criteria.ts'

const cases = loadAwsCases()

const RULES: { rule: Rule; source: TrafficSource; ownPort: boolean }[] = [
  { rule: 'lenient_ipv4_only', source: { kind: 'publicIpv4' }, ownPort: false },
  { rule: 'lenient', source: { kind: 'public' }, ownPort: false },
  { rule: 'strict', source: { kind: 'public' }, ownPort: true },
]

async function run(awsCase: AwsCase, source: TrafficSource, ownPort: boolean) {
  const config = { ...SAMPLE_CONTROL_CONFIG, criteria: sampleCriteriaInput({ source, ownPort }) }
  const { output } = await runPlugin(control, config, caseItems(awsCase))
  return output.results as unknown as ControlResult[]
}

describe('sample QFlow control over ../shared/aws-cases', () => {
  it('finds the cases, with instances to judge', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10)
    expect(cases.reduce((sum, c) => sum + c.instances.length, 0)).toBeGreaterThanOrEqual(28)
  })

  for (const { rule, source, ownPort } of RULES) {
    describe(rule, () => {
      for (const awsCase of cases) {
        it(`${awsCase.name}: every instance gets the expected verdict`, async () => {
          const results = await run(awsCase, source, ownPort)
          expect(results.map((r) => r.resourceId).sort()).toEqual(Object.keys(awsCase.expected).sort())
          for (const result of results) {
            const expected = awsCase.expected[result.resourceId]!
            expect({ id: result.resourceId, verdict: result.result }).toEqual({
              id: result.resourceId,
              verdict: expectedVerdict(expected, rule),
            })
          }
        })
      }

      it('names, as evidence, exactly the world-open rules expected.json names', async () => {
        let checked = 0
        for (const awsCase of cases) {
          for (const result of await run(awsCase, source, ownPort)) {
            const wanted = expectedRuleTexts(awsCase.expected[result.resourceId]!, rule)
            const sg = result.evidence.criteria!.conditions[1] as SecurityGroupEvidence
            expect(sg.read).toBe('IpPermissions')
            expect(matchedRuleTexts(sg.matchedRules).sort()).toEqual([...wanted].sort())
            checked += wanted.length
          }
        }
        expect(checked).toBeGreaterThan(0)
      })
    })
  }

  it('reports the undescribed group and still fails a public instance (true OR unknown)', async () => {
    const awsCase = cases.find((c) => c.name.endsWith('cc-mixed-public-flags-sg-unresolved'))!
    const results = await run(awsCase, { kind: 'publicIpv4' }, false)
    const oneness = results.find((r) => r.resourceId === 'oneness')!
    expect(oneness.result).toBe('FAIL')
    const [param, sg] = oneness.evidence.criteria!.conditions as [unknown, SecurityGroupEvidence]
    expect(param).toMatchObject({ key: 'PubliclyAccessible', observed: true, matched: true })
    expect(sg).toMatchObject({ matched: null, unresolvedGroups: ['sg-0a08e365'], matchedRules: [] })
    const sbbdev = results.find((r) => r.resourceId === 'sbbdev')!
    expect(sbbdev.result).toBe('ERROR')
    expect(sbbdev.evidence.criteria!.matched).toBeNull()
  })

  it('follows the group-to-group reference one level when asked', async () => {
    const awsCase = cases.find((c) => c.name.endsWith('sim-moto-open-rule-variants'))!
    const item = caseItems(awsCase, { referenced: true }).find(
      (i) => i.DBInstanceIdentifier === 'mysql-sg-reference-only'
    )!
    const criteria = sampleCriteriaInput()
    ;(criteria.conditions as Record<string, unknown>[])[1]!.followReferences = true
    const { output } = await runPlugin(control, { ...SAMPLE_CONTROL_CONFIG, criteria }, [item])
    const [result] = output.results as unknown as ControlResult[]
    expect(result!.result).toBe('FAIL')
    const sg = result!.evidence.criteria!.conditions[1] as SecurityGroupEvidence
    expect(sg.matchedRules).toEqual([
      {
        groupId: 'sg-edbf1e2109c72d035',
        groupName: expect.any(String),
        rule: 0,
        protocol: 'tcp',
        fromPort: 3306,
        toPort: 3306,
        sources: ['sg-46464ba37f695432b'],
        via: { groupId: 'sg-46464ba37f695432b', rule: 0, sources: ['0.0.0.0/0'] },
      },
    ])
  })
})
