/**
 * `qflow/plugin/testing`: a context for unit-testing a node type with any test runner. It records
 * what the node logs and marks, and answers `ctx.aws.call` from the `aws` function you pass.
 * To test in the real sandbox, run the plugin in a qflow server (see docs/plugins.md).
 */
export function createTestContext(options = {}) {
  const logs = []
  const partials = []
  const variables = Object.freeze({ ...(options.variables ?? {}) })
  const ctx = {
    runId: options.runId ?? 'test-run',
    flowId: options.flowId ?? 'test-flow',
    node: options.node ?? { id: 'node-1', type: 'test', label: 'Test node' },
    config: options.config ?? {},
    variables,
    targets: options.targets ?? { accounts: [], regions: [] },
    runInput: options.runInput,
    signal: options.signal ?? new AbortController().signal,
    log(level, message, data) {
      logs.push({ level, message, data })
    },
    partial(reason, details) {
      partials.push({ reason, details })
    },
    resolve(value, item) {
      if (!options.resolve) {
        throw new Error('ctx.resolve needs the qflow host; pass options.resolve to createTestContext')
      }
      return options.resolve(value, item, variables)
    },
    now: () => options.now ?? new Date(),
    services: {},
    aws: {
      async call(request) {
        if (!options.aws) throw new Error('ctx.aws.call: pass options.aws to createTestContext')
        return options.aws(request)
      },
    },
  }
  return { ctx, logs, partials }
}
