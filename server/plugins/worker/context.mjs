/**
 * The `ctx` a community node sees inside its worker: the host's NodeContext minus host objects
 * (`services` stays empty), plus `aws.call`, which the host performs with the account's credentials.
 * Everything that reaches the host goes through `send`, so nothing here can touch the host directly.
 */
export function createContext({ id, call, send, resolveExpressions, requestAws, signal }) {
  return {
    runId: call.runId,
    flowId: call.flowId,
    node: call.node,
    config: call.config,
    variables: Object.freeze(call.variables ?? {}),
    targets: call.targets,
    runInput: call.runInput,
    signal,
    log(level, message, data) {
      send({ t: 'log', id, level: String(level), message: String(message), data: cloneable(data) })
    },
    partial(reason, details) {
      send({ t: 'partial', id, reason: String(reason), details: cloneable(details) })
    },
    resolve: (value, item) => resolveExpressions(value, { variables: call.variables ?? {}, item }),
    now: () => new Date(),
    services: {},
    aws: {
      call: (request) => requestAws(request),
    },
  }
}

/** Log data crosses a process boundary: keep it if it is plain JSON, else describe it. */
function cloneable(value) {
  if (value === undefined) return undefined
  try {
    return JSON.parse(JSON.stringify(value))
  } catch {
    return String(value)
  }
}
