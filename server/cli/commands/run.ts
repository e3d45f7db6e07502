import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { createEngine, type StepResult } from '../../../core/engine/engine.ts'
import { FlowError } from '../../../core/errors.ts'
import { variableNameProblem } from '../../../core/flow/schema.ts'
import type { PluginRegistry } from '../../../core/plugin/registry.ts'
import { countItems, type RunStatus, type StepError } from '../../../core/run/events.ts'
import { outputCountParts } from '../../../core/run/port-counts.ts'
import type { AwsServiceName } from '../../../plugins/shared/aws.ts'
import { loadConfig } from '../../config.ts'
import { createLogger } from '../../log.ts'
import { sdkAwsExecutor } from '../../plugins/aws-gateway.ts'
import { CONTROL_NODE_TYPE, CONTROL_RESULTS_PORT } from '../../runs/control-results.ts'
import { checkRunnable, type RunOptions } from '../../runs/service.ts'
import { ACTION_NODE_TYPE, type ActionLine, renderActions } from '../actions-table.ts'
import { type CliCommand, type CliIo, EXIT, UsageError } from '../command.ts'
import { fileRunAws } from '../file-run-aws.ts'
import { readFlowFile } from '../flow-file.ts'
import {
  loadCommandPlugins,
  pluginSettingsWith,
  registryWith,
  reportPluginFailures,
  splitPluginArgs,
} from '../plugins.ts'
import { type ResultLine, renderResults } from '../results-table.ts'
import { renderTable } from '../table.ts'

/** What the table shows of a step, whether it came from the engine or the database. */
interface StepLine {
  nodeId: string
  type: string
  status: string
  inputCount: number
  outputCount: number
  /** Items by output port: a node with several outputs is counted per port (see port-counts.ts). */
  outputCounts: Record<string, number>
  durationMs: number | null
  note: string
  /** A control node's `results` port: printed as its own table. */
  results?: ResultLine[]
  /** An action node's output: what it did or would do per resource, printed as its own table. */
  actions?: ActionLine[]
  /** The step's items by output port: in `--json`, and printed after the tables with `--verbose`. */
  output?: Record<string, unknown>
}

export const runCommand: CliCommand = {
  summary: "run a flow file (in this process) or a stored flow by id, and print each node's result",
  usage:
    'run <flow.json | flow id> [--until NODE] [--var name=value ...] [--input JSON] [--plugin <folder|module> ...] [--json] [--verbose]\n' +
    '  plugins: those installed (qflow plugin install) and in QFLOW_PLUGINS, as the server loads them;\n' +
    '  --plugin <folder> adds a plugin package for this run only, in the same sandbox\n' +
    "  --json prints each step's output items too; --verbose (-v) prints every log line of the run\n" +
    "  (ctx.log of plugins and built-ins) on stderr and each step's output items after the tables",
  async run(args, io) {
    const { positionals, values } = parse(args)
    const [target] = positionals
    if (!target || positionals.length > 1) throw new UsageError('name one flow file or flow id')
    const options: RunOptions = {
      ...(values.until ? { until: values.until } : {}),
      ...(values.var ? { variables: parseVars(values.var) } : {}),
      ...(values.input !== undefined ? { input: parseInput(values.input) } : {}),
    }
    const isFile = target.endsWith('.json') || existsSync(resolve(io.cwd, target))
    const plugins = values.plugin ?? []
    const verbose = values.verbose === true
    const log = createLogger(verbose || io.env.QFLOW_LOG_LEVEL === 'debug' ? 'debug' : 'warn', io.err)
    const withOutput = verbose || values.json === true
    const outcome = isFile
      ? await runFile(target, options, plugins, log, io, withOutput)
      : await runStored(target, options, plugins, log, io, withOutput)
    if (values.json) {
      io.out(JSON.stringify(outcome, null, 2))
    } else {
      io.out(
        renderTable(
          ['NODE', 'TYPE', 'STATUS', 'IN', 'OUT', 'MS', 'NOTE'],
          outcome.steps.map((step) => [
            step.nodeId,
            step.type,
            step.status,
            String(step.inputCount),
            outCell(step),
            step.durationMs === null ? '' : String(step.durationMs),
            step.note,
          ])
        )
      )
      for (const step of outcome.steps) {
        if (step.results) io.out(`\n${renderResults(step.nodeId, step.results)}`)
        if (step.actions) io.out(`\n${renderActions(step.nodeId, step.actions)}`)
      }
      if (verbose) {
        for (const step of outcome.steps) {
          if (step.output) io.out(`\noutput of ${step.nodeId}:\n${JSON.stringify(step.output, null, 2)}`)
        }
      }
      // The exit code follows the status (a partial run succeeded); the line says which nodes to look at.
      const partial = outcome.steps.filter((step) => step.status === 'partial').map((step) => step.nodeId)
      const note = partial.length > 0 ? ` (partial: ${partial.join(', ')} ended partial)` : ''
      io.out(
        `\nrun ${outcome.runId} ${outcome.status}${note}${outcome.error ? `: ${outcome.error.message}` : ''}`
      )
    }
    return outcome.status === 'succeeded' ? EXIT.ok : EXIT.failed
  },
}

interface Outcome {
  runId: string
  status: RunStatus
  error?: StepError
  steps: StepLine[]
}

/**
 * A file runs in this process only: nothing is stored. Community plugins run in their sandboxed
 * workers, started for this run and stopped after it.
 */
async function runFile(
  path: string,
  options: RunOptions,
  pluginPaths: string[],
  log: ReturnType<typeof createLogger>,
  io: CliIo,
  withOutput: boolean
): Promise<Outcome> {
  const flow = await readFlowFile(path, io.cwd)
  const aws = await fileRunAws(loadConfig(io.env), io.env, io.cwd)
  const controller = new AbortController()
  const onSignal = () => controller.abort(new Error('interrupted'))
  let plugins: Awaited<ReturnType<typeof loadCommandPlugins>> | undefined
  try {
    plugins = await loadCommandPlugins(
      pluginPaths,
      io,
      // As in the server: plugins reach AWS only through the host's clients for the run's accounts.
      sdkAwsExecutor((service, account, region) =>
        aws.gateway.client(account, region, service as AwsServiceName)
      )
    )
    const { registry } = plugins
    checkRunnable(flow, options, registry)
    const engine = createEngine({ registry, log, services: { aws: aws.gateway } })
    process.once('SIGINT', onSignal)
    const types = new Map(flow.nodes.map((node) => [node.id, node.type]))
    const result = await engine.run({
      runId: `local-${Date.now()}`,
      flow,
      input: options.input,
      ...(options.variables ? { variables: options.variables } : {}),
      targets: {
        ...(options.accounts ? { accounts: options.accounts } : {}),
        ...(options.regions ? { regions: options.regions } : {}),
      },
      ...(options.until ? { until: options.until } : {}),
      signal: controller.signal,
    })
    return {
      runId: result.runId,
      status: result.status,
      ...(result.error ? { error: result.error } : {}),
      steps: result.steps.map((step) => ({
        ...lineOf(step, types.get(step.nodeId) ?? '?'),
        ...(withOutput ? { output: step.output } : {}),
      })),
    }
  } catch (err) {
    if (err instanceof FlowError) throw new UsageError(err.message)
    throw err
  } finally {
    process.off('SIGINT', onSignal)
    await plugins?.close()
    aws.close()
  }
}

/** A stored flow runs through the run service, so the run is recorded like one from the API. */
async function runStored(
  flowId: string,
  options: RunOptions,
  pluginPaths: string[],
  log: ReturnType<typeof createLogger>,
  io: CliIo,
  withOutput: boolean
): Promise<Outcome> {
  const config = loadConfig(io.env)
  const { modules, folders } = splitPluginArgs(pluginPaths, io.cwd)
  const registry: PluginRegistry = await registryWith(modules, io.cwd)
  const plugins = await pluginSettingsWith(folders, io)
  // The database stack is loaded only for stored flows: running a file stays quick.
  const { createServerContext } = await import('../../context.ts')
  const ctx = await createServerContext({ config, registry, plugins, log, runtime: config })
  try {
    reportPluginFailures(ctx.plugins?.list() ?? [], folders, io)
    let done: Promise<void> | undefined
    // Execute this run here, through a claim, so a server sharing the database never runs it too.
    ctx.runService.setDispatcher((stored) => {
      done = ctx.queue.worker.runNow(stored.run.id, async (id) => {
        while (!(await ctx.waitForRun(id, 60_000))) {}
      })
    })
    const stored = await ctx.runService.submit(flowId, options, 'cli')
    await done
    const run = (await ctx.runs.getWithSteps(stored.run.id))!
    return {
      runId: run.id,
      status: run.status,
      ...(run.error ? { error: run.error } : {}),
      steps: await Promise.all(
        run.steps.map(async (step) => ({
          nodeId: step.nodeId,
          type: step.nodeType,
          status: step.status,
          inputCount: step.inputCount,
          outputCount: step.outputCount,
          outputCounts: step.outputCounts ?? {},
          durationMs:
            step.startedAt != null && step.finishedAt != null ? step.finishedAt - step.startedAt : null,
          note: step.error?.message ?? step.warning?.message ?? '',
          ...(await storedTables(run.id, step.nodeId, step.nodeType)),
          ...(withOutput ? await storedOutput(run.id, step.nodeId) : {}),
        }))
      ),
    }
  } finally {
    await ctx.close()
  }

  async function storedOutput(runId: string, nodeId: string): Promise<Pick<StepLine, 'output'>> {
    const found = await ctx.runs.stepPayload(runId, nodeId, 'output')
    return found.kind === 'found' ? { output: JSON.parse(found.json) as Record<string, unknown> } : {}
  }

  /** Only control and action steps have a table, so only their full output is read. */
  async function storedTables(runId: string, nodeId: string, type: string): Promise<Tables> {
    if (type !== CONTROL_NODE_TYPE && type !== ACTION_NODE_TYPE) return {}
    const found = await ctx.runs.stepPayload(runId, nodeId, 'output')
    if (found.kind !== 'found') return {}
    return tablesOf(type, JSON.parse(found.json) as Record<string, unknown>)
  }
}

type Tables = Pick<StepLine, 'results' | 'actions'>

/** A control step's `results` port, or an action step's items, when the step has them. */
function tablesOf(type: string, output: Record<string, unknown>): Tables {
  const items = output[type === CONTROL_NODE_TYPE ? CONTROL_RESULTS_PORT : 'out']
  if (!Array.isArray(items)) return {}
  if (type === CONTROL_NODE_TYPE) return { results: items as ResultLine[] }
  return type === ACTION_NODE_TYPE ? { actions: items as ActionLine[] } : {}
}

/** OUT: the count, or per port for several outputs, whose sum would count some items twice. */
function outCell(step: StepLine): string {
  const parts = outputCountParts(step.outputCount, step.outputCounts)
  return parts.length > 1 ? parts.join(', ') : String(step.outputCount)
}

function lineOf(step: StepResult, type: string): StepLine {
  return {
    nodeId: step.nodeId,
    type,
    status: step.status,
    inputCount: countItems(step.input),
    outputCount: countItems(step.output),
    outputCounts: Object.fromEntries(Object.entries(step.output).map(([port, list]) => [port, list.length])),
    durationMs:
      step.startedAt !== undefined && step.finishedAt !== undefined ? step.finishedAt - step.startedAt : null,
    note: step.error?.message ?? step.warning?.message ?? '',
    ...tablesOf(type, step.output),
  }
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: {
        until: { type: 'string' },
        var: { type: 'string', multiple: true },
        input: { type: 'string' },
        plugin: { type: 'string', multiple: true },
        json: { type: 'boolean' },
        verbose: { type: 'boolean', short: 'v' },
      },
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}

/** `--var name=value`: the value stays text; the flow's declared type decides how it is read. */
function parseVars(pairs: string[]): Record<string, string> {
  const variables: Record<string, string> = {}
  for (const pair of pairs) {
    const at = pair.indexOf('=')
    if (at <= 0) throw new UsageError(`--var ${pair}: expected name=value`)
    const name = pair.slice(0, at)
    // Checked here because `__proto__` would vanish on assignment below, never reaching the flow's check.
    const problem = variableNameProblem(name)
    if (problem) throw new UsageError(`--var ${name}: ${problem}`)
    // One value would win unseen, as with a query parameter given twice.
    if (Object.hasOwn(variables, name)) throw new UsageError(`--var ${name} given twice`)
    variables[name] = pair.slice(at + 1)
  }
  return variables
}

function parseInput(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch (err) {
    throw new UsageError(`--input is not valid JSON: ${(err as Error).message}`)
  }
}
