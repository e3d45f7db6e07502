import type { AwsServiceName } from '../shared/aws.ts'
import type { ParamSpec } from '../shared/params.ts'
import type { Paging } from '../shared/sdk.ts'

/**
 * What the AWS Resource node can list, as data. Adding a method is one entry here: the node, the
 * snapshot replay, the permissions list and the editor's pickers all read this table. Pure data (no
 * SDK import) so the editor can load it too.
 */
export interface ResourceMethod {
  /** Stable id saved in flows: `<service>.<Name>`. */
  id: string
  service: Exclude<AwsServiceName, 'sts'>
  /** Service label and method label as the editor shows them. */
  serviceLabel: string
  label: string
  /** SDK operation; the command class is `<operation>Command`. */
  operation: string
  /** Key path to the resources in one response page, e.g. `Reservations[*].Instances`. */
  resultKey: string
  paging: Paging
  /** Key that identifies one resource, and the key the editor shows as its name. */
  resourceIdKey: string
  displayNameKey: string
  /**
   * How to get the ARN: a key of the resource, or a template over `{partition}`, `{region}`,
   * `{account}` (the account's AWS id, else the resource's `OwnerId`) and `{<Key>}` of the resource.
   */
  arn: { key: string } | { template: string }
  /** The call's own request parameters a user may add (its filters); the paging keys are ours. */
  params: ParamSpec
  /** Parameters always sent unless the user sets them (e.g. only our own EC2 snapshots). */
  defaults?: Record<string, unknown>
  /** How to fetch these resources by id when another method's addon needs them: one filter, batched. */
  lookup?: { filter: string; batch: number }
  /** A second call per resource whose answer is attached to it, wherever these resources are listed. */
  details?: DetailsSpec
  /** Related resources a user may attach to each resource. */
  addons?: AddonSpec[]
}

/**
 * For resources whose describe call leaves out what a control needs (a managed prefix list's
 * entries come from their own call): one paged call per resource, its list attached to it.
 */
export interface DetailsSpec {
  /** SDK operation, on the method's service. */
  operation: string
  /** Request parameter naming the resource; its value is the resource's `resourceIdKey`. */
  idParam: string
  /** Key of the list in each response page. */
  resultKey: string
  /** Key the whole list is attached under on the resource. */
  attachAs: string
  paging: Paging
  /** The error code the service answers for an id it does not know (a snapshot answers it too). */
  notFoundCode: string
}

export interface AddonSpec {
  /** Key the related resources are attached under, also the addon's id in config. */
  key: string
  label: string
  /** Catalogue id of the related method (it must have a `lookup`). */
  method: string
  /** Key paths in the resource holding the related ids; several paths add up. */
  idsFrom: string | readonly string[]
  /**
   * Key of another addon of the same method whose attached resources hold the ids (the prefix
   * lists named in the rules of the attached security groups). This addon is then fetched after
   * that one, and the config refuses it without that one.
   */
  after?: string
}

const ec2List = (max: number, idsParam: string): Paging => ({
  input: 'NextToken',
  output: 'NextToken',
  // EC2 refuses MaxResults together with an explicit id list.
  pageSize: { key: 'MaxResults', max, unlessParams: [idsParam] },
})
const rdsList: Paging = { input: 'Marker', output: 'Marker', pageSize: { key: 'MaxRecords', max: 100 } }

const securityGroupsAddon = (idsFrom: string): AddonSpec => ({
  key: 'SecurityGroups',
  label: 'Security Groups',
  method: 'ec2.SecurityGroups',
  idsFrom,
})

/**
 * The managed prefix lists that security group rules name, inbound and outbound, with their
 * entries: under `PrefixLists`, where the Security Group condition looks for them. `groups` is
 * the path to the groups' rules (empty for a security group itself).
 */
const prefixListsAddon = (groups: string, after?: string): AddonSpec => ({
  key: 'PrefixLists',
  label: 'Prefix Lists',
  method: 'ec2.ManagedPrefixLists',
  idsFrom: [
    `${groups}IpPermissions[*].PrefixListIds[*].PrefixListId`,
    `${groups}IpPermissionsEgress[*].PrefixListIds[*].PrefixListId`,
  ],
  ...(after ? { after } : {}),
})
/** Prefix lists of the groups the SecurityGroups addon attached. */
const attachedGroupsPrefixLists = prefixListsAddon('SecurityGroups[*].', 'SecurityGroups')

export const resourceMethods: readonly ResourceMethod[] = [
  {
    id: 'rds.DBInstances',
    service: 'rds',
    serviceLabel: 'RDS',
    label: 'DB Instances',
    operation: 'DescribeDBInstances',
    resultKey: 'DBInstances',
    paging: rdsList,
    resourceIdKey: 'DBInstanceIdentifier',
    displayNameKey: 'DBInstanceIdentifier',
    arn: { key: 'DBInstanceArn' },
    params: { DBInstanceIdentifier: 'string', Filters: 'filters', MaxRecords: 'integer' },
    addons: [securityGroupsAddon('VpcSecurityGroups[*].VpcSecurityGroupId'), attachedGroupsPrefixLists],
  },
  {
    id: 'rds.DBClusters',
    service: 'rds',
    serviceLabel: 'RDS',
    label: 'DB Clusters',
    operation: 'DescribeDBClusters',
    resultKey: 'DBClusters',
    paging: rdsList,
    resourceIdKey: 'DBClusterIdentifier',
    displayNameKey: 'DBClusterIdentifier',
    arn: { key: 'DBClusterArn' },
    params: {
      DBClusterIdentifier: 'string',
      Filters: 'filters',
      MaxRecords: 'integer',
      IncludeShared: 'boolean',
    },
    addons: [securityGroupsAddon('VpcSecurityGroups[*].VpcSecurityGroupId'), attachedGroupsPrefixLists],
  },
  {
    id: 'rds.DBSnapshots',
    service: 'rds',
    serviceLabel: 'RDS',
    label: 'DB Snapshots',
    operation: 'DescribeDBSnapshots',
    resultKey: 'DBSnapshots',
    paging: rdsList,
    resourceIdKey: 'DBSnapshotIdentifier',
    displayNameKey: 'DBSnapshotIdentifier',
    arn: { key: 'DBSnapshotArn' },
    params: {
      DBInstanceIdentifier: 'string',
      DBSnapshotIdentifier: 'string',
      SnapshotType: 'string',
      Filters: 'filters',
      MaxRecords: 'integer',
      IncludeShared: 'boolean',
      IncludePublic: 'boolean',
    },
  },
  {
    id: 'ec2.Instances',
    service: 'ec2',
    serviceLabel: 'EC2',
    label: 'Instances',
    operation: 'DescribeInstances',
    resultKey: 'Reservations[*].Instances',
    paging: ec2List(1000, 'InstanceIds'),
    resourceIdKey: 'InstanceId',
    displayNameKey: 'Tags[Key=Name].Value',
    arn: { template: 'arn:{partition}:ec2:{region}:{account}:instance/{InstanceId}' },
    params: { InstanceIds: 'strings', Filters: 'filters', MaxResults: 'integer' },
    lookup: { filter: 'instance-id', batch: 200 },
    addons: [
      securityGroupsAddon('SecurityGroups[*].GroupId'),
      {
        key: 'Volumes',
        label: 'Volumes',
        method: 'ec2.Volumes',
        idsFrom: 'BlockDeviceMappings[*].Ebs.VolumeId',
      },
      attachedGroupsPrefixLists,
    ],
  },
  {
    id: 'ec2.SecurityGroups',
    service: 'ec2',
    serviceLabel: 'EC2',
    label: 'Security Groups',
    operation: 'DescribeSecurityGroups',
    resultKey: 'SecurityGroups',
    paging: ec2List(1000, 'GroupIds'),
    resourceIdKey: 'GroupId',
    displayNameKey: 'GroupName',
    arn: { template: 'arn:{partition}:ec2:{region}:{account}:security-group/{GroupId}' },
    params: { GroupIds: 'strings', GroupNames: 'strings', Filters: 'filters', MaxResults: 'integer' },
    // A filter, not GroupIds: GroupIds fails the whole call when one group no longer exists.
    lookup: { filter: 'group-id', batch: 200 },
    addons: [prefixListsAddon('')],
  },
  {
    id: 'ec2.ManagedPrefixLists',
    service: 'ec2',
    serviceLabel: 'EC2',
    label: 'Managed Prefix Lists',
    operation: 'DescribeManagedPrefixLists',
    resultKey: 'PrefixLists',
    paging: ec2List(100, 'PrefixListIds'),
    resourceIdKey: 'PrefixListId',
    displayNameKey: 'PrefixListName',
    arn: { key: 'PrefixListArn' },
    params: { PrefixListIds: 'strings', Filters: 'filters', MaxResults: 'integer' },
    // A filter, not PrefixListIds, for the same reason as security groups.
    lookup: { filter: 'prefix-list-id', batch: 200 },
    // The describe call gives names and versions only; what a list admits is in its entries.
    details: {
      operation: 'GetManagedPrefixListEntries',
      idParam: 'PrefixListId',
      resultKey: 'Entries',
      attachAs: 'Entries',
      paging: { input: 'NextToken', output: 'NextToken', pageSize: { key: 'MaxResults', max: 100 } },
      notFoundCode: 'InvalidPrefixListID.NotFound',
    },
  },
  {
    id: 'ec2.Vpcs',
    service: 'ec2',
    serviceLabel: 'EC2',
    label: 'VPCs',
    operation: 'DescribeVpcs',
    resultKey: 'Vpcs',
    paging: ec2List(1000, 'VpcIds'),
    resourceIdKey: 'VpcId',
    displayNameKey: 'Tags[Key=Name].Value',
    arn: { template: 'arn:{partition}:ec2:{region}:{account}:vpc/{VpcId}' },
    params: { VpcIds: 'strings', Filters: 'filters', MaxResults: 'integer' },
    lookup: { filter: 'vpc-id', batch: 200 },
  },
  {
    id: 'ec2.Subnets',
    service: 'ec2',
    serviceLabel: 'EC2',
    label: 'Subnets',
    operation: 'DescribeSubnets',
    resultKey: 'Subnets',
    paging: ec2List(1000, 'SubnetIds'),
    resourceIdKey: 'SubnetId',
    displayNameKey: 'Tags[Key=Name].Value',
    arn: { key: 'SubnetArn' },
    params: { SubnetIds: 'strings', Filters: 'filters', MaxResults: 'integer' },
    lookup: { filter: 'subnet-id', batch: 200 },
  },
  {
    id: 'ec2.Volumes',
    service: 'ec2',
    serviceLabel: 'EC2',
    label: 'Volumes',
    operation: 'DescribeVolumes',
    resultKey: 'Volumes',
    paging: ec2List(500, 'VolumeIds'),
    resourceIdKey: 'VolumeId',
    displayNameKey: 'Tags[Key=Name].Value',
    arn: { template: 'arn:{partition}:ec2:{region}:{account}:volume/{VolumeId}' },
    params: { VolumeIds: 'strings', Filters: 'filters', MaxResults: 'integer' },
    lookup: { filter: 'volume-id', batch: 200 },
  },
  {
    id: 'ec2.Snapshots',
    service: 'ec2',
    serviceLabel: 'EC2',
    label: 'Snapshots',
    operation: 'DescribeSnapshots',
    resultKey: 'Snapshots',
    paging: ec2List(1000, 'SnapshotIds'),
    resourceIdKey: 'SnapshotId',
    displayNameKey: 'Tags[Key=Name].Value',
    arn: { template: 'arn:{partition}:ec2:{region}::snapshot/{SnapshotId}' },
    params: {
      SnapshotIds: 'strings',
      OwnerIds: 'strings',
      RestorableByUserIds: 'strings',
      Filters: 'filters',
      MaxResults: 'integer',
    },
    // Without an owner, DescribeSnapshots lists every public snapshot in the region.
    defaults: { OwnerIds: ['self'] },
    lookup: { filter: 'snapshot-id', batch: 200 },
  },
]

const byId = new Map(resourceMethods.map((method) => [method.id, method]))

export function resourceMethod(id: string): ResourceMethod | undefined {
  return byId.get(id)
}

/** Every method id, for the config schema's enum. */
export const resourceMethodIds = resourceMethods.map((method) => method.id) as [string, ...string[]]
