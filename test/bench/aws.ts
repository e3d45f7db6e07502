/**
 * AWS fetch figures against moto on loopback:
 * 1. the sample QFlow's resource fetch (RDS DB instances + Security Groups addon) over 2,000
 *    instances in 2 regions, beside the bare-SDK floor for the same calls (paginators, regions in
 *    parallel, nothing else). Target: within 1.1x of the floor.
 * 2. with 100 ms added to every call by an SDK middleware, 4 regions at once against the slowest
 *    region alone and the sum of all four: concurrency means close to the slowest, not the sum.
 */
import { EC2Client, paginateDescribeSecurityGroups } from '@aws-sdk/client-ec2'
import { paginateDescribeDBInstances, RDSClient } from '@aws-sdk/client-rds'
import type { MiddlewareHost } from '../../server/aws/clients.ts'
import { gatewayFor, oneNodeFlow, outputOf, runFlow } from '../support/aws.ts'
import { MOTO_CREDENTIALS, startMoto } from '../support/moto.ts'
import { createDbInstances, createGroup, motoAccount, seedClients } from '../support/moto-seed.ts'

const REGIONS = ['us-east-1', 'eu-west-1']
/**
 * The latency figure uses four small regions (one page each), each answered by its own moto
 * process: one moto is one Python process, and four regions' listings would queue behind each
 * other inside it, which says nothing about qflow.
 */
const LATENCY_REGIONS = ['ap-southeast-2', 'sa-east-1', 'ca-central-1', 'eu-central-1']
const LATENCY_PER_REGION = 60
const PER_REGION = 1000
const GROUPS_PER_REGION = 40
const ROUNDS = 5

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const ms = (value: number) => `${value.toFixed(0)} ms`

async function seedRegion(endpoint: string, region: string, count: number): Promise<void> {
  const { rds, ec2 } = seedClients(endpoint, region)
  const groups: string[] = []
  for (let i = 0; i < GROUPS_PER_REGION; i++)
    groups.push(
      await createGroup(ec2, `g${i}`, [
        {
          IpProtocol: 'tcp',
          FromPort: 5432,
          ToPort: 5432,
          IpRanges: [{ CidrIp: i % 7 === 0 ? '0.0.0.0/0' : '10.0.0.0/8' }],
        },
      ])
    )
  await createDbInstances(rds, region, count, groups, { publicEvery: 13, parallel: 16 })
}

/** The floor: what the same data costs with the bare SDK and nothing else. */
async function bareSdk(
  endpoint: string | ((region: string) => string),
  regions: string[],
  latencyMs = 0
): Promise<number> {
  const perRegion = await Promise.all(
    regions.map(async (region) => {
      const config = {
        region,
        endpoint: typeof endpoint === 'string' ? endpoint : endpoint(region),
        credentials: MOTO_CREDENTIALS,
      }
      const rds = new RDSClient(config)
      const ec2 = new EC2Client(config)
      if (latencyMs > 0) for (const client of [rds, ec2]) addLatency(client as MiddlewareHost, latencyMs)
      let instances = 0
      for await (const page of paginateDescribeDBInstances({ client: rds, pageSize: 100 }, {}))
        instances += page.DBInstances?.length ?? 0
      let groups = 0
      for await (const page of paginateDescribeSecurityGroups({ client: ec2, pageSize: 1000 }, {}))
        groups += page.SecurityGroups?.length ?? 0
      rds.destroy()
      ec2.destroy()
      if (groups < GROUPS_PER_REGION)
        throw new Error(`${region}: the floor saw only ${groups} security groups`)
      return instances
    })
  )
  return perRegion.reduce((a, b) => a + b, 0)
}

/** The bench's stand-in for a far-away region: every call waits before it is sent. */
function addLatency(client: MiddlewareHost, latencyMs: number): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      await new Promise((resolve) => setTimeout(resolve, latencyMs))
      return next(args)
    },
    { step: 'build', name: 'benchLatency' }
  )
}

/**
 * Send each region's calls to that region's own emulator, as AWS regions are separate services:
 * one moto answering four regions would queue them behind each other in one Python process.
 */
function routeByRegion(client: MiddlewareHost, endpointOf: (region: string) => string): void {
  const config = (client as unknown as { config: { region: () => Promise<string> } }).config
  client.middlewareStack.add(
    (next) => async (args) => {
      const url = new URL(endpointOf(await config.region()))
      const request = args.request as { hostname: string; port?: number }
      request.hostname = url.hostname
      request.port = Number(url.port)
      return next(args)
    },
    { step: 'build', name: 'benchRouteByRegion' }
  )
}

const sampleResource = { service: 'rds', method: 'DBInstances', addons: ['SecurityGroups'] }

export async function bench(): Promise<void> {
  const moto = await startMoto()
  const far = new Map<string, Awaited<ReturnType<typeof startMoto>>>()
  try {
    const seedStart = performance.now()
    await Promise.all(REGIONS.map((region) => seedRegion(moto.endpoint, region, PER_REGION)))
    console.log(
      `seeded ${REGIONS.length} x ${PER_REGION} DB instances in moto in ${ms(performance.now() - seedStart)}`
    )

    const floor: number[] = []
    const qflow: number[] = []
    for (let round = 0; round < ROUNDS; round++) {
      let start = performance.now()
      const count = await bareSdk(moto.endpoint, REGIONS)
      floor.push(performance.now() - start)
      // A fresh gateway per round: clients and connections are built inside the timing, as for the floor.
      const aws = gatewayFor([motoAccount('bench', moto.endpoint, REGIONS)])
      start = performance.now()
      const items = outputOf(await runFlow(aws, oneNodeFlow('aws-resource', sampleResource, ['bench'])))
      qflow.push(performance.now() - start)
      aws.forget()
      if (count !== REGIONS.length * PER_REGION || items.length !== count)
        throw new Error(
          `expected ${REGIONS.length * PER_REGION} instances, floor saw ${count}, qflow ${items.length}`
        )
      if (
        !items.every(
          (item) => Array.isArray(item.SecurityGroups) && (item.SecurityGroups as unknown[]).length === 1
        )
      )
        throw new Error('some instance came back without its security group')
    }
    const ratio = median(qflow) / median(floor)
    console.log(
      `sample QFlow resource fetch, ${REGIONS.length * PER_REGION} DB instances + groups, ${REGIONS.length} regions (median of ${ROUNDS})`
    )
    console.log(`  bare SDK floor     ${ms(median(floor))}   (runs: ${floor.map(ms).join(', ')})`)
    console.log(`  qflow aws-resource ${ms(median(qflow))}   (runs: ${qflow.map(ms).join(', ')})`)
    console.log(`  ratio ${ratio.toFixed(2)}x of the floor (target <= 1.10x) ${ratio <= 1.1 ? 'OK' : 'OVER'}`)

    // Latency: 100 ms on every call, 4 regions, each region served by its own emulator.
    const regions = LATENCY_REGIONS
    for (const region of regions) far.set(region, await startMoto())
    const endpointOf = (region: string) => far.get(region)!.endpoint
    await Promise.all(regions.map((region) => seedRegion(endpointOf(region), region, LATENCY_PER_REGION)))
    const slow = () =>
      gatewayFor([motoAccount('bench', moto.endpoint, regions)], {
        decorate: (client) => {
          addLatency(client as MiddlewareHost, 100)
          routeByRegion(client as MiddlewareHost, endpointOf)
        },
      })
    const single: Record<string, number> = {}
    for (const region of regions) {
      const start = performance.now()
      outputOf(await runFlow(slow(), oneNodeFlow('aws-resource', sampleResource, ['bench'], [region])))
      single[region] = performance.now() - start
    }
    const start = performance.now()
    const all = outputOf(
      await runFlow(slow(), oneNodeFlow('aws-resource', sampleResource, ['bench'], regions))
    )
    const together = performance.now() - start
    const slowest = Math.max(...Object.values(single))
    const sum = Object.values(single).reduce((a, b) => a + b, 0)
    console.log(`with 100 ms added to every call, ${regions.length} regions, ${all.length} DB instances`)
    for (const region of regions) console.log(`  ${region.padEnd(15)} alone ${ms(single[region]!)}`)
    console.log(`  all 4 at once ${ms(together)}; slowest alone ${ms(slowest)}; sum ${ms(sum)}`)
    console.log(
      `  together / slowest = ${(together / slowest).toFixed(2)}x (sum would be ${(sum / slowest).toFixed(2)}x)`
    )
    // The bare SDK under the same latency and routing: what four regions at once cost without qflow.
    const floorStart = performance.now()
    await bareSdk(endpointOf, regions, 100)
    const floorTogether = performance.now() - floorStart
    console.log(
      `  bare SDK, same latency, 4 regions at once ${ms(floorTogether)}: qflow / floor = ${(together / floorTogether).toFixed(2)}x`
    )
  } finally {
    await Promise.all([moto, ...far.values()].map((emulator) => emulator.stop()))
  }
}
