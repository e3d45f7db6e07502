import type { Context } from 'hono'
import { z } from 'zod'
import type { ServerContext } from '../context.ts'
import { AppError } from '../errors.ts'
import type { SubmittedRun } from '../runs/service.ts'
import { presentRun, presentStep } from './present.ts'

/** Longest `?wait=` honoured: long enough for most runs, short enough for proxies' idle timeouts. */
export const MAX_WAIT_SECONDS = 60

/** `?wait=N` on the routes that start a run: see `answerSubmission`. */
export const waitQuery = z.object({
  wait: z.coerce.number().min(0).max(MAX_WAIT_SECONDS).optional(),
})

/** `Idempotency-Key`: printable, at most 200 characters (a UUID is typical). */
export function idempotencyKeyOf(c: Context): string | undefined {
  const key = c.req.header('idempotency-key')
  if (key === undefined) return undefined
  if (!/^[\x21-\x7e]{1,200}$/.test(key)) {
    throw new AppError(
      400,
      'VALIDATION_FAILED',
      'Idempotency-Key: 1 to 200 printable characters without spaces (a UUID is a good choice)',
      { issues: [{ field: 'Idempotency-Key', message: 'invalid' }] }
    )
  }
  return key
}

/**
 * The answer to a run request. 202 with `Location` once the run is stored; with `?wait=N`, 200 with
 * the finished run and its steps if it finishes within N seconds. A repeated `Idempotency-Key`
 * answers the same way for the earlier run, with `Idempotent-Replayed: true`. A flow whose overlap
 * policy is `skip` and that is already running answers 409 naming the run that is going.
 */
export async function answerSubmission(
  c: Context,
  ctx: ServerContext,
  submitted: SubmittedRun,
  wait: number
) {
  const { run } = submitted
  if (submitted.outcome === 'skipped') {
    throw new AppError(
      409,
      'RUN_SKIPPED',
      `flow "${run.flowId}" is already running (run ${run.id}) and its overlap policy is skip`,
      {
        activeRunId: run.id,
      }
    )
  }
  if (submitted.outcome === 'existing') c.header('Idempotent-Replayed', 'true')
  c.header('Location', `/api/runs/${run.id}`)
  if (wait > 0 && (await ctx.waitForRun(run.id, wait * 1000))) {
    const finished = await ctx.runs.getWithSteps(run.id)
    if (finished) return c.json({ ...presentRun(finished), steps: finished.steps.map(presentStep) }, 200)
  }
  // A run accepted just now has no steps yet; one found again (a waited-on or replayed run) may.
  const current =
    wait > 0 || submitted.outcome === 'existing' ? ((await ctx.runs.getWithSteps(run.id)) ?? run) : run
  return c.json({ ...presentRun(current), url: `/api/runs/${run.id}` }, 202)
}
