/**
 * The query parameters the public QFlow API documents, per route (see the product notes, section
 * 7). Scripts written for it may send any of them, so each stays accepted on its route even where
 * qflow does not implement it (it is then ignored); a name neither API knows is refused, as on
 * `/api`. qflow implements every name listed today, and takes `offset` on both lists as well; the
 * list is the record of what must keep being accepted, whatever the schemas become.
 */
export const PUBLIC_API_QUERY = {
  /** `GET /workflows` (QFlow 1.16 notes). */
  workflows: ['pageSize', 'pageNumber', 'query', 'startAt', 'endAt', 'order'],
  /** `GET /workflows/{id}/executions`; one of its samples pages with `offset`. */
  executions: ['pageSize', 'pageNumber', 'offset', 'query', 'startAt', 'endAt', 'order'],
  /** `GET /executions/{id}`. */
  execution: ['includeSteps'],
} as const satisfies Record<string, readonly string[]>
