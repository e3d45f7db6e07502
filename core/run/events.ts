import type { PortItems } from '../plugin/types.ts'

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'cancelled'] as const
export type RunStatus = (typeof RUN_STATUSES)[number]
export const TERMINAL_RUN_STATUSES: readonly RunStatus[] = ['succeeded', 'failed', 'cancelled']

export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'partial', 'failed', 'cancelled'] as const
export type StepStatus = (typeof STEP_STATUSES)[number]

export interface StepError {
  code: string
  message: string
  details?: unknown
}

/** The stream the engine emits while a run goes: the server stores it, the editor shows it live. */
export type RunEvent =
  | { type: 'run.started'; runId: string; at: number; nodeIds: string[] }
  | { type: 'node.started'; runId: string; at: number; nodeId: string; input: PortItems }
  | {
      type: 'node.finished'
      runId: string
      at: number
      nodeId: string
      status: 'succeeded' | 'partial'
      output: PortItems
      warning?: StepError
    }
  | {
      type: 'node.failed'
      runId: string
      at: number
      nodeId: string
      status: 'failed' | 'cancelled'
      error: StepError
    }
  | { type: 'run.finished'; runId: string; at: number; status: RunStatus; error?: StepError }

export function countItems(items: PortItems): number {
  let count = 0
  for (const list of Object.values(items)) count += list.length
  return count
}
