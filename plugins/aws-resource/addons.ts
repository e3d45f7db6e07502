import { type CompiledPath, compilePath } from '../../core/path.ts'
import type { Item } from '../../core/plugin/types.ts'
import { toPlainJson } from '../shared/json.ts'
import { paginate, type SendingClient } from '../shared/sdk.ts'
import { type AddonSpec, type ResourceMethod, resourceMethod } from './catalogue.ts'
import { addGap, attachDetails, type Gap } from './details.ts'

/**
 * Fetches the related resources of one addon for one account and region. Ids are collected while
 * the main listing pages in, and a batched lookup starts as soon as a batch is full, so the lookups
 * overlap the listing; each id is asked for once however many resources share it. Related
 * resources with `details` get them before they count as found. A lookup the service declines
 * (access denied) leaves its ids unresolved and is reported in `gaps`; other failures reject.
 */
export class RelatedFetcher {
  readonly spec: AddonSpec
  readonly gaps: Gap[] = []
  private readonly related: ResourceMethod
  private readonly ids: CompiledPath[]
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
    this.ids = (typeof spec.idsFrom === 'string' ? [spec.idsFrom] : spec.idsFrom).map(compilePath)
  }

  private idsOf(resource: Item): unknown[] {
    return this.ids.length === 1 ? this.ids[0]!.all(resource) : this.ids.flatMap((path) => path.all(resource))
  }

  /** Note the related ids of one resource; may start a lookup. */
  want(resource: Item): void {
    for (const id of this.idsOf(resource)) {
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
    for (const id of new Set(this.idsOf(resource))) {
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
      const described: Item[] = []
      try {
        for await (const page of paginate(
          this.client,
          related.service,
          related.operation,
          input,
          related.paging,
          this.signal
        ))
          for (const found of resultKey.all(toPlainJson(page)) as Item[]) described.push(found)
      } catch (err) {
        if (addGap(this.gaps, this.spec.key, related.operation, err, ids)) return
        throw err
      }
      // A related resource without its details is not described enough to judge: unresolved.
      const declined = await attachDetails(
        this.client,
        related,
        described,
        this.spec.key,
        this.gaps,
        this.signal
      )
      for (const found of described) {
        const id = found[related.resourceIdKey]
        if (typeof id === 'string' && !declined.has(id)) this.found.set(id, found)
      }
    })()
    // Keep an early rejection from being reported as unhandled before `done` awaits it.
    batch.catch(() => {})
    this.batches.push(batch)
  }
}
