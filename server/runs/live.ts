import type { RunEvent } from '../../core/run/events.ts'
import type { ItemsPreview } from '../db/schema/runs.ts'

/**
 * What live subscribers (the editor over SSE) see of a run's events: the engine's events with
 * item payloads replaced by counts and a bounded preview. Published only after the event is
 * stored, so a client never sees a state the database does not have.
 */
export type LiveRunEvent =
  | EngineEvent<'run.started'>
  | (Omit<EngineEvent<'node.started'>, 'input'> & { inputCount: number; inputPreview: ItemsPreview })
  | (Omit<EngineEvent<'node.finished'>, 'output'> & {
      outputCount: number
      outputCounts: Record<string, number>
      outputPreview: ItemsPreview
    })
  | EngineEvent<'node.failed'>
  | EngineEvent<'run.finished'>

type EngineEvent<T extends RunEvent['type']> = Extract<RunEvent, { type: T }>

type Listener = (event: LiveRunEvent) => void

/** In-process fan-out of live run events, by run id. */
export function createLiveRuns() {
  const listeners = new Map<string, Set<Listener>>()
  return {
    subscribe(runId: string, listener: Listener): () => void {
      let set = listeners.get(runId)
      if (!set) {
        set = new Set()
        listeners.set(runId, set)
      }
      set.add(listener)
      return () => {
        set.delete(listener)
        // Only this set: a second call must not drop one made later for new subscribers.
        if (set.size === 0 && listeners.get(runId) === set) listeners.delete(runId)
      }
    },
    publish(event: LiveRunEvent): void {
      const set = listeners.get(event.runId)
      if (!set) return
      for (const listener of [...set]) listener(event)
    },
  }
}

export type LiveRuns = ReturnType<typeof createLiveRuns>
