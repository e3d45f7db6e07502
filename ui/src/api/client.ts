import type { Flow, FlowInput } from '../../../core/flow/schema.ts'
import type { NodeTypeDescription } from '../../../core/plugin/registry.ts'
import type { RunEvent, RunStatus, StepStatus } from '../../../core/run/events.ts'
import { readSse } from './sse.ts'

/** The API's error body, `{error: {code, message, details}}`, as a thrown value. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown
  ) {
    super(message)
    this.name = 'ApiError'
  }
}

/** A page of a step payload, as `GET /api/runs/:id/steps/:nodeId/output?limit=` answers it. */
export interface StepPage {
  port: string | null
  offset: number
  limit: number
  total: number
  items: unknown[]
  ports: Record<string, number>
  bytes: number
}

/** A problem the server found in a stored flow (it stores flows with problems; runs refuse them). */
export interface StoredProblem {
  code?: string
  message: string
  nodeId?: string
  edgeId?: string
  field?: string
}

export interface StoredFlow {
  flow: Flow
  version: number
  problems?: StoredProblem[]
}

export interface FlowSummary {
  id: string
  name: string
  description: string
  categories: string[]
  deployed: boolean
  updatedAt?: string
  version?: number
}

export interface StepRecord {
  nodeId: string
  status: StepStatus
  startedAt?: string | number | null
  finishedAt?: string | number | null
  error?: { code?: string; message: string } | null
  warning?: { code?: string; message: string } | null
  inputCount?: number
  outputCount?: number
  outputCounts?: Record<string, number>
  inputPreview?: unknown
  outputPreview?: unknown
}

export interface RunRecord {
  id: string
  flowId: string
  status: RunStatus
  /** A node ended `partial` (some of its work failed); the run itself still `succeeded`. */
  partial?: boolean
  until?: string | null
  createdAt?: string | number
  startedAt?: string | number | null
  finishedAt?: string | number | null
  error?: { message: string } | null
  steps: StepRecord[]
}

export interface Page<T> {
  items: T[]
  total?: number
}

/**
 * What the run event stream carries: a snapshot first, then engine events whose item payloads the
 * server replaced by counts (`inputCount`, `outputCount`) and previews.
 */
export type LiveEvent =
  | { type: 'snapshot'; run: RunRecord }
  | (RunEvent & { inputCount?: number; outputCount?: number; outputCounts?: Record<string, number> })

/** How a followed event stream ended: with the run finished, or before (then reconnect). */
export type FollowEnd = { finished: true } | { finished: false; retryMs?: number }

export interface ClientOptions {
  baseUrl: string
  /** Returns the bearer token for each request; no cookies are ever sent. */
  getToken?: () => string | null | undefined | Promise<string | null | undefined>
  fetch?: typeof fetch
}

/**
 * The REST API of issue 2, typed. It only knows URLs and shapes; it holds no state besides where the
 * server is and how to get a token.
 */
export class QflowClient {
  constructor(private readonly options: ClientOptions) {}

  private url(path: string): string {
    const base = this.options.baseUrl.replace(/\/+$/, '')
    return `${base}${path}`
  }

  private async headers(extra?: Record<string, string>): Promise<Record<string, string>> {
    const token = await this.options.getToken?.()
    return { accept: 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...extra }
  }

  async request<T>(
    method: string,
    path: string,
    body?: unknown,
    extraHeaders?: Record<string, string>
  ): Promise<{ data: T; response: Response }> {
    const doFetch = this.options.fetch ?? fetch
    const headers = await this.headers(
      body === undefined ? extraHeaders : { 'content-type': 'application/json', ...extraHeaders }
    )
    let response: Response
    try {
      response = await doFetch(this.url(path), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
      })
    } catch (err) {
      throw new ApiError(
        0,
        'NETWORK',
        `Cannot reach the qflow server at ${this.options.baseUrl || location.origin} (${(err as Error).message})`
      )
    }
    const text = await response.text()
    let data: unknown
    if (text) {
      try {
        data = JSON.parse(text)
      } catch {
        data = text
      }
    }
    if (!response.ok) {
      const error = (data as { error?: { code?: string; message?: string; details?: unknown } } | undefined)
        ?.error
      throw new ApiError(
        response.status,
        error?.code ?? `HTTP_${response.status}`,
        error?.message ?? `${method} ${path} failed with ${response.status}`,
        error?.details
      )
    }
    return { data: data as T, response }
  }

  /**
   * Whether this server wants a key from us, asked before any API call so a missing key is a
   * prompt, not a 401 in the console. A server that cannot say (older, unreachable) counts as
   * "no": the first API call tells then.
   */
  async keyRequired(): Promise<boolean> {
    try {
      const response = await (this.options.fetch ?? fetch)(this.url('/healthz'), { credentials: 'omit' })
      const body = (await response.json()) as { keyRequired?: unknown }
      return body.keyRequired === true
    } catch {
      return false
    }
  }

  async nodeTypes(): Promise<NodeTypeDescription[]> {
    const { data } = await this.request<unknown>('GET', '/api/node-types')
    return listOf<NodeTypeDescription>(data, 'nodeTypes')
  }

  async listFlows(
    query: { q?: string; category?: string; limit?: number; offset?: number } = {}
  ): Promise<Page<FlowSummary>> {
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v))
    const { data } = await this.request<unknown>('GET', `/api/flows${params.size ? `?${params}` : ''}`)
    const items = listOf<Record<string, unknown>>(data, 'flows').map(toSummary)
    const total = (data as { total?: number })?.total
    return { items, total }
  }

  async getFlow(id: string): Promise<StoredFlow> {
    const { data, response } = await this.request<unknown>('GET', `/api/flows/${encodeURIComponent(id)}`)
    return toStored(data, response)
  }

  async createFlow(flow: FlowInput): Promise<StoredFlow> {
    const { data, response } = await this.request<unknown>('POST', '/api/flows', flow)
    return toStored(data, response)
  }

  /** The problems the server would store `flow` with, without saving it. */
  async validateFlow(flow: FlowInput): Promise<StoredProblem[]> {
    const { data } = await this.request<{ problems?: StoredProblem[] }>('POST', '/api/flows/validate', flow)
    return Array.isArray(data?.problems) ? data.problems : []
  }

  /** Saves with the version check: a stale `version` gets an ApiError with status 409. */
  async saveFlow(id: string, flow: FlowInput, version: number | null): Promise<StoredFlow> {
    const headers: Record<string, string> = version === null ? {} : { 'if-match': String(version) }
    const { data, response } = await this.request<unknown>(
      'PUT',
      `/api/flows/${encodeURIComponent(id)}`,
      flow,
      headers
    )
    return toStored(data, response)
  }

  async deleteFlow(id: string): Promise<void> {
    await this.request('DELETE', `/api/flows/${encodeURIComponent(id)}`)
  }

  async setDeployed(id: string, deployed: boolean): Promise<StoredFlow | null> {
    const { data, response } = await this.request<unknown>(
      'POST',
      `/api/flows/${encodeURIComponent(id)}/${deployed ? 'deploy' : 'undeploy'}`
    )
    return data && typeof data === 'object' ? toStored(data, response) : null
  }

  async exportFlow(id: string): Promise<unknown> {
    return (await this.request<unknown>('GET', `/api/flows/${encodeURIComponent(id)}/export`)).data
  }

  async importFlow(document: unknown): Promise<StoredFlow> {
    const { data, response } = await this.request<unknown>('POST', '/api/flows/import', document)
    return toStored(data, response)
  }

  /** Import under a fresh id (when the document's id is taken). */
  async importFlowCopy(document: unknown): Promise<StoredFlow> {
    const { data, response } = await this.request<unknown>('POST', '/api/flows/import?newId=true', document)
    return toStored(data, response)
  }

  async startRun(
    flowId: string,
    body: { until?: string; accounts?: string[]; regions?: string[]; input?: unknown } = {}
  ): Promise<string> {
    const { data } = await this.request<Record<string, unknown>>(
      'POST',
      `/api/flows/${encodeURIComponent(flowId)}/runs`,
      body
    )
    const id = data?.id ?? data?.runId ?? (data?.run as Record<string, unknown> | undefined)?.id
    if (typeof id !== 'string') throw new ApiError(500, 'BAD_RESPONSE', 'the server did not return a run id')
    return id
  }

  async listRuns(
    flowId: string,
    query: { limit?: number; offset?: number; status?: string } = {}
  ): Promise<Page<RunRecord>> {
    const params = new URLSearchParams()
    for (const [k, v] of Object.entries(query)) if (v !== undefined) params.set(k, String(v))
    const { data } = await this.request<unknown>(
      'GET',
      `/api/flows/${encodeURIComponent(flowId)}/runs${params.size ? `?${params}` : ''}`
    )
    return {
      items: listOf<Record<string, unknown>>(data, 'runs').map(toRun),
      total: (data as { total?: number })?.total,
    }
  }

  async getRun(runId: string): Promise<RunRecord> {
    const { data } = await this.request<Record<string, unknown>>(
      'GET',
      `/api/runs/${encodeURIComponent(runId)}`
    )
    return toRun((data?.run as Record<string, unknown>) ?? data)
  }

  async cancelRun(runId: string): Promise<void> {
    await this.request('POST', `/api/runs/${encodeURIComponent(runId)}/cancel`)
  }

  /** The whole output of one step: `{port: items[]}`, plus its size in bytes as sent. */
  stepOutput(runId: string, nodeId: string): Promise<{ output: unknown; bytes: number }> {
    return this.stepPayload(runId, nodeId, 'output')
  }

  /**
   * One page of a step's output (or input): a port's items from `offset`, every port's item count
   * and the whole payload's size, so large outputs are shown without downloading them.
   */
  async stepPage(
    runId: string,
    nodeId: string,
    side: 'input' | 'output',
    page: { port?: string; offset?: number; limit: number }
  ): Promise<StepPage> {
    const params = new URLSearchParams({ limit: String(page.limit) })
    if (page.port !== undefined) params.set('port', page.port)
    if (page.offset) params.set('offset', String(page.offset))
    const { data } = await this.request<StepPage>(
      'GET',
      `/api/runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(nodeId)}/${side}?${params}`
    )
    return data
  }

  /** The first `limit` items of every port of a step's output (or input), as `{port: items[]}`. */
  async stepSample(
    runId: string,
    nodeId: string,
    side: 'input' | 'output',
    limit: number
  ): Promise<Record<string, unknown[]>> {
    const first = await this.stepPage(runId, nodeId, side, { limit })
    const sample: Record<string, unknown[]> = {}
    await Promise.all(
      Object.keys(first.ports).map(async (port) => {
        sample[port] =
          port === first.port
            ? first.items
            : (await this.stepPage(runId, nodeId, side, { port, limit })).items
      })
    )
    return sample
  }

  /** The whole input of one step, as `{port: items[]}`. */
  stepInput(runId: string, nodeId: string): Promise<{ output: unknown; bytes: number }> {
    return this.stepPayload(runId, nodeId, 'input')
  }

  private async stepPayload(
    runId: string,
    nodeId: string,
    side: 'input' | 'output'
  ): Promise<{ output: unknown; bytes: number }> {
    const { data, response } = await this.request<unknown>(
      'GET',
      `/api/runs/${encodeURIComponent(runId)}/steps/${encodeURIComponent(nodeId)}/${side}`
    )
    const length = Number(response.headers.get('content-length'))
    return {
      output: data,
      bytes: Number.isFinite(length) && length > 0 ? length : JSON.stringify(data).length,
    }
  }

  /**
   * Follows a run's events until it finishes, the stream ends or `signal` aborts. The stream opens
   * with a `snapshot` (the run with its steps), then carries the engine's events. Says whether the
   * run finished; if not, the stream ended first (the server stopping, as its `server-stopping`
   * event says, or a dropped connection) and the caller reconnects after `retryMs` if given.
   */
  async followRun(
    runId: string,
    onEvent: (event: LiveEvent) => void,
    signal: AbortSignal
  ): Promise<FollowEnd> {
    const doFetch = this.options.fetch ?? fetch
    const response = await doFetch(this.url(`/api/runs/${encodeURIComponent(runId)}/events`), {
      headers: await this.headers({ accept: 'text/event-stream' }),
      credentials: 'omit',
      signal,
    })
    if (!response.ok || !response.body)
      throw new ApiError(response.status, 'SSE_FAILED', `cannot follow run ${runId}`)
    let retryMs: number | undefined
    for await (const message of readSse(response.body, signal)) {
      retryMs = message.retry
      // The server's last word before it closes the stream: the run goes on, reconnect.
      if (message.event === 'server-stopping') break
      if (!message.data) continue
      let parsed: unknown
      try {
        parsed = JSON.parse(message.data)
      } catch {
        continue
      }
      // The snapshot's data is the run itself (as GET /api/runs/:id gives it); the others are events.
      const event = (
        message.event === 'snapshot'
          ? { type: 'snapshot', run: parsed }
          : parsed && typeof parsed === 'object' && 'type' in parsed
            ? parsed
            : { ...(parsed as object), type: message.event }
      ) as LiveEvent
      onEvent(event)
      if (event.type === 'run.finished') return { finished: true }
    }
    return { finished: false, ...(retryMs === undefined ? {} : { retryMs }) }
  }

  /** Any JSON endpoint (accounts, regions, catalogue) for widgets that need server data. */
  async getJson<T>(path: string): Promise<T> {
    return (await this.request<T>('GET', path)).data
  }
}

/** Lists come as a bare array or wrapped (`{items}`, `{data}` or `{<name>}`). */
export function listOf<T>(data: unknown, name: string): T[] {
  if (Array.isArray(data)) return data as T[]
  if (data && typeof data === 'object') {
    const record = data as Record<string, unknown>
    for (const key of ['items', name, 'data', 'results'])
      if (Array.isArray(record[key])) return record[key] as T[]
  }
  return []
}

function toSummary(raw: Record<string, unknown>): FlowSummary {
  const flow = (raw.flow as Record<string, unknown>) ?? (raw.document as Record<string, unknown>) ?? raw
  return {
    id: String(raw.id ?? flow.id),
    name: String(flow.name ?? raw.name ?? ''),
    description: String(flow.description ?? raw.description ?? ''),
    categories: (flow.categories ?? raw.categories ?? []) as string[],
    deployed: Boolean(flow.deployed ?? raw.deployed),
    updatedAt: (raw.updatedAt as string) ?? undefined,
    version: typeof raw.version === 'number' ? raw.version : undefined,
  }
}

/** A stored flow comes as the document plus `version` (body field or ETag header). */
export function toStored(data: unknown, response?: Response): StoredFlow {
  const raw = (data ?? {}) as Record<string, unknown>
  const doc = (raw.flow as Record<string, unknown>) ?? (raw.document as Record<string, unknown>) ?? raw
  const etag = response?.headers.get('etag')?.replace(/^W\//, '').replace(/"/g, '')
  const version = Number(raw.version ?? doc.version ?? etag ?? 0)
  const { version: _drop, ...flow } = doc as Record<string, unknown> & { version?: unknown }
  const problems = Array.isArray(raw.problems) ? (raw.problems as StoredProblem[]) : undefined
  return { flow: { ...(flow as unknown as Flow), id: String(raw.id ?? doc.id) }, version, problems }
}

function toRun(raw: Record<string, unknown>): RunRecord {
  return {
    ...(raw as unknown as RunRecord),
    id: String(raw.id),
    steps: listOf<StepRecord>(raw.steps, 'steps'),
  }
}
