import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { flowSchema } from '../../core/flow/schema.ts'
import { validateFlow } from '../../core/flow/validate.ts'
import { createRegistry } from '../../core/plugin/registry.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { TEMPLATES } from '../../ui/src/app/templates.ts'

const registry = createRegistry(builtinPlugins)

describe('shipped templates', () => {
  it('bundles every file in examples/templates', () => {
    const files = readdirSync('examples/templates').filter((f) => f.endsWith('.qflow.json'))
    expect(TEMPLATES.map((t) => `${t.id}.qflow.json`).sort()).toEqual(files.sort())
  })
  for (const template of TEMPLATES) {
    it(`${template.id} is a valid flow for the built-in node types`, () => {
      const raw = JSON.parse(readFileSync(`examples/templates/${template.id}.qflow.json`, 'utf8'))
      const flow = flowSchema.parse(raw)
      expect(validateFlow(flow, registry)).toEqual([])
    })
  }
})
