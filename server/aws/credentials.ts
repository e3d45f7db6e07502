import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types'
import type { AccountRecord } from './account.ts'
import type { SecretBox } from './secrets.ts'
import { type AwsTimeouts, limitAttempts, requestHandlerOptions } from './timeouts.ts'

/**
 * Client config that makes the SDK find an account's credentials: nothing (the default provider
 * chain), a named profile, sealed static keys opened only here, and optionally a role assumed on
 * top of any of those. The assumed-role provider is built once per account and shared by every
 * region and service, so one set of temporary credentials serves them all until near expiry.
 */
export interface CredentialConfig {
  credentials?: AwsCredentialIdentity | AwsCredentialIdentityProvider
  profile?: string
}

/** Refresh temporary credentials this long before AWS says they expire. */
const REFRESH_MARGIN_MS = 5 * 60_000

export function baseCredentials(account: AccountRecord, secrets: SecretBox): CredentialConfig {
  const credentials = account.credentials ?? { type: 'default' }
  switch (credentials.type) {
    case 'default':
      return {}
    case 'profile':
      return { profile: credentials.profile }
    case 'static': {
      const opened = JSON.parse(secrets.open(credentials.sealed)) as {
        secretAccessKey: string
        sessionToken?: string
      }
      return {
        credentials: {
          accessKeyId: credentials.accessKeyId,
          secretAccessKey: opened.secretAccessKey,
          ...(opened.sessionToken ? { sessionToken: opened.sessionToken } : {}),
        },
      }
    }
  }
}

/**
 * `limits`: the gateway's timeouts and its closing signal, so AssumeRole cannot hang on a silent
 * endpoint or keep a stopping server alive any more than the calls it signs.
 */
export function accountCredentials(
  account: AccountRecord,
  secrets: SecretBox,
  limits?: { timeouts: AwsTimeouts; closing: AbortSignal }
): CredentialConfig {
  const base = baseCredentials(account, secrets)
  const role = account.assumeRole
  if (!role) return base
  const stsConfig = {
    ...base,
    region: account.regions[0] ?? 'us-east-1',
    ...(account.endpoint ? { endpoint: account.endpoint } : {}),
    retryMode: 'adaptive',
    ...(limits ? { requestHandler: requestHandlerOptions(limits.timeouts) } : {}),
  }
  let sts: import('@aws-sdk/client-sts').STSClient | undefined
  let cached: AwsCredentialIdentity | undefined
  let pending: Promise<AwsCredentialIdentity> | undefined
  const provider: AwsCredentialIdentityProvider = async () => {
    if (cached && (!cached.expiration || cached.expiration.getTime() - Date.now() > REFRESH_MARGIN_MS))
      return cached
    pending ??= (async () => {
      try {
        const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts')
        if (!sts) {
          sts = new STSClient(stsConfig)
          if (limits) {
            limitAttempts(sts, limits.timeouts, limits.closing)
            const client = sts
            limits.closing.addEventListener('abort', () => client.destroy(), { once: true })
          }
        }
        const { Credentials: c } = await sts.send(
          new AssumeRoleCommand({
            RoleArn: role.roleArn,
            RoleSessionName: role.sessionName ?? `qflow-${account.id}`.slice(0, 64),
            ...(role.externalId ? { ExternalId: role.externalId } : {}),
          })
        )
        if (!c?.AccessKeyId || !c.SecretAccessKey)
          throw new Error(`AssumeRole ${role.roleArn} returned no credentials`)
        cached = {
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretAccessKey,
          ...(c.SessionToken ? { sessionToken: c.SessionToken } : {}),
          ...(c.Expiration ? { expiration: c.Expiration } : {}),
        }
        return cached
      } finally {
        pending = undefined
      }
    })()
    return pending
  }
  return { credentials: provider }
}
