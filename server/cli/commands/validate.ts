import { parseArgs } from 'node:util'
import { validateFlow } from '../../../core/flow/validate.ts'
import { countOf } from '../../plural.ts'
import { type CliCommand, EXIT, UsageError } from '../command.ts'
import { readFlowFile } from '../flow-file.ts'
import { loadCommandPlugins } from '../plugins.ts'

export const validateCommand: CliCommand = {
  summary: 'check a flow file and list every problem (exit 1 when there are any)',
  usage:
    'validate <flow.json> [--plugin <folder|module> ...]\n' +
    '  knows the node types of installed plugins, those in QFLOW_PLUGINS and --plugin folders',
  async run(args, io) {
    const { positionals, values } = parse(args)
    const [file] = positionals
    if (!file || positionals.length > 1) throw new UsageError('name one flow file')
    const flow = await readFlowFile(file, io.cwd)
    const plugins = await loadCommandPlugins(values.plugin ?? [], io)
    let problems: ReturnType<typeof validateFlow>
    try {
      problems = validateFlow(flow, plugins.registry)
    } finally {
      await plugins.close()
    }
    if (problems.length === 0) {
      io.out(`${file}: valid (${countOf(flow.nodes.length, 'node')}, ${countOf(flow.edges.length, 'edge')})`)
      return EXIT.ok
    }
    io.out(`${file}: ${countOf(problems.length, 'problem')}`)
    for (const problem of problems) {
      const where = [problem.nodeId && `node ${problem.nodeId}`, problem.edgeId && `edge ${problem.edgeId}`]
        .filter(Boolean)
        .join(', ')
      io.out(`  - [${problem.code}]${where ? ` ${where}:` : ''} ${problem.message}`)
    }
    return EXIT.failed
  },
}

function parse(args: string[]) {
  try {
    return parseArgs({
      args,
      allowPositionals: true,
      options: { plugin: { type: 'string', multiple: true } },
    })
  } catch (err) {
    throw new UsageError((err as Error).message)
  }
}
