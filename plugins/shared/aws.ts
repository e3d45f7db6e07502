import type { EC2Client } from '@aws-sdk/client-ec2'
import type { RDSClient } from '@aws-sdk/client-rds'
import type { STSClient } from '@aws-sdk/client-sts'

/**
 * The AWS gateway: the one door through which plugins reach AWS. The server implements it
 * (`server/aws/gateway.ts`): credentials, endpoint overrides, adaptive retry, the concurrency cap
 * per account and region, and snapshot accounts that answer from recorded files. Plugins only pick
 * commands and read results, so a flow runs unchanged against AWS, an emulator or a snapshot.
 */
export interface AwsClients {
  rds: RDSClient
  ec2: EC2Client
  sts: STSClient
}
export type AwsServiceName = keyof AwsClients
export const AWS_SERVICES = ['rds', 'ec2'] as const satisfies readonly AwsServiceName[]

/** What a plugin may know about an account: never its credentials. */
export interface AwsAccountView {
  /** qflow's id for the account (what flows bind to), e.g. `demo`. */
  id: string
  name: string
  /** `snapshot` accounts replay recorded describe calls and only simulate actions. */
  kind: 'aws' | 'snapshot'
  /** The 12-digit AWS account id, when known. Used to build ARNs. */
  awsAccountId?: string
  /** Regions enabled for the account; the first is its home region. */
  regions: string[]
}

export interface AwsGateway {
  /** The account record; rejects with code `ACCOUNT_UNKNOWN` when there is none. */
  account(id: string): Promise<AwsAccountView>
  /**
   * An SDK client for (account, region, service), shared by every caller. Its `send` already
   * applies adaptive retry and the per-account-and-region concurrency cap, and on a snapshot
   * account answers from the recording.
   */
  client<S extends AwsServiceName>(accountId: string, region: string, service: S): Promise<AwsClients[S]>
}

declare module '../../core/plugin/types.ts' {
  interface Services {
    aws?: AwsGateway
  }
}
