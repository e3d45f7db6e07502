import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { resourceMethods } from '../../plugins/aws-resource/catalogue.ts'
import { demoAccountRecord } from '../../server/aws/demo.ts'
import { gatewayFor, oneNodeFlow, outputOf, runFlow } from '../support/aws.ts'

const REGIONS = ['us-east-1', 'eu-west-1']

/**
 * The demo account is where a new user tries every method the editor offers: each one, with all
 * its addons, must answer from the recording in both regions, never end `partial` with
 * OperationNotRecorded.
 */
describe('every catalogue method on the demo account', () => {
  const aws = gatewayFor([demoAccountRecord()])
  for (const method of resourceMethods)
    it(`${method.id} lists resources in ${REGIONS.join(' and ')} without a partial step`, async () => {
      const config = {
        service: method.service,
        method: method.id.slice(method.service.length + 1),
        addons: (method.addons ?? []).map((addon) => addon.key),
      }
      const result = await runFlow(aws, oneNodeFlow('aws-resource', config, ['demo'], REGIONS))
      const step = result.steps.find((s) => s.nodeId === 'node')!
      expect(step.status, JSON.stringify(step.error ?? step.warning ?? null)).toBe('succeeded')
      const regions = new Set(outputOf(result).map((item) => (item._qflow as { region: string }).region))
      expect([...regions].sort()).toEqual([...REGIONS].sort())
    })
})

const TEMPLATES = join(import.meta.dirname, '../../examples/templates')

/**
 * Templates ship bound to the demo account and its regions, like the sample QFlow, so
 * `qflow run examples/templates/<file>` and a flow made from one run at once; each runs with no
 * failed or partial step.
 */
describe('every template on the demo account', () => {
  const aws = gatewayFor([demoAccountRecord()])
  for (const file of readdirSync(TEMPLATES).filter((name) => name.endsWith('.json')))
    it(`${file} runs cleanly as shipped`, async () => {
      const template = JSON.parse(readFileSync(join(TEMPLATES, file), 'utf8'))
      expect(template).toMatchObject({ accounts: ['demo'], regions: REGIONS })
      const result = await runFlow(aws, template)
      for (const step of result.steps)
        expect(step.status, `${step.nodeId}: ${JSON.stringify(step.error ?? step.warning ?? null)}`).toBe(
          'succeeded'
        )
    })
})
