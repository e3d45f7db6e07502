import type { RunStatus } from '../../core/run/events.ts'
import { TERMINAL_RUN_STATUSES } from '../../core/run/events.ts'

/**
 * Wait until a run is finished or `timeoutMs` passes; true when it finished. It reads the run's
 * status from the database, because the run may execute in another process sharing it; polls start
 * at 10 ms (most runs are short) and back off to 250 ms.
 */
export async function waitForRun(
  statusOf: (runId: string) => Promise<RunStatus | undefined>,
  runId: string,
  timeoutMs: number,
  signal?: AbortSignal
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs
  let delay = 10
  for (;;) {
    const status = await statusOf(runId)
    if (status === undefined || TERMINAL_RUN_STATUSES.includes(status)) return status !== undefined
    const left = deadline - Date.now()
    if (left <= 0 || signal?.aborted) return false
    await new Promise((resolve) => setTimeout(resolve, Math.min(delay, left)))
    delay = Math.min(250, delay * 2)
  }
}
