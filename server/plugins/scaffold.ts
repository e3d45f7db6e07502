import { mkdir, readdir, writeFile } from 'node:fs/promises'
import { isAbsolute, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'
import { FlowError } from '../../core/errors.ts'
import { PLUGIN_API_VERSION } from './package.ts'

const PACKAGE_NAME = /^(@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/

/** `qflow-plugin-jira` and `@acme/qflow-plugin-jira` give the node type `jira`. */
export function nodeTypeFor(packageName: string): string {
  return packageName.replace(/^@[^/]+\//, '').replace(/^qflow-plugin-/, '')
}

/** The qflow installation this code runs from: the one a new plugin is developed against. */
export const QFLOW_ROOT = fileURLToPath(new URL('../../', import.meta.url)).replace(/[\\/]$/, '')

/**
 * The `qflow` dev dependency of a new plugin: a `file:` link to the qflow installation, relative
 * when the plugin sits inside that tree (so the pair can move together), absolute otherwise.
 * Never a registry version: qflow is not published, and the npm name `qflow` belongs to an
 * unrelated package.
 */
export function qflowDependency(pluginDir: string, qflowRoot = QFLOW_ROOT): string {
  const inside = relative(qflowRoot, pluginDir)
  const isInside = inside !== '' && !inside.startsWith('..') && !isAbsolute(inside)
  const target = isInside ? relative(pluginDir, qflowRoot) : qflowRoot
  return `file:${target.split(sep).join('/')}`
}

/**
 * Write a new plugin package: one working node type, a unit test runnable with `node --test`, and
 * the package.json fields qflow reads, with `qflow` as a dev dependency linked to `qflowRoot` so
 * `npm install` gives the tests `qflow/plugin` without the registry. Refuses to write into a folder
 * that has files in it.
 */
export async function scaffoldPlugin(name: string, dir: string, qflowRoot = QFLOW_ROOT): Promise<string[]> {
  if (!PACKAGE_NAME.test(name)) {
    throw new FlowError(
      'NAME_INVALID',
      `"${name}" is not a valid npm package name (lower case, digits, - . _ ~)`
    )
  }
  const type = nodeTypeFor(name)
  if (!/^[a-z][a-z0-9-]*$/.test(type)) {
    throw new FlowError(
      'NAME_INVALID',
      `the node type "${type}" derived from "${name}" must start with a letter`
    )
  }
  const existing = await readdir(dir).catch(() => [])
  if (existing.length > 0) throw new FlowError('FOLDER_NOT_EMPTY', `${dir} already has files in it`)

  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(
      {
        name,
        version: '0.1.0',
        description: `qflow node type "${type}"`,
        type: 'module',
        exports: `./${type}.js`,
        files: [`${type}.js`],
        keywords: ['qflow-plugin'],
        scripts: { test: 'node --test test/' },
        // Only for tests: inside the sandbox the host provides `qflow/plugin` and zod.
        devDependencies: { qflow: qflowDependency(dir, qflowRoot) },
        qflow: { apiVersion: PLUGIN_API_VERSION, nodes: [`./${type}.js`], network: [] },
      },
      null,
      2
    )}\n`,
    [`${type}.js`]: nodeModule(type),
    [`test/${type}.test.js`]: testModule(type),
    'README.md': readme(name, type, qflowRoot),
  }
  await mkdir(join(dir, 'test'), { recursive: true })
  for (const [path, content] of Object.entries(files)) await writeFile(join(dir, path), content)
  return Object.keys(files)
}

function title(type: string): string {
  return type
    .split('-')
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
    .join(' ')
}

function nodeModule(type: string): string {
  return `import { defineNodeType } from 'qflow/plugin'

/**
 * ${title(type)}: marks every incoming item with a label, so later nodes (or people reading the
 * run) can tell it passed through here. Replace the body of execute with what your node does.
 */
export default defineNodeType({
  manifest: {
    type: '${type}',
    version: 1,
    title: '${title(type)}',
    description: 'Adds a label to every item.',
    icon: 'puzzle', // a name the editor draws: see docs/plugins.md, Manifest
    inputs: [{ name: 'in', label: 'Items' }],
    outputs: [{ name: 'out', label: 'Labelled items' }],
  },
  // JSON Schema, or a zod schema: \`import { z } from 'zod'\` (qflow provides zod).
  config: {
    type: 'object',
    properties: {
      field: { type: 'string', default: 'label', description: 'Key to set on each item' },
      value: { type: 'string', description: 'Value to set' },
    },
    required: ['value'],
  },
  async execute(ctx, input) {
    const items = input.in ?? []
    ctx.log('info', \`labelling \${items.length} item(s)\`)
    return { out: items.map((item) => ({ ...item, [ctx.config.field]: ctx.config.value })) }
  },
})
`
}

function testModule(type: string): string {
  return `import assert from 'node:assert/strict'
import { test } from 'node:test'
import { createTestContext } from 'qflow/plugin/testing'
import node from '../${type}.js'

test('labels every item and passes them on', async () => {
  const { ctx, logs } = createTestContext({ config: { field: 'label', value: 'seen' } })
  const output = await node.execute(ctx, { in: [{ id: 'a' }, { id: 'b', label: 'old' }] })
  assert.deepEqual(output, {
    out: [
      { id: 'a', label: 'seen' },
      { id: 'b', label: 'seen' },
    ],
  })
  assert.equal(logs[0].message, 'labelling 2 item(s)')
})

test('declares what qflow needs to list it', () => {
  assert.equal(node.manifest.type, '${type}')
  assert.deepEqual(node.config.required, ['value'])
})
`
}

function readme(name: string, type: string, qflowRoot: string): string {
  return `# ${name}

A qflow community plugin providing the \`${type}\` node type.

- Develop: \`npm install\`, then \`npm test\`. \`npm install\` links \`qflow\` (for \`qflow/plugin\` and
  \`qflow/plugin/testing\` in tests) from the qflow checkout this package was created from,
  \`${qflowRoot}\`, as \`devDependencies.qflow\` in package.json says. If that checkout moves, run
  \`npm install --save-dev <path to your qflow checkout>\`. Do not take qflow from the npm registry:
  it is not published there, and the npm package named \`qflow\` is someone else's.
- Try it in a flow: \`npx qflow run flow.json --plugin ./\` from here (the plugin runs in qflow's sandbox).
- Install it in a qflow server: from the qflow installation's folder (where the server runs; its
  plugins file, \`data/plugins.json\`, is found from there), \`npx qflow plugin install <path to this folder>\`
  (or add this folder to \`QFLOW_PLUGINS\`).
- Network: list every host the node fetches from in \`package.json\` under \`qflow.network\`.

See qflow's docs/plugins.md for the manifest fields, config schema, ports and \`ctx\`.
`
}
