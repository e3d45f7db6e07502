import { compilePath } from '../../core/path.ts'
import type { Item } from '../../core/plugin/types.ts'
import { toPlainJson } from '../shared/json.ts'
import { paginate, type SendingClient } from '../shared/sdk.ts'
import { type AddonSpec, type ResourceMethod, resourceMethod } from './catalogue.ts'

/**
 * Fetches the related resources of one addon for one account and region. Ids are collected while
 * the main listing pages in, and a batched lookup starts as soon as a batch is full, so the lookups
 * overlap the listing; each id is asked for once however many resources share it.
 */
export class RelatedFetcher {
  readonly spec: AddonSpec
  private readonly related: ResourceMethod
  private readonly ids
  private readonly requested = new Set<string>()
  private pending: string[] = []
  private readonly batches: Promise<void>[] = []
  private readonly found = new Map<string, Item>()

  constructor(
    spec: AddonSpec,
    private readonly client: SendingClient,
    private readonly signal?: AbortSignal
  ) {
    const related = resourceMethod(spec.method)
    if (!related?.lookup) throw new Error(`addon ${spec.key}: ${spec.method} cannot be looked up by id`)
    this.spec = spec
    this.related = related
    this.ids = compilePath(spec.idsFrom)
  }

  /** Note the related ids of one resource; may start a lookup. */
  want(resource: Item): void {
    for (const id of this.ids.all(resource)) {
      if (typeof id !== 'string' || this.requested.has(id)) continue
      this.requested.add(id)
      this.pending.push(id)
      if (this.pending.length >= this.related.lookup!.batch) this.launch()
    }
  }

  /** Wait for every lookup; rejects with the first failure. */
  async done(): Promise<void> {
    if (this.pending.length > 0) this.launch()
    await Promise.all(this.batches)
  }

  /** The related resources of one resource, in the order it names them; ids nobody described are left out. */
  relatedTo(resource: Item): { attached: Item[]; unresolved: string[] } {
    const attached: Item[] = []
    const unresolved: string[] = []
    for (const id of new Set(this.ids.all(resource))) {
      const found = typeof id === 'string' ? this.found.get(id) : undefined
      if (found) attached.push(found)
      else unresolved.push(String(id))
    }
    return { attached, unresolved }
  }

  private launch(): void {
    const ids = this.pending
    this.pending = []
    const { related } = this
    const batch = (async () => {
      const input = { ...related.defaults, Filters: [{ Name: related.lookup!.filter, Values: ids }] }
      const resultKey = compilePath(`${related.resultKey}[*]`)
      for await (const page of paginate(
        this.client,
        related.service,
        related.operation,
        input,
        related.paging,
        this.signal
      )) {
        for (const found of resultKey.all(toPlainJson(page)) as Item[]) {
          const id = found[related.resourceIdKey]
          if (typeof id === 'string') this.found.set(id, found)
        }
      }
    })()
    // Keep an early rejection from being reported as unhandled before `done` awaits it.
    batch.catch(() => {})
    this.batches.push(batch)
  }
}
