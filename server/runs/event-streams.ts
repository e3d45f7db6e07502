/**
 * The run event streams open in this process, for a shutdown. A stream whose run is handed back
 * to the queue never hears `run.finished` here, and without a last word a client cannot tell "this
 * server is going away, follow the run elsewhere" from a broken connection. So once runs are
 * finished or handed back, `end()` asks every stream still open to say `server-stopping` and close,
 * and waits until they have.
 */
export function createEventStreams(options: { endWaitMs?: number } = {}) {
  const stopping = new AbortController()
  const open = new Set<Promise<void>>()
  return {
    /** Aborted when the streams are to end; a stream opened after that ends at once. */
    signal: stopping.signal,
    /** Count a stream as open until `done` settles (after its last write). */
    track(done: Promise<void>): void {
      open.add(done)
      const forget = () => open.delete(done)
      done.then(forget, forget)
    },
    async end(): Promise<void> {
      stopping.abort()
      // Bounded: a client that reads nothing must not hold the shutdown; its socket is closed next.
      let timer: NodeJS.Timeout | undefined
      const limit = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, options.endWaitMs ?? 2000)
      })
      await Promise.race([Promise.allSettled([...open]), limit])
      clearTimeout(timer)
    },
  }
}

export type EventStreams = ReturnType<typeof createEventStreams>
