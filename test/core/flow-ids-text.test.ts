import { readdirSync, readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { ELEMENT_ID_RULE, flowSchema } from '../../core/flow/schema.ts'
import { sampleFlow } from '../support/server.ts'

/** The first issue's field and message, as the API's 400 names them. */
function refusal(document: unknown): string {
  const parsed = flowSchema.safeParse(document)
  expect(parsed.success).toBe(false)
  const [issue] = parsed.error!.issues
  return `${issue!.path.join('.')}: ${issue!.message}`
}

const base = sampleFlow()
const withNode = (patch: Record<string, unknown>, index = 3) => ({
  ...base,
  nodes: base.nodes!.map((node, at) => (at === index ? { ...node, ...patch } : node)),
})

describe('node and edge ids', () => {
  it('refuse control characters, path and query delimiters, spaces at either end, . and ..', () => {
    const rule = `an id is ${ELEMENT_ID_RULE}`
    for (const id of [
      '../../x?y#z',
      ' ',
      ' trigger',
      'trigger ',
      '',
      'a/b',
      'a\\b',
      'x%2F',
      'a\tb',
      '.',
      '..',
      'x'.repeat(129),
    ]) {
      expect(refusal(withNode({ id }))).toBe(`nodes.3.id: ${rule}`)
    }
    const edge = base.edges![0]!
    expect(refusal({ ...base, edges: [{ ...edge, id: 'e\n1' }] })).toBe(`edges.0.id: ${rule}`)
    expect(refusal({ ...base, edges: [{ ...edge, target: '../emit' }] })).toBe(`edges.0.target: ${rule}`)
  })
  it('accept the names flows saved before ids were checked hold, so they can still be saved', () => {
    for (const id of [
      'rds-instances',
      'Node_2',
      'a.b',
      '7',
      '-x',
      'fetch rds',
      'contrôle',
      'x'.repeat(128),
    ]) {
      expect(flowSchema.safeParse(withNode({ id })).success).toBe(true)
    }
  })
})

describe('labels, descriptions and categories', () => {
  it('refuse control characters, naming the field; a description keeps tabs and line breaks', () => {
    expect(refusal(withNode({ label: 'L\u0000\n\u001b[31mRED' }))).toBe(
      'nodes.3.label: cannot contain control characters'
    )
    expect(refusal({ ...base, categories: ['rds', 'a\u0007'] })).toBe(
      'categories.1: cannot contain control characters'
    )
    expect(refusal({ ...base, description: 'one\u001b[2J' })).toBe(
      'description: cannot contain control characters (but tabs and line breaks)'
    )
    expect(flowSchema.safeParse({ ...base, description: 'line one\n\tline two' }).success).toBe(true)
    // A file written on Windows ends its lines with \r\n.
    expect(flowSchema.safeParse({ ...base, description: 'line one\r\nline two' }).success).toBe(true)
  })
})

describe('shipped examples', () => {
  const files = readdirSync('examples').filter((file) => file.endsWith('.qflow.json'))
  it.each(files)('%s is a flow document', (file) => {
    const parsed = flowSchema.safeParse(JSON.parse(readFileSync(`examples/${file}`, 'utf8')))
    expect(parsed.error?.issues ?? []).toEqual([])
  })
})
