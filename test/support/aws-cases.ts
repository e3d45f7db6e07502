/**
 * Reads the recorded AWS cases in `../shared/aws-cases/` (relative to the repo root) at run time
 * and turns each into the items the AWS Resource node emits for "RDS DB instances + Security
 * Groups addon": the instance as the SDK returns it, the described VPC groups it lists under
 * `SecurityGroups`, and `_qflow` metadata. The cases are never copied into the repo.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

type Json = Record<string, any>

export const AWS_CASES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/aws-cases')

export type Rule = 'lenient_ipv4_only' | 'lenient' | 'strict'

export interface ExpectedInstance {
  lenient_ipv4_only: { exposed: boolean }
  lenient: { exposed: boolean }
  strict: { exposed: boolean }
  detail: {
    unresolved_sgs: string[]
    attached_sgs: string[]
    PubliclyAccessible?: unknown
    endpoint_port?: number | null
    world_open_rules_on_attached_sgs: string[]
    world_open_rules_covering_port_or_all: string[]
  }
}

export interface AwsCase {
  /** `recorded/<name>` or `simulated/<name>`. */
  name: string
  instances: Json[]
  /** Described groups merged across every `ec2.DescribeSecurityGroups*.json` part, by GroupId. */
  groups: Map<string, Json>
  expected: Record<string, ExpectedInstance>
}

const readJson = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as Json

export function loadAwsCases(root = AWS_CASES_DIR): AwsCase[] {
  if (!existsSync(root)) throw new Error(`the AWS cases are missing: expected them at ${root}`)
  const cases: AwsCase[] = []
  for (const kind of ['recorded', 'simulated']) {
    const kindDir = join(root, kind)
    if (!existsSync(kindDir)) continue
    for (const name of readdirSync(kindDir).sort()) {
      const dir = join(kindDir, name)
      if (!existsSync(join(dir, 'expected.json'))) continue
      const files = readdirSync(dir).sort()
      const instances = files
        .filter((file) => file.startsWith('rds.DescribeDBInstances') && file.endsWith('.json'))
        .flatMap((file) => (readJson(join(dir, file)).DBInstances ?? []) as Json[])
      const groups = new Map<string, Json>()
      for (const file of files.filter(
        (f) => f.startsWith('ec2.DescribeSecurityGroups') && f.endsWith('.json')
      )) {
        for (const group of (readJson(join(dir, file)).SecurityGroups ?? []) as Json[]) {
          groups.set(group.GroupId, { ...groups.get(group.GroupId), ...group })
        }
      }
      cases.push({
        name: `${kind}/${name}`,
        instances,
        groups,
        expected: readJson(join(dir, 'expected.json')).instances,
      })
    }
  }
  return cases
}

/**
 * An RDS instance as the AWS Resource node's Security Groups addon emits it: every VPC group it
 * lists (`VpcSecurityGroups[].VpcSecurityGroupId`, whatever its status) that a describe call
 * returned goes under `SecurityGroups` (the same object for every instance that lists it); groups
 * nobody described are left out and reported under `_qflow.unresolved.SecurityGroups`, as
 * plugins/aws-resource/fetch.ts does.
 */
export function withSecurityGroups(
  instance: Json,
  groups: Map<string, Json>,
  options: { referenced?: boolean } = {}
): Json {
  const ids: string[] = (instance.VpcSecurityGroups ?? []).map((m: Json) => m.VpcSecurityGroupId)
  const attached = ids.map((id) => groups.get(id)).filter((group): group is Json => group !== undefined)
  const unresolved = [...new Set(ids.filter((id) => !groups.has(id)))]
  const meta = qflowMeta(instance)
  if (unresolved.length > 0) meta.unresolved = { SecurityGroups: unresolved }
  const item: Json = { ...instance, SecurityGroups: attached, _qflow: meta }
  if (options.referenced) {
    // The groups the attached ones reference, for following group-to-group rules one level.
    const refs = new Set<string>()
    for (const group of attached)
      for (const permission of [...(group.IpPermissions ?? []), ...(group.IpPermissionsEgress ?? [])])
        for (const pair of permission.UserIdGroupPairs ?? []) refs.add(pair.GroupId)
    item.ReferencedSecurityGroups = [...refs].map((id) => groups.get(id)).filter(Boolean)
  }
  return item
}

function qflowMeta(instance: Json): Json {
  const arn: string = instance.DBInstanceArn ?? ''
  const [, , , region = null, accountId = null] = arn.split(':')
  return {
    accountId,
    region,
    arn,
    service: 'rds',
    method: 'DescribeDBInstances',
    resourceId: instance.DBInstanceIdentifier,
  }
}

/**
 * The verdict expected.json implies. Exposed is FAIL. Not exposed is PASS, unless the answer
 * rests on something the data lacks: an attached group nobody described, or (port-bound rule)
 * a world-open rule on part of the ports of an instance whose port is not known yet.
 */
export function expectedVerdict(expected: ExpectedInstance, rule: Rule): 'PASS' | 'FAIL' | 'ERROR' {
  if (expected[rule].exposed) return 'FAIL'
  if (expected.detail.unresolved_sgs.length > 0) return 'ERROR'
  const portUnknown = expected.detail.endpoint_port === null || expected.detail.endpoint_port === undefined
  if (rule === 'strict' && portUnknown && expected.detail.world_open_rules_on_attached_sgs.length > 0)
    return 'ERROR'
  return 'PASS'
}

/** The world-open rules expected.json lists for an instance under a rule, as `sg-1 tcp/22-22 from 0.0.0.0/0`. */
export function expectedRuleTexts(expected: ExpectedInstance, rule: Rule): string[] {
  const listed =
    rule === 'strict'
      ? expected.detail.world_open_rules_covering_port_or_all
      : expected.detail.world_open_rules_on_attached_sgs
  return listed.filter((text) => rule !== 'lenient_ipv4_only' || text.endsWith('from 0.0.0.0/0'))
}

/** A matched rule of the evidence written the way expected.json lists world-open rules, one per source. */
export function matchedRuleTexts(
  matches: readonly {
    groupId: string
    protocol: string
    fromPort?: number
    toPort?: number
    sources: string[]
  }[]
): string[] {
  return matches.flatMap((match) => {
    const ports = match.protocol === '-1' ? 'all' : `${match.fromPort}-${match.toPort}`
    return match.sources.map((source) => `${match.groupId} ${match.protocol}/${ports} from ${source}`)
  })
}

/** Where a case was recorded: the region and AWS account of its instances' ARNs (us-east-1 when none say). */
export function caseOrigin(awsCase: AwsCase): { region: string; awsAccountId?: string } {
  const arn = awsCase.instances.map((i) => String(i.DBInstanceArn ?? '')).find((a) => a.startsWith('arn:'))
  const [, , , region, awsAccountId] = arn?.split(':') ?? []
  return { region: region || 'us-east-1', ...(awsAccountId ? { awsAccountId } : {}) }
}

/** Every case's instances as resource items, with their case name. */
export function caseItems(awsCase: AwsCase, options: { referenced?: boolean } = {}): Json[] {
  return awsCase.instances.map((instance) => withSecurityGroups(instance, awsCase.groups, options))
}
