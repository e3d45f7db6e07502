import { realpathSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, sep } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const runtimeDir = fileURLToPath(new URL('./worker/', import.meta.url))
const sdkDir = fileURLToPath(new URL('../../plugins/sdk/', import.meta.url))

/** Where zod lives, resolved the way the host resolves it, with symlinks followed (the sandbox sees real paths). */
function zodEntry(): { url: string; dir: string } {
  const entry = realpathSync(createRequire(import.meta.url).resolve('zod'))
  let dir = dirname(entry)
  while (!dir.endsWith(`${sep}zod`) && dirname(dir) !== dir) dir = dirname(dir)
  return { url: pathToFileURL(entry).href, dir: dir + sep }
}

export interface SandboxLimits {
  /** V8 heap limit of one worker, in MB. */
  memoryMb: number
}

/**
 * How a plugin worker is started: Node's permission model with reads limited to the plugin folder,
 * the worker runtime, the SDK and zod; no `--allow-fs-write`, no `--allow-child-process`, no addons.
 * `--allow-worker` is there only because module hooks run on a loader thread; plugin code cannot
 * reach `worker_threads` (built-ins are refused), and a thread would inherit these same limits.
 */
export function sandboxFor(pluginDir: string, limits: SandboxLimits) {
  const realPluginDir = realpathSync(pluginDir) + sep
  const zod = zodEntry()
  const realRuntimeDir = realpathSync(runtimeDir) + sep
  const realSdkDir = realpathSync(sdkDir) + sep
  const scope = {
    pluginDir: pathToFileURL(realPluginDir).href,
    runtimeDir: pathToFileURL(realRuntimeDir).href,
    zodDir: pathToFileURL(zod.dir).href,
    provided: {
      zod: zod.url,
      'qflow/plugin': pathToFileURL(join(realSdkDir, 'index.js')).href,
      'qflow/plugin/testing': pathToFileURL(join(realSdkDir, 'testing.js')).href,
    },
  }
  const execArgv = [
    '--experimental-permission',
    `--allow-fs-read=${realPluginDir}`,
    `--allow-fs-read=${realRuntimeDir}`,
    `--allow-fs-read=${realSdkDir}`,
    `--allow-fs-read=${zod.dir}`,
    '--allow-worker',
    '--no-addons',
    '--no-warnings',
    `--max-old-space-size=${limits.memoryMb}`,
    '--max-semi-space-size=2',
  ]
  return {
    entry: join(realRuntimeDir, 'runtime.mjs'),
    execArgv,
    args: [JSON.stringify({ scope, pluginUrl: scope.pluginDir })],
  }
}
