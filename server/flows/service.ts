import { randomUUID } from 'node:crypto'
import { flowSchema, SAFE_ID, SAFE_ID_RULE } from '../../core/flow/schema.ts'
import { type FlowProblem, validateFlow } from '../../core/flow/validate.ts'
import type { PluginRegistry } from '../../core/plugin/registry.ts'
import { AppError, notFound } from '../errors.ts'
import { parseInput, validationFailed } from '../parse-input.ts'
import { stampPluginSources } from '../plugins/stamp.ts'
import type { FlowRecord, FlowRepo, StoredFlow } from '../repos/flows.ts'

/**
 * A check of the document about to be saved against the stored one (absent for a new flow), e.g.
 * what the caller's key may target; it throws to refuse the save.
 */
export type SaveGuard = (flow: StoredFlow, previous: StoredFlow | undefined) => void

export interface SavedFlow {
  record: FlowRecord
  problems: FlowProblem[]
}

/**
 * Saving policy: a document that does not fit the flow schema is refused (400 naming the field).
 * A well-formed flow with semantic problems (unknown type, cycle, no trigger...) is saved as a
 * draft and its problems returned, so work in progress is never lost; such a flow cannot be
 * deployed or run, so a save that would leave it deployed is refused too.
 */
export function createFlowService(deps: {
  flows: FlowRepo
  registry: PluginRegistry
  /** The ids of the accounts that exist; without it, account bindings are not checked. */
  accountIds?: () => Promise<ReadonlySet<string>>
}) {
  const { flows, registry } = deps

  /** What `validateFlow` finds, plus accounts the flow or its nodes name that do not exist. */
  async function problemsOf(flow: StoredFlow): Promise<FlowProblem[]> {
    const problems = validateFlow(flow, registry)
    if (!deps.accountIds) return problems
    const targeted = boundAccounts(flow)
    if (targeted.length === 0) return problems
    const known = await deps.accountIds()
    for (const { account, nodeId } of targeted) {
      if (known.has(account)) continue
      problems.push({
        code: 'ACCOUNT_UNKNOWN',
        field: 'accounts',
        ...(nodeId !== undefined ? { nodeId } : {}),
        message: `accounts: there is no account "${account}"${nodeId !== undefined ? ` (node "${nodeId}")` : ''}; add it (POST /api/accounts) or remove it from the list`,
      })
    }
    return problems
  }

  function parseDocument(body: unknown): StoredFlow | (Omit<StoredFlow, 'id'> & { id?: string }) {
    if (body === undefined) throw new AppError(400, 'BODY_REQUIRED', 'send the flow document as JSON')
    if (isGetAnswer(body)) {
      // Unwrapping would also drop the answer's version and problems without a word; say what to send.
      throw validationFailed([
        {
          field: 'flow',
          message: 'send the flow document itself (the "flow" of a GET answer), not {flow: ...}',
        },
      ])
    }
    // Community nodes record their plugin, so the flow can name it where the plugin is missing.
    return stampPluginSources(parseInput(flowSchema, body), registry)
  }

  async function problemsBlockingDeploy(flow: StoredFlow): Promise<FlowProblem[]> {
    const problems = await problemsOf(flow)
    if (flow.deployed && problems.length > 0) {
      throw new AppError(
        400,
        'FLOW_INVALID',
        `a deployed flow must be valid; this one has ${problems.length} problem(s)`,
        { problems }
      )
    }
    return problems
  }

  async function require(id: string): Promise<FlowRecord> {
    const record = await flows.get(id)
    if (!record) throw notFound('flow', id)
    return record
  }

  async function update(id: string, flow: StoredFlow, expectedVersion: number): Promise<SavedFlow> {
    const problems = await problemsBlockingDeploy(flow)
    const outcome = await flows.update(id, flow, expectedVersion)
    if (outcome.kind === 'missing') throw notFound('flow', id)
    if (outcome.kind === 'conflict') {
      throw new AppError(
        409,
        'VERSION_CONFLICT',
        `the flow is at version ${outcome.currentVersion}, not ${expectedVersion}; reload it and apply your change again`,
        { currentVersion: outcome.currentVersion }
      )
    }
    return { record: outcome.record, problems }
  }

  return {
    require,
    problemsOf,

    /**
     * The problems a document would be saved with, without saving it: the editor checks a node's
     * configuration this way before closing its dialog. A malformed document is a 400, as on save.
     */
    check(body: unknown): FlowProblem[] {
      const parsed = parseDocument(body)
      return validateFlow({ ...parsed, id: parsed.id ?? 'draft' }, registry)
    },

    /** Create from a client document; its `id` is kept when given (and free), else one is made. */
    async create(body: unknown, options: { freshId?: boolean; guard?: SaveGuard } = {}): Promise<SavedFlow> {
      const parsed = parseDocument(body)
      const id = options.freshId || !parsed.id ? randomUUID() : parsed.id
      if (!SAFE_ID.test(id))
        throw validationFailed([{ field: 'id', message: `a flow id is ${SAFE_ID_RULE}` }])
      const flow = { ...parsed, id }
      options.guard?.(flow, undefined)
      const problems = await problemsBlockingDeploy(flow)
      const record = await flows.create(flow)
      if (!record) {
        throw new AppError(409, 'FLOW_EXISTS', `a flow with id "${id}" already exists`, { id })
      }
      return { record, problems }
    },

    /** Replace a flow's document, if the caller saw the current version. */
    async replace(id: string, body: unknown, expectedVersion: number, guard?: SaveGuard): Promise<SavedFlow> {
      const parsed = parseDocument(body)
      if (parsed.id !== undefined && parsed.id !== id) {
        throw new AppError(
          400,
          'ID_MISMATCH',
          `id: the document says "${parsed.id}" but the URL says "${id}"`,
          {
            issues: [{ field: 'id', message: 'does not match the URL' }],
          }
        )
      }
      const flow = { ...parsed, id }
      if (guard) {
        // Checked against the version the caller edited; any other version makes the update a 409.
        const previous = await require(id)
        if (previous.version === expectedVersion) guard(flow, previous.flow)
      }
      return update(id, flow, expectedVersion)
    },

    /**
     * Deploy or undeploy. Deploying checks the flow first. Already in the asked state: nothing
     * changes and no version is added.
     */
    async setDeployed(id: string, deployed: boolean, expectedVersion?: number): Promise<SavedFlow> {
      const record = await require(id)
      const version = expectedVersion ?? record.version
      if (record.flow.deployed === deployed && version === record.version) {
        return { record, problems: await problemsOf(record.flow) }
      }
      return update(id, { ...record.flow, deployed }, version)
    },
  }
}

export type FlowService = ReturnType<typeof createFlowService>

/** A GET /api/flows/:id answer sent back whole: `{flow: {...}, version, ...}` with no flow fields. */
function isGetAnswer(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('flow' in body)) return false
  return typeof body.flow === 'object' && body.flow !== null && !('name' in body) && !('nodes' in body)
}

/** The accounts a flow names, in its own binding and in any node's `config.accounts`, once each. */
function boundAccounts(flow: StoredFlow): { account: string; nodeId?: string }[] {
  const found = new Map<string, { account: string; nodeId?: string }>()
  for (const account of flow.accounts) found.set(`:${account}`, { account })
  for (const node of flow.nodes) {
    const listed = node.config.accounts
    if (!Array.isArray(listed)) continue
    for (const account of listed)
      if (typeof account === 'string') found.set(`${node.id}:${account}`, { account, nodeId: node.id })
  }
  return [...found.values()]
}
