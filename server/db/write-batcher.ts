import type { Client, InStatement } from '@libsql/client'
import type { Logger } from '../log.ts'

/** Plain SQL with arguments: the recorder builds these itself (see raw-insert.ts). */
export type Statement = InStatement

/**
 * Something that holds coalesced state and turns it into statements when a batch is cut, e.g. the
 * run recorder: ten events about one step become one upsert. `committed` runs once those
 * statements are durable; `failed` if the batch is rolled back.
 */
export interface WriteSource {
  collect(): { statements: Statement[]; committed?: () => void; failed?: (err: unknown) => void }
}

/**
 * Coalesces writes into one transaction per event-loop turn. On a libSQL file an autocommitted
 * insert costs about as much as a batch of a hundred, so everything that arrives while the
 * previous batch is being written goes into the next one. Batches never overlap, so statements
 * commit in the order they were queued.
 */
export function createWriteBatcher(client: Client, log?: Logger) {
  const sources = new Set<WriteSource>()
  let queued: { statements: Statement[]; resolve: () => void; reject: (err: unknown) => void }[] = []
  let scheduled = false
  let running: Promise<void> | undefined
  let idleWaiters: (() => void)[] = []

  async function cut(): Promise<void> {
    scheduled = false
    const direct = queued
    queued = []
    const collected = [...sources].map((source) => source.collect())
    const statements: Statement[] = []
    for (const entry of direct) statements.push(...entry.statements)
    for (const entry of collected) statements.push(...entry.statements)
    try {
      if (statements.length > 0) await client.batch(statements, 'write')
    } catch (err) {
      log?.('error', 'a database write batch failed and was rolled back', err)
      for (const entry of direct) entry.reject(err)
      for (const entry of collected) entry.failed?.(err)
      return
    }
    for (const entry of direct) entry.resolve()
    for (const entry of collected) entry.committed?.()
  }

  function schedule() {
    if (scheduled) return
    scheduled = true
    // setImmediate lets every event raised in this turn (and the microtasks it starts) join in.
    setImmediate(() => {
      running = (running ?? Promise.resolve()).then(cut).finally(() => {
        if (!scheduled && queued.length === 0) {
          running = undefined
          const waiters = idleWaiters
          idleWaiters = []
          for (const wake of waiters) wake()
        }
      })
    })
  }

  return {
    /** Queue statements for the next batch; resolves once they are committed. */
    write(statements: Statement[]): Promise<void> {
      return new Promise<void>((resolve, reject) => {
        queued.push({ statements, resolve, reject })
        schedule()
      })
    },
    addSource(source: WriteSource): void {
      sources.add(source)
    },
    /** A source has new state to write. */
    schedule,
    /** Resolves when everything queued so far is committed (or has failed). */
    idle(): Promise<void> {
      if (!scheduled && !running) return Promise.resolve()
      return new Promise((resolve) => idleWaiters.push(resolve))
    },
  }
}

export type WriteBatcher = ReturnType<typeof createWriteBatcher>
