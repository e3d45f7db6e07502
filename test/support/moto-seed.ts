import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  EC2Client,
  type IpPermission,
} from '@aws-sdk/client-ec2'
import { CreateDBInstanceCommand, RDSClient } from '@aws-sdk/client-rds'
import type { AccountRecord } from '../../server/aws/account.ts'
import { createSecretBox, type SecretBox } from '../../server/aws/secrets.ts'
import { MOTO_CREDENTIALS } from './moto.ts'

export const TEST_SECRETS: SecretBox = createSecretBox('qflow-test-secret-key')

/** An `aws` account record pointing at moto, with static keys sealed as the server stores them. */
export function motoAccount(
  id: string,
  endpoint: string,
  regions: string[],
  secrets = TEST_SECRETS
): Partial<AccountRecord> {
  return {
    id,
    name: id,
    kind: 'aws',
    awsAccountId: '123456789012',
    regions,
    endpoint,
    credentials: {
      type: 'static',
      accessKeyId: MOTO_CREDENTIALS.accessKeyId,
      sealed: secrets.seal(JSON.stringify({ secretAccessKey: MOTO_CREDENTIALS.secretAccessKey })),
    },
  }
}

export function seedClients(endpoint: string, region: string) {
  const config = { region, endpoint, credentials: MOTO_CREDENTIALS }
  return { rds: new RDSClient(config), ec2: new EC2Client(config) }
}

export async function createGroup(ec2: EC2Client, name: string, rules: IpPermission[]): Promise<string> {
  const { GroupId } = await ec2.send(new CreateSecurityGroupCommand({ GroupName: name, Description: name }))
  if (rules.length > 0)
    await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: GroupId!, IpPermissions: rules }))
  return GroupId!
}

const ENGINES = [
  ['postgres', '16.3'],
  ['mysql', '8.0.35'],
  ['mariadb', '10.11.6'],
] as const

/** `count` DB instances named `<prefix>-<n>`, each with one of `groups` (round robin), a few public. */
export async function createDbInstances(
  rds: RDSClient,
  prefix: string,
  count: number,
  groups: string[],
  options: { publicEvery?: number; parallel?: number } = {}
): Promise<string[]> {
  const names = Array.from({ length: count }, (_, i) => `${prefix}-${String(i).padStart(4, '0')}`)
  const parallel = options.parallel ?? 8
  for (let start = 0; start < names.length; start += parallel) {
    await Promise.all(
      names.slice(start, start + parallel).map((name, offset) => {
        const i = start + offset
        return rds.send(
          new CreateDBInstanceCommand({
            DBInstanceIdentifier: name,
            DBInstanceClass: 'db.t3.micro',
            Engine: ENGINES[i % ENGINES.length]![0],
            EngineVersion: ENGINES[i % ENGINES.length]![1],
            AllocatedStorage: 20,
            MasterUsername: 'admin',
            MasterUserPassword: 'password-123',
            DBName: `app${i}`,
            VpcSecurityGroupIds: groups.length > 0 ? [groups[i % groups.length]!] : [],
            PubliclyAccessible: options.publicEvery ? i % options.publicEvery === 0 : false,
          })
        )
      })
    )
  }
  return names
}
