import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { build } from 'vite'

const OUTPUT = 'ui/dist/embed/qflow-editor.js'
const SOURCES = ['ui/src', 'ui/public', 'examples/templates', 'plugins', 'core', 'vite.config.ts']
const LOCK = join(tmpdir(), `qflow-ui-build-${process.cwd().replace(/\W+/g, '_')}.lock`)

let built: Promise<void> | undefined

/**
 * Builds the editor bundle (vite, the same config as `npm run build:ui`) unless `ui/dist` is newer
 * than every source. Test files run in parallel processes, so a lock keeps two builds from
 * emptying `ui/dist` under each other.
 */
export function buildUi(): Promise<void> {
  built ??= (async () => {
    if (fresh()) return
    await withLock(async () => {
      if (!fresh()) await build({ logLevel: 'warn' })
    })
  })()
  return built
}

function newest(path: string): number {
  const stat = statSync(path)
  if (!stat.isDirectory()) return stat.mtimeMs
  let max = stat.mtimeMs
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)))
  return max
}

function fresh(): boolean {
  try {
    return statSync(OUTPUT).mtimeMs > Math.max(...SOURCES.map(newest))
  } catch {
    return false
  }
}

async function withLock(work: () => Promise<void>): Promise<void> {
  const deadline = Date.now() + 120_000
  for (;;) {
    try {
      mkdirSync(LOCK)
      break
    } catch {
      // A lock older than two minutes belongs to a process that died mid-build.
      const held = statSync(LOCK, { throwIfNoEntry: false })
      if (held && Date.now() - held.mtimeMs > 120_000) rmSync(LOCK, { recursive: true, force: true })
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${LOCK}`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
  try {
    await work()
  } finally {
    rmSync(LOCK, { recursive: true, force: true })
  }
}
