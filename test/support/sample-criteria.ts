/**
 * The sample QFlow's criteria (docs: "creating QFlows from scratch"): publicly accessible, or a
 * security group admitting the public internet inbound, any protocol, any port.
 */
import { type Criteria, criteriaSchema, type TrafficSource } from '../../core/criteria/schema.ts'

export function sampleCriteriaInput(
  options: { source?: TrafficSource; ownPort?: boolean } = {}
): Record<string, unknown> {
  return {
    type: 'group',
    op: 'OR',
    conditions: [
      { type: 'param', key: 'PubliclyAccessible', operator: 'equals', value: 'true' },
      {
        type: 'securityGroup',
        direction: 'inbound',
        protocol: 'any',
        ports: options.ownPort ? { mode: 'resource', key: 'Endpoint.Port' } : { mode: 'any' },
        source: options.source ?? { kind: 'publicIpv4' },
      },
    ],
  }
}

export function sampleCriteria(options: Parameters<typeof sampleCriteriaInput>[0] = {}): Criteria {
  return criteriaSchema.parse(sampleCriteriaInput(options))
}

/** As the sample flow's control node config sets it (evidence keys from the product guide). */
export const SAMPLE_CONTROL_CONFIG = {
  criteria: sampleCriteriaInput(),
  resourceIdKey: 'DBInstanceIdentifier',
  displayNameKey: 'DBName',
  evidenceKeys: ['PubliclyAccessible', 'SecurityGroups.IpPermissions'],
}

/** A control's criteria: a group admitting public IPv4 inbound on TCP `port`; `extra` sets the group's own fields (`not`, ...). */
export function publicTcpPortCriteria(
  port: number,
  extra: Record<string, unknown> = {}
): Record<string, unknown> {
  return {
    type: 'group',
    op: 'AND',
    conditions: [
      {
        type: 'securityGroup',
        direction: 'inbound',
        protocol: 'tcp',
        ports: { mode: 'range', from: port, to: port },
        source: { kind: 'publicIpv4' },
      },
    ],
    ...extra,
  }
}
