import { FlowError } from '../../core/errors.ts'
import type { AwsAccountView, AwsClients, AwsGateway, AwsServiceName } from '../../plugins/shared/aws.ts'
import { getOrSet } from '../../plugins/shared/maps.ts'
import type { AccountRecord } from './account.ts'
import { type ClientDecorator, liveClient, snapshotClient } from './clients.ts'
import { accountCredentials, type CredentialConfig } from './credentials.ts'
import { Semaphore } from './limiter.ts'
import { createSecretBox, type SecretBox } from './secrets.ts'
import { defaultSnapshotRoots, loadRecording, type Recording } from './snapshot/load.ts'
import { createAnswer } from './snapshot/replay.ts'
import { AWS_TIMEOUT_DEFAULTS, type AwsTimeouts } from './timeouts.ts'

/** Where the gateway reads account records: the accounts repository, or a plain map in tests. */
export interface AccountSource {
  get(id: string): Promise<AccountRecord | undefined>
}

export interface GatewayOptions {
  accounts: AccountSource
  secrets?: SecretBox
  /** Calls in flight per account and region (default 8: well under RDS and EC2 describe limits). */
  concurrency?: number
  /** How long an account record is trusted before it is read again (other processes may edit it). */
  accountTtlMs?: number
  decorate?: ClientDecorator
  /** Folders snapshot accounts may read (QFLOW_SNAPSHOT_ROOTS); default `defaultSnapshotRoots()`. */
  snapshotRoots?: readonly string[]
  /** Connection, request and account-test limits; `AWS_TIMEOUT_DEFAULTS` for any not given. */
  timeouts?: Partial<AwsTimeouts>
}

export interface ServerAwsGateway extends AwsGateway {
  /** The stored record (with sealed secrets): for the server only. */
  record(id: string): Promise<AccountRecord>
  /** Drop cached clients of one account (after an edit) or of all. */
  forget(accountId?: string): void
  /** The limits its clients use (the account test reads `testMs`). */
  readonly timeouts: AwsTimeouts
  /**
   * For shutdown: calls in flight end at once (`ServerStopping`), no new attempt starts, and every
   * client is destroyed with its sockets, so no open connection keeps the process alive.
   */
  close(): void
}

interface AccountEntry {
  record: AccountRecord
  loadedAt: number
  clients: Map<string, AwsClients[AwsServiceName]>
  limiters: Map<string, Semaphore>
  credentials?: CredentialConfig
  recording?: Promise<Recording>
}

/** One client per (account, region, service), built on first use and reused by every run. */
export function createAwsGateway(options: GatewayOptions): ServerAwsGateway {
  const secrets = options.secrets ?? createSecretBox()
  const concurrency = options.concurrency ?? 8
  const ttl = options.accountTtlMs ?? 30_000
  // Checked again at load, not only when the account is saved: a stored path predates any narrowing of the roots.
  const snapshotRoots = options.snapshotRoots ?? defaultSnapshotRoots()
  const entries = new Map<string, Promise<AccountEntry>>()
  const timeouts: AwsTimeouts = { ...AWS_TIMEOUT_DEFAULTS, ...options.timeouts }
  const closing = new AbortController()

  const load = async (id: string): Promise<AccountEntry> => {
    const record = await options.accounts.get(id)
    if (!record) throw new FlowError('ACCOUNT_UNKNOWN', `there is no account "${id}"`)
    return { record, loadedAt: Date.now(), clients: new Map(), limiters: new Map() }
  }

  const entry = async (id: string): Promise<AccountEntry> => {
    let pending = entries.get(id)
    if (!pending) {
      pending = load(id)
      entries.set(id, pending)
      pending.catch(() => entries.delete(id))
    }
    const found = await pending
    if (Date.now() - found.loadedAt > ttl) {
      const fresh = await options.accounts.get(id)
      if (!fresh || fresh.updatedAt !== found.record.updatedAt) {
        forget(id)
        return entry(id)
      }
      found.loadedAt = Date.now()
    }
    return found
  }

  const forget = (accountId?: string) => {
    const ids = accountId === undefined ? [...entries.keys()] : [accountId]
    for (const id of ids) {
      const pending = entries.get(id)
      entries.delete(id)
      pending
        ?.then((e) => {
          for (const client of e.clients.values()) client.destroy()
        })
        .catch(() => {})
    }
  }

  const view = (record: AccountRecord): AwsAccountView => ({
    id: record.id,
    name: record.name,
    kind: record.kind,
    ...(record.awsAccountId ? { awsAccountId: record.awsAccountId } : {}),
    regions: record.regions,
  })

  return {
    async account(id) {
      return view((await entry(id)).record)
    },
    async record(id) {
      return (await entry(id)).record
    },
    forget,
    timeouts,
    close() {
      closing.abort()
      forget()
    },
    async client<S extends AwsServiceName>(
      accountId: string,
      region: string,
      service: S
    ): Promise<AwsClients[S]> {
      const found = await entry(accountId)
      const key = `${region}/${service}`
      const cached = found.clients.get(key)
      if (cached) return cached as AwsClients[S]
      const { record } = found
      const spec = { accountId, region, service }
      let client: AwsClients[S]
      if (record.kind === 'snapshot') {
        found.recording ??= loadRecording(record.snapshot!, record.regions, snapshotRoots)
        const recording = await found.recording
        const answer = createAnswer(recording, region, service, {
          accountId,
          ...(record.awsAccountId ? { awsAccountId: record.awsAccountId } : {}),
        })
        client = await snapshotClient(spec, {
          answer,
          ...(options.decorate ? { decorate: options.decorate } : {}),
        })
      } else {
        found.credentials ??= accountCredentials(record, secrets, { timeouts, closing: closing.signal })
        const limiter = getOrSet(found.limiters, region, () => new Semaphore(concurrency))
        client = await liveClient(spec, {
          credentials: found.credentials,
          limiter,
          timeouts,
          closing: closing.signal,
          ...(record.endpoint ? { endpoint: record.endpoint } : {}),
          ...(options.decorate ? { decorate: options.decorate } : {}),
        })
      }
      // Another caller may have built one meanwhile; keep the first. A client finished after the
      // gateway closed is destroyed too, so nothing outlives the shutdown.
      const raced = found.clients.get(key)
      if (closing.signal.aborted) {
        client.destroy()
        throw new FlowError('SERVER_STOPPING', 'qflow is stopping')
      }
      if (raced) {
        client.destroy()
        return raced as AwsClients[S]
      }
      found.clients.set(key, client)
      return client
    },
  }
}
