import type { AwsServiceName } from '../shared/aws.ts'
import type { ParamSpec } from '../shared/params.ts'

/**
 * What the AWS Action node can do, as data. An entry names the SDK operation, the parameters it
 * accepts, the mapping a new node starts with, and, where the SDK has one, the waiter that tells
 * when the change is complete. Adding an action is one entry. Pure data, so the editor can load it.
 */
export interface ActionSpec {
  id: string
  service: Exclude<AwsServiceName, 'sts'>
  serviceLabel: string
  label: string
  operation: string
  params: ParamSpec
  /** Parameters the call cannot do without. */
  required: string[]
  /** The mapping a new node starts with (`obj.<path>` reads the incoming resource). */
  defaults: Record<string, unknown>
  /** The parameter that names the resource acted on, for results when the item has no `_qflow`. */
  resourceParam: string
  /** SDK waiter (`waitUntil<name>`) and the call parameters it takes, with the permission it uses. */
  waiter?: { name: string; inputs: string[]; permission: string }
  /**
   * A named planner when one resource turns into computed calls; `world-open-ingress` revokes, per
   * attached security group, exactly the inbound permissions open to 0.0.0.0/0 or ::/0.
   */
  plan?: 'world-open-ingress'
  /** Shown as a warning in the editor: the change cannot be undone. */
  destructive?: boolean
}

export const actions: readonly ActionSpec[] = [
  {
    id: 'rds.ModifyDBInstance',
    service: 'rds',
    serviceLabel: 'RDS',
    label: 'Modify DB instance',
    operation: 'ModifyDBInstance',
    params: {
      DBInstanceIdentifier: 'string',
      PubliclyAccessible: 'boolean',
      ApplyImmediately: 'boolean',
      VpcSecurityGroupIds: 'strings',
      DeletionProtection: 'boolean',
      BackupRetentionPeriod: 'integer',
      MultiAZ: 'boolean',
      AutoMinorVersionUpgrade: 'boolean',
      CACertificateIdentifier: 'string',
      DBInstanceClass: 'string',
    },
    required: ['DBInstanceIdentifier'],
    defaults: {
      DBInstanceIdentifier: 'obj.DBInstanceIdentifier',
      PubliclyAccessible: false,
      ApplyImmediately: true,
    },
    resourceParam: 'DBInstanceIdentifier',
    waiter: {
      name: 'DBInstanceAvailable',
      inputs: ['DBInstanceIdentifier'],
      permission: 'rds:DescribeDBInstances',
    },
  },
  {
    id: 'rds.StopDBInstance',
    service: 'rds',
    serviceLabel: 'RDS',
    label: 'Stop DB instance',
    operation: 'StopDBInstance',
    params: { DBInstanceIdentifier: 'string', DBSnapshotIdentifier: 'string' },
    required: ['DBInstanceIdentifier'],
    defaults: { DBInstanceIdentifier: 'obj.DBInstanceIdentifier' },
    resourceParam: 'DBInstanceIdentifier',
  },
  {
    id: 'rds.CreateDBSnapshot',
    service: 'rds',
    serviceLabel: 'RDS',
    label: 'Create DB snapshot',
    operation: 'CreateDBSnapshot',
    params: { DBInstanceIdentifier: 'string', DBSnapshotIdentifier: 'string', Tags: 'tags' },
    required: ['DBInstanceIdentifier', 'DBSnapshotIdentifier'],
    defaults: {
      DBInstanceIdentifier: 'obj.DBInstanceIdentifier',
      DBSnapshotIdentifier: '{{ obj.DBInstanceIdentifier }}-qflow',
    },
    resourceParam: 'DBInstanceIdentifier',
    waiter: {
      name: 'DBSnapshotAvailable',
      inputs: ['DBSnapshotIdentifier'],
      permission: 'rds:DescribeDBSnapshots',
    },
  },
  {
    id: 'rds.DeleteDBInstance',
    service: 'rds',
    serviceLabel: 'RDS',
    label: 'Delete DB instance',
    operation: 'DeleteDBInstance',
    params: {
      DBInstanceIdentifier: 'string',
      SkipFinalSnapshot: 'boolean',
      FinalDBSnapshotIdentifier: 'string',
      DeleteAutomatedBackups: 'boolean',
    },
    required: ['DBInstanceIdentifier'],
    defaults: {
      DBInstanceIdentifier: 'obj.DBInstanceIdentifier',
      SkipFinalSnapshot: false,
      FinalDBSnapshotIdentifier: '{{ obj.DBInstanceIdentifier }}-final',
    },
    resourceParam: 'DBInstanceIdentifier',
    waiter: {
      name: 'DBInstanceDeleted',
      inputs: ['DBInstanceIdentifier'],
      permission: 'rds:DescribeDBInstances',
    },
    destructive: true,
  },
  {
    id: 'ec2.RevokeSecurityGroupIngress',
    service: 'ec2',
    serviceLabel: 'EC2',
    label: 'Revoke world-open inbound rules',
    operation: 'RevokeSecurityGroupIngress',
    params: { GroupId: 'string', IpPermissions: 'ipPermissions' },
    required: ['GroupId', 'IpPermissions'],
    defaults: {},
    resourceParam: 'GroupId',
    plan: 'world-open-ingress',
  },
  {
    id: 'ec2.StopInstances',
    service: 'ec2',
    serviceLabel: 'EC2',
    label: 'Stop instances',
    operation: 'StopInstances',
    params: { InstanceIds: 'strings', Force: 'boolean', Hibernate: 'boolean' },
    required: ['InstanceIds'],
    defaults: { InstanceIds: ['obj.InstanceId'] },
    resourceParam: 'InstanceIds',
    waiter: { name: 'InstanceStopped', inputs: ['InstanceIds'], permission: 'ec2:DescribeInstances' },
  },
  {
    id: 'ec2.CreateTags',
    service: 'ec2',
    serviceLabel: 'EC2',
    label: 'Tag resources',
    operation: 'CreateTags',
    params: { Resources: 'strings', Tags: 'tags' },
    required: ['Resources', 'Tags'],
    defaults: { Resources: ['obj._qflow.resourceId'], Tags: [{ Key: 'qflow:flagged', Value: 'true' }] },
    resourceParam: 'Resources',
  },
]

const byId = new Map(actions.map((action) => [action.id, action]))

export function actionSpec(id: string): ActionSpec | undefined {
  return byId.get(id)
}
