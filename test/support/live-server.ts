import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { PluginRegistry } from '../../core/plugin/registry.ts'
import type { Services } from '../../core/plugin/types.ts'
import type { AppOptions } from '../../server/app.ts'
import { loadConfig } from '../../server/config.ts'
import { type RunningServer, startServer } from '../../server/server.ts'

/**
 * The real qflow server listening on a free loopback port, with a fresh libSQL file in a temp
 * folder and the built editor (`ui/dist`), for browser tests.
 */
export async function startLiveServer(
  options: {
    registry?: PluginRegistry
    services?: Services
    app?: AppOptions
    env?: Record<string, string>
    /** An existing folder (e.g. a stopped server's, to start it again); the caller removes it. */
    dir?: string
  } = {}
): Promise<RunningServer & { dir: string }> {
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'qflow-ui-'))
  const config = loadConfig({
    PORT: '0',
    HOST: '127.0.0.1',
    QFLOW_DB_URL: `file:${join(dir, 'qflow.db')}`,
    QFLOW_LOG_LEVEL: 'silent',
    ...options.env,
  })
  const server = await startServer(config, {
    uiDir: join(process.cwd(), 'ui/dist'),
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.services ? { services: options.services } : {}),
    ...(options.app ? { app: options.app } : {}),
  })
  return {
    ...server,
    dir,
    async close(graceMs = 0) {
      await server.close(graceMs)
      if (!options.dir) rmSync(dir, { recursive: true, force: true })
    },
  }
}
