/**
 * The `console` plugin code sees: each call writes one line to the running call's log (the same
 * place as `ctx.log`), and nothing else. Node's own console is taken away because it leads to raw
 * file descriptors (`console._stdout.constructor` builds a stream on any fd, the host's channel
 * among them).
 */
import { inspect } from 'node:util'

const LEVELS = {
  debug: 'debug',
  trace: 'debug',
  log: 'info',
  info: 'info',
  dir: 'info',
  table: 'info',
  warn: 'warn',
  error: 'error',
}

/** One argument as text; a value whose inspection throws (a hostile Proxy) is named, not thrown. */
function text(value) {
  if (typeof value === 'string') return value
  try {
    return inspect(value, { depth: 4, breakLength: Number.POSITIVE_INFINITY })
  } catch {
    return '[a value that could not be shown]'
  }
}

/** `writeLine(level, message)` sends the line; `console.x(...args)` joins its arguments with spaces. */
export function createConsole(writeLine) {
  const methods = {}
  for (const [name, level] of Object.entries(LEVELS)) {
    methods[name] = (...args) => {
      writeLine(level, args.map(text).join(' '))
    }
  }
  // Methods that write nothing useful to a run's log exist so plugins that call them do not break.
  for (const name of [
    'assert',
    'count',
    'countReset',
    'group',
    'groupEnd',
    'groupCollapsed',
    'time',
    'timeEnd',
    'timeLog',
  ]) {
    methods[name] = () => {}
  }
  return Object.freeze(methods)
}
