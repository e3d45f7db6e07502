import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { buildUi } from '../support/build-ui.ts'
import { node } from '../support/canvas-fixture.ts'
import { serveStatic } from '../support/static-server.ts'

// A card with several outputs names them on tags beside its handles. Whatever its targets'
// positions, no edge may run across the tag of a port it does not leave from: checked on the
// painted paths, in real Chromium, by sampling each one and testing the points against every tag.

let browser: Browser
let server: Awaited<ReturnType<typeof serveStatic>>
let page: Page

beforeAll(async () => {
  await buildUi()
  server = await serveStatic(['ui/dist', 'test/ui/fixtures'])
  browser = await launchChromium()
  page = await browser.newPage({ viewport: { width: 1200, height: 800 } })
  await page.goto(`${server.url}/canvas.html`)
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})

const PORTS = ['failed', 'passed', 'results']

/** The control card at 0,0 with each output wired to its own step, the steps around `at`. */
function graph(at: { x: number; y: number }) {
  return {
    nodes: [
      node('control', 'control', 0, 0),
      ...PORTS.map((port, i) => node(`to-${port}`, 'step', at.x, at.y + i * 110)),
    ],
    edges: PORTS.map((port) => ({
      id: `e-${port}`,
      source: 'control',
      sourcePort: port,
      target: `to-${port}`,
      targetPort: 'in',
    })),
  }
}

interface Crossing {
  edge: string
  label: string
  x: number
  y: number
}

/** Points of each edge (every 2 px, in page pixels) that fall inside a tag other than its own port's. */
function crossings(): Promise<Crossing[]> {
  return page.evaluate(() => {
    const root = (window as any).fixture.canvas.shadowRoot as ShadowRoot
    const labels = [...root.querySelectorAll<HTMLElement>('[data-node-id="control"] .port-label')]
    if (labels.length !== 3) throw new Error(`expected 3 port tags, found ${labels.length}`)
    const found: Crossing[] = []
    for (const g of root.querySelectorAll<SVGGElement>('.xy-flow__edge')) {
      const path = g.querySelector<SVGPathElement>('.edge-path')!
      const ctm = path.getScreenCTM()!
      const own = g.dataset.edgeId!.slice(2)
      const length = path.getTotalLength()
      for (let at = 0; at <= length; at += 2) {
        const p = path.getPointAtLength(at).matrixTransform(ctm)
        for (const label of labels) {
          if (label.dataset.port === own) continue
          const r = label.getBoundingClientRect()
          // The stroke is 2 px wide: its edge, not its centre line, must stay out.
          if (p.x > r.left - 1 && p.x < r.right + 1 && p.y > r.top - 1 && p.y < r.bottom + 1)
            found.push({ edge: g.dataset.edgeId!, label: label.dataset.port!, x: p.x, y: p.y })
        }
      }
    }
    return found
  })
}

describe('port tags', () => {
  const placements = {
    'to the right, same row': { x: 330, y: -110 },
    below: { x: 0, y: 160 },
    'above right': { x: 420, y: -420 },
    'below right': { x: 360, y: 120 },
    'below left': { x: -360, y: 140 },
    'above left': { x: -360, y: -420 },
  }
  for (const [name, at] of Object.entries(placements)) {
    it(`are crossed by no other port's edge with targets ${name}`, async () => {
      await page.evaluate((g) => (window as any).fixture.load(g), graph(at))
      await page.evaluate(() => (window as any).fixture.canvas.fitView())
      await page.locator('qflow-canvas .xy-flow__edge').nth(2).waitFor()
      expect(await crossings()).toEqual([])
    })
  }

  it('are painted opaque over the edges, so the own port edge runs under its tag', async () => {
    const style = await page.evaluate(() => {
      const root = (window as any).fixture.canvas.shadowRoot as ShadowRoot
      const label = root.querySelector<HTMLElement>('.port-label')!
      const edges = root.querySelector('svg.edges')!
      return {
        background: getComputedStyle(label).backgroundColor,
        // Cards (and their tags) come after the edges' <svg>, so they paint over it.
        after: Boolean(edges.compareDocumentPosition(label) & Node.DOCUMENT_POSITION_FOLLOWING),
      }
    })
    expect(style.background).toMatch(/^rgb\(/)
    expect(style.after).toBe(true)
  })
})
