import { z } from 'zod'
import { canonicalIp, internalKind } from '../plugins/worker/addresses.mjs'

/**
 * Accounts as the API takes them (input) and as they are stored (record). Secrets only ever exist
 * sealed in a record; `publicAccount` is the only shape that leaves the server.
 */
export const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/
const region = z.string().regex(REGION, 'a region looks like us-east-1')
const regions = z.array(region).max(40)
const accountKey = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/,
    'an account id is 1-64 letters, digits, _ or -, starting with a letter or digit'
  )
const awsAccountId = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits')

export const credentialsInput = z.discriminatedUnion('type', [
  z.object({ type: z.literal('default') }).strict(),
  z.object({ type: z.literal('profile'), profile: z.string().min(1).max(128) }).strict(),
  z
    .object({
      type: z.literal('static'),
      accessKeyId: z
        .string()
        .regex(/^[A-Z0-9]{16,128}$/, 'an access key id is 16-128 upper-case letters and digits'),
      /** Omitted on update with the same accessKeyId = keep the stored secret (it is never returned). */
      secretAccessKey: z.string().min(1).max(256).optional(),
      sessionToken: z.string().min(1).max(4096).optional(),
    })
    .strict(),
])

export const assumeRoleInput = z
  .object({
    roleArn: z
      .string()
      .regex(
        /^arn:aws[a-z-]*:iam::\d{12}:role\/.+$/,
        'a role ARN looks like arn:aws:iam::123456789012:role/name'
      ),
    externalId: z.string().min(2).max(1224).optional(),
    sessionName: z
      .string()
      .regex(/^[\w+=,.@-]{2,64}$/)
      .optional(),
  })
  .strict()

const common = {
  id: accountKey.optional(),
  name: z.string().trim().min(1, 'an account needs a name').max(200),
  accountId: awsAccountId.optional(),
}

/**
 * Link-local addresses (169.254.0.0/16, fe80::/10, in any spelling the plugin sandbox's address
 * check knows, IPv4-in-IPv6 included) and EC2's IPv6 metadata address are where a cloud instance's
 * metadata and credentials live. No AWS-compatible endpoint is there, so an endpoint pointing at
 * one could only be a way to make the server call it. Loopback and private addresses stay allowed:
 * emulators live there.
 */
const EC2_IPV6_METADATA = canonicalIp('fd00:ec2::254')
function isLinkLocal(hostname: string): boolean {
  const ip = canonicalIp(hostname)
  if (ip === undefined) return false
  return ip === EC2_IPV6_METADATA || (internalKind(ip)?.startsWith('link-local') ?? false)
}

export const awsAccountInput = z
  .object({
    ...common,
    kind: z.literal('aws'),
    regions: regions.min(1, 'enable at least one region'),
    endpoint: z
      .url({ protocol: /^https?$/, error: 'endpoint is an http(s) URL' })
      .refine((url) => !isLinkLocal(new URL(url).hostname), {
        error:
          'endpoint may not be a link-local address such as the instance metadata service (169.254.169.254)',
      })
      .optional(),
    /** Omitted on update = keep the stored credentials (so a rename needs no secret). */
    credentials: credentialsInput.optional(),
    assumeRole: assumeRoleInput.optional(),
  })
  .strict()

export const snapshotAccountInput = z
  .object({
    ...common,
    kind: z.literal('snapshot'),
    /** Empty = `us-east-1` for the top-level files plus every region folder. */
    regions: regions.default([]),
    /** A folder laid out as `../shared/aws-cases/<case>/`; relative paths start at the qflow install. */
    path: z.string().min(1).max(4096).optional(),
    /** Uploaded recording: `{"<region>/<service>.<Operation>.json": <response>}`, region optional. */
    files: z
      .record(z.string().min(1).max(512), z.unknown(), {
        // GET summarises an upload as its file count; sending that back cannot restore the files.
        error: (issue) =>
          typeof issue.input === 'number'
            ? 'the recorded files themselves, {"<file>.json": <response>}; GET shows only how many there are, so send them again'
            : undefined,
      })
      .refine((files) => Object.keys(files).length > 0, {
        message:
          'an upload needs at least one recorded response, e.g. {"rds.DescribeDBInstances.json": {"DBInstances": [...]}}',
      })
      .optional(),
  })
  .strict()
  .refine((input) => (input.path === undefined) !== (input.files === undefined), {
    message: 'a snapshot account needs exactly one of path or files',
    path: ['path'],
  })

/**
 * GET shows a snapshot account's source under `snapshot` (`{"snapshot": {"path": ...}}`); a client
 * sending that shape back means the top-level `path` or `files`, so it is read as those. Only a
 * `snapshot` of nothing but `path` and `files`, with neither given at the top level, is lifted;
 * anything else is left for the schema to name.
 */
function liftSnapshotSource(body: unknown): unknown {
  if (!isPlainObject(body) || body.kind !== 'snapshot' || !isPlainObject(body.snapshot)) return body
  if ('path' in body || 'files' in body) return body
  const source = body.snapshot
  if (!Object.keys(source).every((key) => key === 'path' || key === 'files')) return body
  const { snapshot: _, ...rest } = body
  return { ...rest, ...source }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export const accountInput = z.preprocess(
  liftSnapshotSource,
  z.discriminatedUnion('kind', [awsAccountInput, snapshotAccountInput])
)
export type AccountInput = z.infer<typeof accountInput>

export type StoredCredentials =
  | { type: 'default' }
  | { type: 'profile'; profile: string }
  /** `sealed` holds `{secretAccessKey, sessionToken?}` encrypted with QFLOW_SECRET_KEY. */
  | { type: 'static'; accessKeyId: string; sealed: string }

export type SnapshotSource = { path: string } | { files: Record<string, unknown> }

export interface AccountRecord {
  id: string
  name: string
  kind: 'aws' | 'snapshot'
  awsAccountId?: string
  regions: string[]
  endpoint?: string
  credentials?: StoredCredentials
  assumeRole?: { roleArn: string; externalId?: string; sessionName?: string }
  snapshot?: SnapshotSource
  createdAt: string
  updatedAt: string
}

/** What the API returns: no secret, the access key id masked, uploaded files summarised. */
export function publicAccount(record: AccountRecord) {
  const credentials =
    record.credentials?.type === 'static'
      ? {
          type: 'static' as const,
          accessKeyId: maskKeyId(record.credentials.accessKeyId),
          secretStored: true,
        }
      : record.credentials
  const snapshot = record.snapshot
    ? 'path' in record.snapshot
      ? { path: record.snapshot.path }
      : { files: Object.keys(record.snapshot.files).length }
    : undefined
  return {
    id: record.id,
    name: record.name,
    kind: record.kind,
    ...(record.awsAccountId ? { accountId: record.awsAccountId } : {}),
    regions: record.regions,
    ...(record.endpoint ? { endpoint: record.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    ...(record.assumeRole ? { assumeRole: record.assumeRole } : {}),
    ...(snapshot ? { snapshot } : {}),
    createdAt: record.createdAt,
    updatedAt: record.updatedAt,
  }
}

function maskKeyId(id: string): string {
  return id.length <= 8 ? '****' : `${id.slice(0, 4)}${'*'.repeat(id.length - 8)}${id.slice(-4)}`
}
