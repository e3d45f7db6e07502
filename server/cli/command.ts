/** Where a command writes; tests pass collectors, the real CLI passes stdout and stderr. */
export interface CliIo {
  out(text: string): void
  err(text: string): void
  env: Record<string, string | undefined>
  cwd: string
}

/** One subcommand. `run` returns the process exit code. */
export interface CliCommand {
  summary: string
  usage: string
  run(args: string[], io: CliIo): Promise<number>
}

/** Exit codes: 0 done, 1 the run or flow failed, 2 the command line or input was wrong. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const

/** A mistake in how the command was called: printed with the usage, exit 2. */
export class UsageError extends Error {}
