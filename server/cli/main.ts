import { readFileSync } from 'node:fs'
import { ConfigError } from '../config.ts'
import { AppError } from '../errors.ts'
import { type CliCommand, type CliIo, EXIT, UsageError } from './command.ts'
import { keysCommand } from './commands/keys.ts'
import { migrateCommand } from './commands/migrate.ts'
import { pluginCommand } from './commands/plugin.ts'
import { runCommand } from './commands/run.ts'
import { serveCommand } from './commands/serve.ts'
import { validateCommand } from './commands/validate.ts'

/** Subcommands by name: add one with one line (`'plugin new': pluginNewCommand` style names work too). */
export const commands: Record<string, CliCommand> = {
  serve: serveCommand,
  run: runCommand,
  validate: validateCommand,
  migrate: migrateCommand,
  plugin: pluginCommand,
  keys: keysCommand,
}

const processIo: CliIo = {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  env: process.env,
  cwd: process.cwd(),
}

/** Pick the subcommand (the longest name made of the leading words) and run it. */
export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  if (argv.length === 0 || argv[0] === 'help' || argv[0] === '--help' || argv[0] === '-h') {
    io.out(helpText())
    return argv.length === 0 ? EXIT.usage : EXIT.ok
  }
  if (argv[0] === '--version' || argv[0] === '-V' || argv[0] === 'version') {
    io.out(`qflow ${qflowVersion()}`)
    return EXIT.ok
  }
  const name = [2, 1]
    .map((words) => argv.slice(0, words).join(' '))
    .find((candidate) => candidate in commands && candidate.split(' ').length <= argv.length)
  const command = name ? commands[name] : undefined
  if (!name || !command) {
    io.err(`qflow: unknown command "${argv[0]}"\n\n${helpText()}`)
    return EXIT.usage
  }
  const args = argv.slice(name.split(' ').length)
  if (args.includes('--help') || args.includes('-h')) {
    io.out(`usage: qflow ${command.usage}\n\n${command.summary}`)
    return EXIT.ok
  }
  try {
    return await command.run(args, io)
  } catch (err) {
    if (err instanceof UsageError) {
      io.err(`qflow ${name}: ${err.message}\nusage: qflow ${command.usage}`)
      return EXIT.usage
    }
    if (err instanceof ConfigError || err instanceof AppError) {
      io.err(`qflow ${name}: ${err.message}`)
      const details = err instanceof AppError && err.details ? detailLines(err.details, err.message) : ''
      if (details) io.err(details)
      return err instanceof AppError && err.status >= 500 ? EXIT.failed : EXIT.usage
    }
    io.err(`qflow ${name}: ${(err as Error)?.stack ?? String(err)}`)
    return EXIT.failed
  }
}

/** The problems (or input issues) under an error's message, one a line; those the message already says are left out. */
function detailLines(details: unknown, message: string): string {
  const { problems: flowProblems, issues } = details as { problems?: unknown; issues?: unknown }
  const problems = flowProblems ?? issues
  if (!Array.isArray(problems)) return `  ${JSON.stringify(details)}`
  return problems
    .map((problem) => (typeof problem === 'string' ? problem : (problem as { message?: string })?.message))
    .filter((line): line is string => typeof line === 'string' && line !== '' && !message.includes(line))
    .map((line) => `  - ${line}`)
    .join('\n')
}

/** The installed qflow's version, as its package.json says (what a bug report should quote). */
function qflowVersion(): string {
  const file = new URL('../../package.json', import.meta.url)
  return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version
}

function helpText(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length))
  const lines = Object.entries(commands).map(
    ([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`
  )
  return `usage: qflow <command> [options]\n\ncommands:\n${lines.join('\n')}\n\nqflow <command> --help shows a command's options; qflow --version prints the version.`
}
