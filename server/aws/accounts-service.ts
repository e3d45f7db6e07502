import { randomUUID } from 'node:crypto'
import type { z } from 'zod'
import { summariseAwsError } from '../../plugins/shared/errors.ts'
import { AppError } from '../errors.ts'
import { parseInput } from '../parse-input.ts'
import type { AccountRepo } from '../repos/accounts.ts'
import {
  type AccountInput,
  type AccountRecord,
  accountInput,
  type credentialsInput,
  publicAccount,
  type StoredCredentials,
} from './account.ts'
import type { ServerAwsGateway } from './gateway.ts'
import type { SecretBox } from './secrets.ts'
import { defaultSnapshotRoots, loadRecording, SnapshotError } from './snapshot/load.ts'

/** A refusal meant for the API caller; the app's error handler renders it. */
export class AccountError extends AppError {}

function parse(body: unknown): AccountInput {
  if (body === undefined) throw new AccountError(400, 'BODY_MISSING', 'send the account as a JSON body')
  return parseInput(accountInput, body)
}

/**
 * Account lifecycle: validate, seal secrets, check a snapshot recording loads before saving it,
 * and tell the gateway to drop cached clients when an account changes.
 */
export function createAccountService(deps: {
  repo: AccountRepo
  gateway: ServerAwsGateway
  secrets: SecretBox
  now?: () => Date
  /** Folders a snapshot account's path must lie inside (QFLOW_SNAPSHOT_ROOTS). */
  snapshotRoots?: readonly string[]
  /** Flows bound to an account (see `remove`); none when not given. */
  flowsBoundTo?: (accountId: string) => Promise<{ id: string; name: string }[]>
}) {
  const { repo, gateway, secrets } = deps
  const snapshotRoots = deps.snapshotRoots ?? defaultSnapshotRoots()
  const now = () => (deps.now?.() ?? new Date()).toISOString()

  async function build(input: AccountInput, id: string, previous?: AccountRecord): Promise<AccountRecord> {
    const stamp = now()
    const base = {
      id,
      name: input.name,
      ...(input.accountId ? { awsAccountId: input.accountId } : {}),
      createdAt: previous?.createdAt ?? stamp,
      updatedAt: stamp,
    }
    if (input.kind === 'snapshot') {
      const snapshot = input.path !== undefined ? { path: input.path } : { files: input.files! }
      try {
        const recording = await loadRecording(snapshot, input.regions, snapshotRoots)
        return { ...base, kind: 'snapshot', regions: recording.regions, snapshot }
      } catch (err) {
        if (err instanceof SnapshotError)
          throw new AccountError(400, 'SNAPSHOT_INVALID', `${err.field}: ${err.message}`)
        throw err
      }
    }
    let credentials: StoredCredentials
    if (!input.credentials) credentials = previous?.credentials ?? { type: 'default' }
    else if (input.credentials.type === 'static') credentials = sealStatic(input.credentials, previous)
    else credentials = input.credentials
    return {
      ...base,
      kind: 'aws',
      regions: input.regions,
      ...(input.endpoint ? { endpoint: input.endpoint } : {}),
      credentials,
      ...(input.assumeRole ? { assumeRole: input.assumeRole } : {}),
    }
  }

  /**
   * Static keys, sealed. The secret is never returned, so an update that keeps the same
   * `accessKeyId` may leave `secretAccessKey` out and the stored one is kept (with a new
   * `sessionToken` if one is sent); a new key id needs its secret.
   */
  function sealStatic(
    input: Extract<z.infer<typeof credentialsInput>, { type: 'static' }>,
    previous: AccountRecord | undefined
  ): StoredCredentials {
    const { accessKeyId, sessionToken } = input
    const kept =
      previous?.credentials?.type === 'static' && previous.credentials.accessKeyId === accessKeyId
        ? previous.credentials.sealed
        : undefined
    if (input.secretAccessKey === undefined && kept === undefined) {
      throw new AccountError(
        400,
        'VALIDATION_FAILED',
        previous
          ? 'credentials.secretAccessKey: required with a new accessKeyId (the stored secret is kept only while accessKeyId stays the same)'
          : 'credentials.secretAccessKey: required',
        { issues: [{ field: 'credentials.secretAccessKey', message: 'required' }] }
      )
    }
    try {
      if (input.secretAccessKey === undefined && sessionToken === undefined)
        return { type: 'static', accessKeyId, sealed: kept! }
      const secretAccessKey =
        input.secretAccessKey ??
        (JSON.parse(secrets.open(kept!)) as { secretAccessKey: string }).secretAccessKey
      return {
        type: 'static',
        accessKeyId,
        sealed: secrets.seal(JSON.stringify({ secretAccessKey, sessionToken })),
      }
    } catch (err) {
      throw new AccountError(400, 'SECRET_KEY_MISSING', `credentials: ${(err as Error).message}`)
    }
  }

  async function require(id: string): Promise<AccountRecord> {
    const found = await repo.get(id)
    if (!found) throw new AccountError(404, 'ACCOUNT_NOT_FOUND', `no account with id "${id}"`, { id })
    return found
  }

  return {
    list: async () => (await repo.list()).map(publicAccount),
    get: async (id: string) => publicAccount(await require(id)),
    async create(body: unknown) {
      const input = parse(body)
      const id = input.id ?? randomUUID()
      const record = await build(input, id)
      if (!(await repo.insert(record)))
        throw new AccountError(409, 'ACCOUNT_EXISTS', `an account with id "${id}" already exists`, { id })
      return publicAccount(record)
    },
    async update(id: string, body: unknown) {
      const previous = await require(id)
      const input = parse(body)
      if (input.id !== undefined && input.id !== id)
        throw new AccountError(
          400,
          'VALIDATION_FAILED',
          `id: the body says "${input.id}" but the path says "${id}"`
        )
      const record = await build(input, id, previous)
      if (!(await repo.replace(record)))
        throw new AccountError(404, 'ACCOUNT_NOT_FOUND', `no account with id "${id}"`)
      gateway.forget(id)
      return publicAccount(record)
    },
    /**
     * Delete an account. One that flows are bound to is refused (409 naming them): their runs
     * would fail with ACCOUNT_UNKNOWN from then on. `force` deletes it anyway, e.g. to replace it
     * with an account of the same id.
     */
    async remove(id: string, options: { force?: boolean } = {}) {
      const bound = options.force ? [] : ((await deps.flowsBoundTo?.(id)) ?? [])
      if (bound.length > 0) {
        await require(id)
        const named = bound.map((flow) => flow.id)
        throw new AccountError(
          409,
          'ACCOUNT_IN_USE',
          `account "${id}" is bound to ${bound.length} flow(s): ${named.slice(0, 20).join(', ')}${named.length > 20 ? ', ...' : ''}; ` +
            'unbind it from them first, or delete with ?force=true (their runs then fail with ACCOUNT_UNKNOWN)',
          { id, flows: bound }
        )
      }
      if (!(await repo.remove(id)))
        throw new AccountError(404, 'ACCOUNT_NOT_FOUND', `no account with id "${id}"`, { id })
      gateway.forget(id)
    },
    /**
     * Ask STS who these credentials are: the quickest proof an account is set up right. The whole
     * test, retries included, has its own short deadline: a caller waits seconds, not minutes, to
     * learn that the endpoint does not answer.
     */
    async test(id: string) {
      const record = await require(id)
      const region = record.regions[0] ?? 'us-east-1'
      const started = Date.now()
      const deadline = AbortSignal.timeout(gateway.timeouts.testMs)
      try {
        const sts = await gateway.client(id, region, 'sts')
        const { GetCallerIdentityCommand } = await import('@aws-sdk/client-sts')
        const identity = await sts.send(new GetCallerIdentityCommand({}), { abortSignal: deadline })
        const mismatch = record.awsAccountId && identity.Account !== record.awsAccountId
        return {
          ok: !mismatch,
          region,
          account: identity.Account,
          arn: identity.Arn,
          userId: identity.UserId,
          ms: Date.now() - started,
          ...(mismatch
            ? { problem: `credentials belong to ${identity.Account}, not ${record.awsAccountId}` }
            : {}),
        }
      } catch (err) {
        const error = deadline.aborted
          ? {
              code: 'NoAnswer',
              message: `no answer from ${record.endpoint ?? `https://sts.${region}.amazonaws.com`} within ${gateway.timeouts.testMs / 1000} s`,
            }
          : withCredentialHint(summariseAwsError(err), record)
        return { ok: false, region, ms: Date.now() - started, error }
      }
    },
  }
}

export type AccountService = ReturnType<typeof createAccountService>

/**
 * The SDK says only "Could not load credentials from any providers" when none were found; name
 * where this account told it to look, which is what the operator has to fix.
 */
function withCredentialHint(
  error: { code?: string; message: string },
  record: AccountRecord
): { code?: string; message: string } {
  if (error.code !== 'CredentialsProviderError') return error
  const where =
    record.credentials?.type === 'profile'
      ? `profile "${record.credentials.profile}" (in AWS_SHARED_CREDENTIALS_FILE / AWS_CONFIG_FILE, by default ~/.aws/credentials and ~/.aws/config)`
      : 'the default provider chain (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, ~/.aws, or the instance or task role)'
  return { ...error, message: `${error.message}: no credentials from ${where}` }
}
