import { html } from 'lit'
import { ApiError } from '../api/client.ts'

/** Why the editor could not open a flow, in the words its error panel shows. */
export interface LoadFailure {
  title: string
  advice: string
  status?: number
  code?: string
  message: string
}

/**
 * What a failed load means for the person looking at the editor. A bare "401" or a stuck
 * "Loading…" tells an embedder nothing; this names what failed and what to do about it.
 */
export function describeLoadFailure(err: unknown, flowId: string): LoadFailure {
  const message = err instanceof Error ? err.message : String(err)
  if (!(err instanceof ApiError)) return { title: 'The editor could not start', advice: message, message }
  const base = { status: err.status, code: err.code, message }
  switch (err.status) {
    case 0:
      return {
        ...base,
        title: 'The qflow server did not answer',
        advice: `${message}. Check api-base and that the server runs.`,
      }
    case 401:
      return err.code === 'AUTH_REQUIRED'
        ? {
            ...base,
            title: 'This qflow server needs an API key',
            advice:
              'Pass a key to the editor (token or getToken). Create one with: npx qflow keys create --role editor',
          }
        : {
            ...base,
            title: 'The API key was refused',
            advice: 'The key is unknown or was revoked. Pass a valid key (token or getToken) and try again.',
          }
    case 403:
      return { ...base, title: 'This API key may not open this flow', advice: message }
    case 404:
      return {
        ...base,
        title: 'This flow does not exist',
        advice: `No QFlow has the id "${flowId}" (or it was deleted). Open it from the QFlow list, or check the flow-id attribute where the editor is embedded.`,
      }
    default:
      return { ...base, title: 'The flow could not be loaded', advice: message }
  }
}

/** The panel over the canvas: what failed, what to do, and a retry once that is done. */
export function renderLoadFailure(failure: LoadFailure, retry: () => void) {
  return html`<div class="load-failure" role="alert" data-load-failure=${failure.status ?? ''}>
    <div class="load-failure-box">
      <strong>${failure.title}</strong>
      <p>${failure.advice}</p>
      <button data-action="retry-load" @click=${retry}>Try again</button>
    </div>
  </div>`
}
