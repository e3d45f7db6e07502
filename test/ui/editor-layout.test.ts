import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import control from '../../plugins/totalcloud-control/index.ts'
import trigger from '../../plugins/trigger/index.ts'
import { launchChromium } from '../support/browser.ts'
import { buildUi } from '../support/build-ui.ts'
import { startLiveServer } from '../support/live-server.ts'
import { testPlugins } from '../support/plugins.ts'

// Where things land on screen: side panels beside the node they describe, the run list's ids, the
// toolbar at narrow widths, and fitting that keeps the last "+" button in view. Real Chromium,
// real server.

let browser: Browser
let server: Awaited<ReturnType<typeof startLiveServer>>
let context: BrowserContext
let page: Page

beforeAll(async () => {
  await buildUi()
  server = await startLiveServer({ registry: createRegistry([trigger, control, ...testPlugins]) })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})
afterEach(() => context?.close())

async function open(width: number, nodes: { id: string; type: string; config?: object }[]): Promise<void> {
  context = await browser.newContext({
    viewport: { width, height: 760 },
    permissions: ['clipboard-read', 'clipboard-write'],
  })
  page = await context.newPage()
  const res = await fetch(`${server.url}/api/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'A flow with a rather long name that would like the whole toolbar',
      nodes: nodes.map((n, i) => ({ typeVersion: 1, config: {}, ...n, position: { x: i * 330, y: 0 } })),
      edges: nodes.slice(1).map((n, i) => ({
        id: `e${i}`,
        source: nodes[i]!.id,
        sourcePort: 'out',
        target: n.id,
        targetPort: 'in',
      })),
    }),
  })
  const { flow } = await res.json()
  await page.goto(`${server.url}/flows/${flow.id}`)
  await node(nodes.at(-1)!.id).waitFor()
}

const node = (id: string) => page.locator(`qflow-canvas [data-node-id="${id}"]`)
const box = async (selector: string) => (await page.locator(selector).first().boundingBox())!
const chain = [
  { id: 'trigger', type: 'trigger' },
  { id: 'emit', type: 'test-emit' },
  { id: 'map', type: 'test-map' },
  { id: 'last', type: 'test-map' },
]
const control3 = {
  id: 'control',
  type: 'totalcloud-control',
  config: {
    criteria: { type: 'group', op: 'AND', conditions: [{ type: 'param', key: 'n', operator: 'exists' }] },
  },
}

describe('editor layout', () => {
  it('pans the node whose execution details open into view beside the panel, and follows the selection', async () => {
    await open(1300, chain)
    const before = (await node('last').boundingBox())!
    // The panel is 440 px wide: without panning, the last node would sit under it.
    expect(before.x + before.width).toBeGreaterThan(1300 - 440)
    await node('last').locator('.menu-btn').click()
    await page.locator('qflow-canvas .node-menu [data-action=details]').click()
    const panel = page.locator('qflow-run-inspector')
    await panel.waitFor()
    await expect
      .poll(async () => {
        const card = (await node('last').boundingBox())!
        const canvas = await box('qflow-canvas')
        const side = (await panel.boundingBox())!
        return card.x >= canvas.x && card.x + card.width + 36 <= side.x
      })
      .toBe(true)
    // Choosing another node while the panel is open shows that node's details, named as its card is.
    await node('emit').click()
    await expect.poll(() => panel.locator('h2').textContent()).toContain('Emit')
  })

  it('keeps the whole flow in sight when a panel narrows the canvas, or the selected node once the view was moved', async () => {
    await open(1000, chain)
    /** Whether each card lies in the part of the canvas left of the open panel. */
    const beside = async (panelSelector: string, ids: string[]) => {
      const canvas = await box('qflow-canvas')
      const side = await box(panelSelector)
      const seen: Record<string, boolean> = {}
      for (const id of ids) {
        const card = (await node(id).boundingBox())!
        seen[id] = card.x >= canvas.x && card.x + card.width <= side.x
      }
      return seen
    }
    const all = Object.fromEntries(chain.map((n) => [n.id, true]))
    await node('last').locator('.menu-btn').click()
    await page.locator('qflow-canvas .node-menu [data-action=details]').click()
    await page.locator('qflow-run-inspector').waitFor()
    // Panning to the last node alone would cut the Trigger off on the left.
    await expect.poll(() => beside('qflow-run-inspector', Object.keys(all))).toEqual(all)
    await page.locator('qflow-run-inspector').locator('button.close').click()
    await page.locator('qflow-run-inspector').waitFor({ state: 'detached' })

    // The user zoomed in on the last node and selected it: History opening beside it keeps it in view.
    // The canvas refits to its full width once the panel is gone.
    await expect.poll(async () => (await node('last').boundingBox())?.width ?? 0).toBeGreaterThan(0)
    const last = (await node('last').boundingBox())!
    await page.mouse.move(last.x + last.width / 2, last.y + last.height / 2)
    await page.mouse.wheel(0, -400)
    await page.waitForTimeout(300)
    await node('last').locator('.title').click()
    await page.locator('qflow-editor [data-action=history]').click()
    await page.locator('qflow-run-history').waitFor()
    await expect.poll(() => beside('qflow-run-history', ['last'])).toEqual({ last: true })
  })

  it('lists runs with a readable short id, start time and status; the full id is in a tooltip and copied', async () => {
    await open(1300, chain.slice(0, 2))
    await page.locator('qflow-editor [data-action=run]').click()
    await expect.poll(() => node('emit').getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded')
    await page.locator('qflow-editor [data-action=history]').click()
    const item = page.locator('qflow-run-history li').first()
    await item.waitFor()
    const runId = (await item.locator('button.open').getAttribute('data-run'))!
    expect(runId.length).toBeGreaterThan(8)
    const text = (await item.textContent())!
    // The random end of the id: time-ordered ids share their start between runs.
    const suffix = runId.replace(/-/g, '').slice(-8)
    expect(text).toContain(suffix)
    expect(text).not.toContain(runId.slice(0, 8))
    expect(text).toContain('succeeded')
    expect(text).toMatch(/\d{1,2}:\d{2}/)
    expect(await item.locator('button.open').getAttribute('title')).toContain(runId)
    await item.locator('[data-action=copy-run-id]').click()
    await expect.poll(() => item.locator('[data-action=copy-run-id]').textContent()).toBe('Copied')
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(runId)
  })

  it('keeps the toolbar on one line when narrow, with History and Deploy in a More menu', async () => {
    for (const width of [1040, 800, 560, 380]) {
      await open(width, chain.slice(0, 2))
      const toolbar = await box('qflow-editor .toolbar')
      const run = await box('qflow-editor [data-action=run]')
      const fit = await box('qflow-editor [data-action=fit]')
      expect(Math.abs(run.y - fit.y), `at ${width}px`).toBeLessThan(4)
      for (const button of await page.locator('qflow-editor .toolbar button').all()) {
        const edge = await button.boundingBox()
        if (edge) expect(edge.x + edge.width, `at ${width}px`).toBeLessThanOrEqual(toolbar.x + toolbar.width)
      }
      expect(toolbar.height, `at ${width}px`).toBeLessThan(56)
      await context.close()
    }
    await open(560, chain.slice(0, 2))
    expect(await page.locator('qflow-editor [data-action=history]').isVisible()).toBe(false)
    await page.locator('qflow-editor [data-action=more]').click()
    await page.locator('qflow-editor [data-menu-action=history]').click()
    await page.locator('qflow-run-history').waitFor()
    await page.locator('qflow-editor [data-action=more]').click()
    await page.locator('qflow-editor [data-menu-action=deploy]').click()
    await expect
      .poll(() =>
        page
          .locator('qflow-editor [data-action=more]')
          .click()
          .then(() => page.locator('qflow-editor [data-menu-action=deploy]').textContent())
      )
      .toBe('Undeploy')
  })

  it('fits the flow with room for the last node\'s "+" button and port labels', async () => {
    await open(1040, [chain[0]!, chain[1]!, control3])
    const check = async () => {
      const plus = await box('qflow-canvas [data-node-id=control] .add-after')
      const canvas = await box('qflow-canvas')
      return plus.x + plus.width <= canvas.x + canvas.width && plus.x >= canvas.x
    }
    await expect.poll(check).toBe(true)
    await page.locator('qflow-editor [data-action=fit]').click()
    await expect.poll(check).toBe(true)
  })

  it('at 800 px: a smaller overview map, port labels clear of the "+", criteria rows that keep key and × in place', async () => {
    await open(800, [chain[0]!, chain[1]!, control3])
    const canvas = await box('qflow-canvas')
    const map = await box('qflow-canvas qflow-minimap')
    expect(map.width).toBeLessThanOrEqual(130)
    expect(map.x + map.width).toBeLessThanOrEqual(canvas.x + canvas.width)
    const plus = (await node('control').locator('.add-after').boundingBox())!
    for (const label of await node('control').locator('.port-label').all()) {
      const edge = (await label.boundingBox())!
      expect(edge.x + edge.width, (await label.textContent())!).toBeLessThanOrEqual(plus.x)
    }

    await node('control').dblclick()
    const row = page.locator('qflow-criteria-builder .row[data-path="0"]')
    const key = row.locator('[data-role=key]')
    await key.fill('PubliclyAccessible')
    expect(await key.evaluate((el: HTMLInputElement) => el.scrollWidth <= el.clientWidth)).toBe(true)
    // The remove button stays on the row's first line, beside the fields, not wrapped below them.
    const remove = (await row.locator('button.remove').boundingBox())!
    const type = (await row.locator('[data-role=filter-type]').boundingBox())!
    expect(remove.y).toBeLessThan(type.y + type.height)

    // Narrower still, the map would cover the flow: it is not drawn.
    await page.setViewportSize({ width: 600, height: 760 })
    await page.keyboard.press('Escape')
    await expect.poll(() => page.locator('qflow-canvas qflow-minimap').count()).toBe(0)
  })
})
