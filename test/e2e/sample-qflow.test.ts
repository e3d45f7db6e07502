/**
 * The sample QFlow end to end, through the real nodes and the REST API: every case folder of
 * ../shared/aws-cases (read at run time) becomes a snapshot account, the shipped example flow is
 * imported and run on it, and what the control stored, and what its step put out, must be the
 * verdicts of the case's expected.json under each of its three rules.
 */
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { SecurityGroupEvidence } from '../../core/criteria/evidence.ts'
import type { ControlResult } from '../../plugins/totalcloud-control/results.ts'
import {
  type AwsCase,
  caseOrigin,
  expectedRuleTexts,
  expectedVerdict,
  loadAwsCases,
  matchedRuleTexts,
  type Rule,
} from '../support/aws-cases.ts'
import { sampleCriteriaInput } from '../support/sample-criteria.ts'
import { startTestServer, type TestServer } from '../support/server.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const SAMPLE = JSON.parse(readFileSync(join(ROOT, 'examples/public-rds.qflow.json'), 'utf8'))
const CONTROL = 'public-rds-control'
const cases = loadAwsCases()

/** The sample as shipped is `lenient_ipv4_only`; the other two rules are edits of its control. */
const RULES: { rule: Rule; criteria?: Record<string, unknown> }[] = [
  { rule: 'lenient_ipv4_only' },
  { rule: 'lenient', criteria: sampleCriteriaInput({ source: { kind: 'public' } }) },
  { rule: 'strict', criteria: sampleCriteriaInput({ source: { kind: 'public' }, ownPort: true }) },
]

let server: TestServer
beforeAll(async () => {
  server = await startTestServer()
})
afterAll(async () => {
  await server?.close()
})

async function ok(response: Response | Promise<Response>, status = 200): Promise<any> {
  const res = await response
  const body = await res.json()
  expect({ status: res.status, body }).toMatchObject({ status })
  return body
}

/** A snapshot account made from the case folder through the API, named as the case was recorded. */
async function caseAccount(awsCase: AwsCase, index: number) {
  const origin = caseOrigin(awsCase)
  const body = {
    id: `case-${index}`,
    name: awsCase.name,
    kind: 'snapshot',
    ...(origin.awsAccountId ? { accountId: origin.awsAccountId } : {}),
    regions: [origin.region],
    // Relative to the qflow install, as a user would type it in a checkout beside ../shared.
    path: `../shared/aws-cases/${awsCase.name}`,
  }
  const account = await ok(server.call('POST', '/api/accounts', body), 201)
  expect(account).toMatchObject({ id: body.id, kind: 'snapshot', regions: [origin.region] })
  return { id: body.id, ...origin }
}

/** Replace the control's criteria in the stored flow (If-Match on the version read). */
async function setCriteria(flowId: string, criteria: Record<string, unknown>) {
  const current = await ok(server.call('GET', `/api/flows/${flowId}`))
  const flow = structuredClone(current.flow)
  flow.nodes.find((n: any) => n.id === CONTROL).config.criteria = criteria
  const saved = await ok(
    server.call('PUT', `/api/flows/${flowId}`, flow, { 'if-match': `"${current.version}"` })
  )
  expect(saved.problems).toEqual([])
}

async function runAndRead(flowId: string, account: { id: string; region: string }) {
  const started = await ok(
    server.call('POST', `/api/flows/${flowId}/runs`, { accounts: [account.id], regions: [account.region] }),
    202
  )
  const run = await server.waitForRun(started.id)
  expect({ status: run.status, error: run.error ?? null }).toEqual({ status: 'succeeded', error: null })
  const output = await ok(server.call('GET', `/api/runs/${run.id}/steps/${CONTROL}/output`))
  const stored = await ok(server.call('GET', `/api/flows/${flowId}/controls/${CONTROL}/results?limit=500`))
  return { run, stepResults: output.results as ControlResult[], stored: stored.items as any[] }
}

const byId = <T extends { resourceId: string }>(items: T[]) =>
  [...items].sort((a, b) => a.resourceId.localeCompare(b.resourceId))

describe('the sample QFlow over every ../shared/aws-cases folder, through the REST API', () => {
  it('finds the cases', () => expect(cases.length).toBeGreaterThanOrEqual(10))

  cases.forEach((awsCase, index) => {
    it(`${awsCase.name}: stored and emitted results give expected.json's verdicts under each rule`, async () => {
      const account = await caseAccount(awsCase, index)
      const imported = await ok(server.call('POST', '/api/flows/import?newId=true', SAMPLE), 201)
      expect(imported.problems).toEqual([])
      const flowId: string = imported.flow.id
      const ids = Object.keys(awsCase.expected).sort()
      const instances = new Map(awsCase.instances.map((i) => [i.DBInstanceIdentifier as string, i]))
      const runIds: string[] = []

      for (const { rule, criteria } of RULES) {
        if (criteria) await setCriteria(flowId, criteria)
        const { run, stepResults, stored } = await runAndRead(flowId, account)
        runIds.push(run.id)
        const label = `${awsCase.name} ${rule}`

        // The step's results port and the stored latest results say the same, resource for resource.
        expect(stepResults.map((r) => r.resourceId).sort(), label).toEqual(ids)
        expect(
          byId(stored).map(({ runId, recordedAt, ...rest }) => {
            expect(runId).toBe(run.id)
            expect(Number.isNaN(Date.parse(recordedAt))).toBe(false)
            return rest
          }),
          label
        ).toEqual(byId(stepResults))

        for (const result of stepResults) {
          const expected = awsCase.expected[result.resourceId]!
          const instance = instances.get(result.resourceId)!
          expect({ id: result.resourceId, verdict: result.result }, label).toEqual({
            id: result.resourceId,
            verdict: expectedVerdict(expected, rule),
          })
          expect(result.region).toBe(account.region)
          expect(result.accountId).toBe(account.awsAccountId ?? account.id)
          expect(result.displayName).toBe(instance.DBName ?? result.resourceId)
          expect(result.evidence.keys).toMatchObject({
            DBInstanceIdentifier: result.resourceId,
            DBName: instance.DBName ?? null,
          })
          const sg = result.evidence.criteria!.conditions[1] as SecurityGroupEvidence
          expect(sg.read).toBe('IpPermissions')
          expect(matchedRuleTexts(sg.matchedRules).sort(), `${label} ${result.resourceId}`).toEqual(
            expectedRuleTexts(expected, rule).sort()
          )
          expect(sg.unresolvedGroups).toEqual(expected.detail.unresolved_sgs)
        }
      }

      // Each resource's history holds the three runs, newest first.
      for (const id of ids) {
        const history = await ok(
          server.call(
            'GET',
            `/api/flows/${flowId}/controls/${CONTROL}/results/${encodeURIComponent(id)}/history`
          )
        )
        expect(history.items.map((h: any) => [h.runId, h.result])).toEqual(
          [...RULES]
            .reverse()
            .map(({ rule }, i) => [
              runIds[RULES.length - 1 - i],
              expectedVerdict(awsCase.expected[id]!, rule),
            ])
        )
      }
    })
  })
})
