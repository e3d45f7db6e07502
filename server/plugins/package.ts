import { existsSync, statSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path'
import { z } from 'zod'
import { FlowError } from '../../core/errors.ts'
import { describeIssue } from '../../core/zod-messages.ts'

/** The plugin API versions this host can load. A package names the one it was written for. */
export const PLUGIN_API_VERSIONS = [1] as const
export const PLUGIN_API_VERSION = 1

/** `hooks.slack.com`, `*.example.com`, `127.0.0.1:8080`, `[::1]:8080`. */
export const hostRule = z
  .string()
  .regex(
    /^(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+(:\d{1,5})?$|^\[[0-9a-f:]+\](:\d{1,5})?$/i,
    'a host is a name like hooks.slack.com or *.example.com, optionally with :port'
  )

const modulePath = z
  .string()
  .regex(/^\.\/[^\0]+\.(m?js)$/, 'a node module is a path like "./notify.js" inside the package')
  .refine((path) => !normalize(path).startsWith('..'), 'a node module must stay inside the package')

/** The `qflow` field of a plugin's package.json. */
export const qflowFieldSchema = z.object({
  apiVersion: z.number().int().positive(),
  nodes: z.array(modulePath).min(1, 'qflow.nodes lists at least one node-type module').max(50),
  /** Hosts the plugin's code may fetch from; everything else is refused. */
  network: z.array(hostRule).max(50).default([]),
})

export const pluginPackageSchema = z.object({
  name: z
    .string()
    .regex(/^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/, 'name is an npm package name'),
  version: z.string().min(1),
  type: z.literal('module', { message: 'type must be "module": node-type modules are ES modules' }),
  qflow: qflowFieldSchema,
})
export type PluginPackage = z.infer<typeof pluginPackageSchema>

export interface ResolvedPlugin {
  dir: string
  pkg: PluginPackage
}

/**
 * Find a plugin's folder: a path (`./x`, `/x`, `../x`) is a folder; anything else is a package
 * name looked up in `node_modules` from `baseDir` upward, the way Node resolves it. Nothing is scanned.
 */
export function pluginDirOf(source: string, baseDir: string): string {
  if (source.startsWith('.') || isAbsolute(source)) {
    const dir = resolve(baseDir, source)
    if (!existsSync(dir) || !statSync(dir).isDirectory()) {
      throw new FlowError('PLUGIN_NOT_FOUND', `plugin folder ${dir} does not exist`)
    }
    return dir
  }
  for (let dir = resolve(baseDir); ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', ...source.split('/'))
    if (existsSync(join(candidate, 'package.json'))) return candidate
    if (dirname(dir) === dir) break
  }
  throw new FlowError('PLUGIN_NOT_FOUND', `package "${source}" is not installed (npm install it first)`)
}

/** Read and check a plugin's package.json: the name, the `qflow` field and the API version. */
export async function readPluginPackage(dir: string): Promise<PluginPackage> {
  const file = join(dir, 'package.json')
  let raw: unknown
  try {
    raw = JSON.parse(await readFile(file, 'utf8'))
  } catch (err) {
    throw new FlowError('PLUGIN_MANIFEST_INVALID', `cannot read ${file}: ${(err as Error).message}`)
  }
  if (typeof raw === 'object' && raw !== null && !('qflow' in raw)) {
    // Most likely an ordinary npm package named by mistake: say what makes one a qflow plugin.
    throw new FlowError(
      'PLUGIN_MANIFEST_INVALID',
      `${file}: no qflow field; a qflow plugin names its API version and node modules there, see docs/plugins.md`
    )
  }
  const apiVersion = (raw as { qflow?: { apiVersion?: unknown } })?.qflow?.apiVersion
  if (typeof apiVersion === 'number' && !(PLUGIN_API_VERSIONS as readonly number[]).includes(apiVersion)) {
    throw new FlowError(
      'PLUGIN_API_VERSION',
      `${file}: qflow.apiVersion ${apiVersion} is not supported by this qflow (it supports ${PLUGIN_API_VERSIONS.join(', ')})`
    )
  }
  const parsed = pluginPackageSchema.safeParse(raw, { error: describeIssue })
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `${issue.path.join('.') || 'package.json'}: ${issue.message}`
    )
    throw new FlowError('PLUGIN_MANIFEST_INVALID', `${file}: ${issues.join('; ')}`, parsed.error.issues)
  }
  for (const node of parsed.data.qflow.nodes) {
    if (!join(dir, node).startsWith(dir + sep) || !existsSync(join(dir, node))) {
      throw new FlowError(
        'PLUGIN_MANIFEST_INVALID',
        `${file}: qflow.nodes: ${node} does not exist in the package`
      )
    }
  }
  return parsed.data
}
