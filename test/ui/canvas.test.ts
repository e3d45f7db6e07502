import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { buildUi } from '../support/build-ui.ts'
import { node } from '../support/canvas-fixture.ts'
import { serveStatic } from '../support/static-server.ts'

// The canvas element alone, in real Chromium, on the built bundle: pointer gestures go through
// @xyflow/system's engines exactly as in the product.

let browser: Browser
let server: Awaited<ReturnType<typeof serveStatic>>
let page: Page

const graph = {
  nodes: [
    node('trigger', 'trigger', 0),
    node('a', 'step', 330),
    node('b', 'split', 660),
    node('c', 'step', 660, 200),
  ],
  edges: [{ id: 'e1', source: 'trigger', sourcePort: 'out', target: 'a', targetPort: 'in' }],
}

beforeAll(async () => {
  await buildUi()
  server = await serveStatic(['ui/dist', 'test/ui/fixtures'])
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})
afterEach(() => page?.close())
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1200, height: 700 } })
  await page.goto(`${server.url}/canvas.html`)
  await page.evaluate((g) => (window as any).fixture.load(g), graph)
  await page.locator('qflow-canvas [data-node-id="c"]').waitFor()
})

const events = (name: string) =>
  page.evaluate(
    (n) => (window as any).fixture.events.filter((e: any) => e.name === n).map((e: any) => e.detail),
    name
  )
const center = async (selector: string) => {
  const box = (await page.locator(`qflow-canvas ${selector}`).boundingBox())!
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 }
}
async function dragBetween(from: { x: number; y: number }, to: { x: number; y: number }) {
  await page.mouse.move(from.x, from.y)
  await page.mouse.down()
  await page.mouse.move(from.x + 20, from.y + 20, { steps: 4 })
  await page.mouse.move(to.x, to.y, { steps: 8 })
}

describe('qflow-canvas', () => {
  it('connects an output to an input by dragging, and reports the new edge', async () => {
    await dragBetween(
      await center('[data-id="qflow-a-out-source"]'),
      await center('[data-id="qflow-b-in-target"]')
    )
    await page.mouse.up()
    const [change] = await events('qflow-graph-change')
    expect(change.reason).toBe('connect')
    expect(change.graph.edges).toContainEqual(
      expect.objectContaining({ source: 'a', sourcePort: 'out', target: 'b', targetPort: 'in' })
    )
    expect(await page.locator('qflow-canvas .xy-flow__edge').count()).toBe(2)
  })

  it('refuses a connection that would make a loop, visibly, and adds nothing', async () => {
    await dragBetween(
      await center('[data-id="qflow-a-out-source"]'),
      await center('[data-id="qflow-b-in-target"]')
    )
    await page.mouse.up()
    await dragBetween(
      await center('[data-id="qflow-b-failed-source"]'),
      await center('[data-id="qflow-a-in-target"]')
    )
    await expect
      .poll(() => page.locator('qflow-canvas .refusal-tip').textContent())
      .toContain('would create a loop')
    expect(await page.locator('qflow-canvas .connection-line.invalid').count()).toBe(1)
    await page.mouse.up()
    expect(await page.locator('qflow-canvas .notice').textContent()).toContain('would create a loop')
    expect(await events('qflow-connect-refused')).toEqual([{ reason: 'This connection would create a loop' }])
    expect((await events('qflow-graph-change')).length).toBe(1)
  })

  it('cancels a connection released outside the element', async () => {
    await page.evaluate(() => {
      const canvas = document.querySelector('qflow-canvas') as HTMLElement
      canvas.style.height = '500px'
    })
    await dragBetween(await center('[data-id="qflow-a-out-source"]'), { x: 600, y: 650 })
    expect(await page.locator('qflow-canvas .connection-line').count()).toBe(1)
    await page.mouse.up()
    expect(await page.locator('qflow-canvas .connection-line').count()).toBe(0)
    expect(await events('qflow-graph-change')).toEqual([])
  })

  it('drags a node and reports its new position once, when the drag ends', async () => {
    const before = await center('[data-node-id="c"] .title')
    await dragBetween(before, { x: before.x - 200, y: before.y + 60 })
    expect(await events('qflow-graph-change')).toEqual([])
    await page.mouse.up()
    const changes = await events('qflow-graph-change')
    expect(changes.map((c: any) => c.reason)).toEqual(['move'])
    const moved = changes[0].graph.nodes.find((n: any) => n.id === 'c')
    expect(moved.position.x).toBeLessThan(660 - 100)
    expect(moved.position.y).toBeGreaterThan(200)
  })

  it('selects with click, adds with ctrl-click, deletes with the Delete key (the trigger stays)', async () => {
    await page.mouse.click(...(Object.values(await center('[data-node-id="a"] .title')) as [number, number]))
    await page.keyboard.down('Control')
    await page.mouse.click(...(Object.values(await center('[data-node-id="c"] .title')) as [number, number]))
    await page.mouse.click(
      ...(Object.values(await center('[data-node-id="trigger"] .title')) as [number, number])
    )
    await page.keyboard.up('Control')
    const selections = await events('qflow-node-select')
    expect(selections.at(-1).nodeIds.sort()).toEqual(['a', 'c', 'trigger'])
    await page.keyboard.press('Delete')
    const [change] = await events('qflow-graph-change')
    expect(change.reason).toBe('delete')
    expect(change.graph.nodes.map((n: any) => n.id)).toEqual(['trigger', 'b'])
    expect(change.graph.edges).toEqual([])
  })

  it('selects the nodes a shift-drag rubber band touches', async () => {
    const a = await center('[data-node-id="a"]')
    const b = await center('[data-node-id="b"]')
    await page.keyboard.down('Shift')
    await page.mouse.move(a.x - 20, a.y + 120)
    await page.mouse.down()
    await page.mouse.move(b.x + 10, b.y - 60, { steps: 6 })
    await page.mouse.up()
    await page.keyboard.up('Shift')
    expect((await events('qflow-node-select')).at(-1).nodeIds.sort()).toEqual(['a', 'b'])
  })

  it('zooms with the wheel and pans by dragging the pane', async () => {
    const transform = () => page.locator('qflow-canvas .xyflow__viewport').getAttribute('style')
    const start = await transform()
    await page.mouse.move(600, 600)
    await page.mouse.wheel(0, -300)
    await expect.poll(transform).not.toBe(start)
    const zoomed = await transform()
    await page.mouse.move(600, 620)
    await page.mouse.down()
    await page.mouse.move(500, 640, { steps: 5 })
    await page.mouse.up()
    expect(await transform()).not.toBe(zoomed)
    expect(await events('qflow-graph-change')).toEqual([])
  })

  it('opens a node menu and asks for Run till here', async () => {
    await page.locator('qflow-canvas [data-node-id="a"] .menu-btn').click()
    await page.locator('qflow-canvas .node-menu [data-action="run-until"]').click()
    expect(await events('qflow-node-action')).toEqual([{ nodeId: 'a', action: 'run-until' }])
  })

  it('shows an overview map whose frame follows the view: dragging in it pans, a click centres there', async () => {
    const map = page.locator('qflow-canvas qflow-minimap svg')
    await map.waitFor()
    const transform = () => page.evaluate(() => [...(window as any).fixture.canvas.store.transform])
    const frame = () => page.locator('qflow-canvas qflow-minimap .view').getAttribute('d')
    // All four nodes are in the plain layer; the frame is the visible area.
    const nodes = await page.locator('qflow-canvas qflow-minimap .plain').getAttribute('d')
    expect(nodes?.match(/M/g)?.length).toBe(4)
    const box = (await map.boundingBox())!
    const [x0, y0, k0] = await transform()
    const frame0 = await frame()

    // Drag right in the map: the frame follows the pointer, so the canvas shows what lies right.
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.down()
    await page.mouse.move(box.x + box.width / 2 + 30, box.y + box.height / 2, { steps: 5 })
    await page.mouse.up()
    // Pointer events and the map's re-render land asynchronously; a loaded machine may lag a frame.
    await expect.poll(async () => (await transform())[0], { timeout: 5000 }).toBeLessThan(x0 - 20)
    const [, y1, k1] = await transform()
    expect(y1).toBeCloseTo(y0, 0)
    expect(k1).toBe(k0)
    await expect.poll(frame, { timeout: 5000 }).not.toBe(frame0)
    expect(await events('qflow-graph-change')).toEqual([])

    // A click centres the canvas on the flow point under it (near node "c", bottom of the flow).
    // Mouse events land on whole pixels, and one map pixel spans several flow units: click on a
    // whole pixel and expect the flow point under that pixel.
    // The map refits its viewBox to the new frame after the drag; aim only once it has settled
    // (two animation frames without change), or the click lands where the old scale put it.
    await page.evaluate(async () => {
      const svg = document
        .querySelector('qflow-canvas')!
        .shadowRoot!.querySelector('qflow-minimap')!
        .shadowRoot!.querySelector('svg')!
      const read = () =>
        `${svg.getAttribute('viewBox')} ${(({ a, b, c, d, e, f }) => [a, b, c, d, e, f].join())(svg.getScreenCTM()!)}`
      const frameLater = () => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))
      let last = read()
      for (;;) {
        await frameLater()
        const now = read()
        if (now === last) return
        last = now
      }
    })
    const { click, flow } = await page.evaluate(() => {
      const svg = document
        .querySelector('qflow-canvas')!
        .shadowRoot!.querySelector('qflow-minimap')!
        .shadowRoot!.querySelector('svg')!
      const ctm = svg.getScreenCTM()!
      const aim = new DOMPoint(660 + 120, 200 + 36).matrixTransform(ctm)
      const at = new DOMPoint(Math.round(aim.x), Math.round(aim.y))
      const under = at.matrixTransform(ctm.inverse())
      return { click: { x: at.x, y: at.y }, flow: { x: under.x, y: under.y } }
    })
    await page.mouse.click(click.x, click.y)
    await expect
      .poll(
        async () => {
          const [x, y, k] = await transform()
          // That flow point on screen: the middle of the 1200 x 700 canvas, give or take a pixel.
          return [Math.abs(flow.x * k + x - 600) < 3, Math.abs(flow.y * k + y - 350) < 3]
        },
        { timeout: 5000 }
      )
      .toEqual([true, true])
  })

  it('redraws the map when a node drag ends, not on every mouse move', async () => {
    const nodes = () => page.locator('qflow-canvas qflow-minimap .plain').getAttribute('d')
    const before = await nodes()
    const start = await center('[data-node-id="c"] .title')
    await dragBetween(start, { x: start.x - 200, y: start.y + 60 })
    expect(await nodes()).toBe(before)
    await page.mouse.up()
    await expect.poll(nodes).not.toBe(before)
  })

  it('zooms from the map with the wheel, and hides the map when asked', async () => {
    const map = page.locator('qflow-canvas qflow-minimap svg')
    const box = (await map.boundingBox())!
    const zoom = () => page.evaluate(() => (window as any).fixture.canvas.store.transform[2])
    const before = await zoom()
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.wheel(0, -200)
    await expect.poll(zoom).toBeGreaterThan(before)
    await page.evaluate(() => {
      ;(window as any).fixture.canvas.minimap = false
    })
    await expect.poll(() => page.locator('qflow-canvas qflow-minimap').count()).toBe(0)
  })

  it('counts a node with several outputs per port, never as their sum, within its card', async () => {
    await page.evaluate(() => {
      const fixture = (window as any).fixture
      fixture.load({
        nodes: [
          ...fixture.canvas.graph.nodes,
          {
            id: 'ctl',
            type: 'control',
            typeVersion: 1,
            label: 'ctl',
            config: {},
            position: { x: 0, y: 200 },
          },
        ],
        edges: fixture.canvas.graph.edges,
      })
      fixture.canvas.statuses = {
        trigger: { status: 'succeeded', itemsIn: 0, itemsOut: 1 },
        ctl: {
          status: 'succeeded',
          itemsIn: 16,
          itemsOut: 32,
          outputCounts: { results: 16, failed: 8, passed: 8 },
        },
      }
    })
    const counts = page.locator('qflow-canvas [data-node-id="ctl"] .counts')
    await counts.waitFor()
    expect(await counts.getAttribute('title')).toBe('16 in · 8 failed · 8 passed · 16 results')
    const shown = (await counts.textContent())!
    expect(shown).toMatch(/^16 in · 8 failed · 8 passed/)
    expect(shown).not.toContain('32')
    expect(await page.locator('qflow-canvas [data-node-id="trigger"] .counts').textContent()).toBe(
      '0 in · 1 out'
    )
    // The line ends inside the card, without a clip.
    const right = await counts.evaluate((el) => {
      const range = document.createRange()
      range.selectNodeContents(el)
      return range.getBoundingClientRect().right
    })
    const card = (await page.locator('qflow-canvas [data-node-id="ctl"] .card').boundingBox())!
    expect(right).toBeLessThanOrEqual(card.x + card.width - 6)
    // Execution details count the same way, in the type's port order.
    const items = await page.evaluate(async () => {
      const inspector = document.createElement('qflow-run-inspector') as any
      inspector.outputs = [
        { name: 'failed', label: 'Failed' },
        { name: 'passed', label: 'Passed' },
        { name: 'results', label: 'Results' },
      ]
      inspector.step = {
        nodeId: 'ctl',
        status: 'succeeded',
        inputCount: 16,
        outputCount: 32,
        outputCounts: { results: 16, failed: 8, passed: 8 },
      }
      document.body.append(inspector)
      await inspector.updateComplete
      return inspector.shadowRoot.querySelector('[data-items]').textContent
    })
    expect(items).toBe('16 in · 8 failed · 8 passed · 16 results')
  })

  it('draws a cancelled node in neutral grey with its own label, in run history and execution details too', async () => {
    await page.evaluate(() => {
      const fixture = (window as any).fixture
      fixture.canvas.statuses = {
        trigger: { status: 'succeeded', itemsIn: 0, itemsOut: 1 },
        a: { status: 'failed', error: 'boom' },
        b: { status: 'cancelled', error: 'the run was cancelled' },
      }
    })
    const card = (id: string) => page.locator(`qflow-canvas [data-node-id="${id}"]`)
    await card('b').locator('.run-cancelled').waitFor()
    expect(await card('b').locator('.counts').textContent()).toBe('Cancelled')
    const border = (id: string) =>
      card(id)
        .locator('.card')
        .evaluate((el) => getComputedStyle(el).borderTopColor)
    const red = await border('a')
    expect(await border('b')).not.toBe(red)
    const [r, g, b] = (await border('b')).match(/\d+/g)!.map(Number)
    expect(Math.max(r!, g!, b!) - Math.min(r!, g!, b!)).toBeLessThan(40) // grey, not a hue

    // The badges in run history and execution details: grey for cancelled, red for failed.
    const badges = await page.evaluate(async () => {
      const history = document.createElement('qflow-run-history') as any
      history.runs = [
        { id: 'r1', flowId: 'f', status: 'cancelled', steps: [] },
        { id: 'r2', flowId: 'f', status: 'failed', steps: [] },
      ]
      const inspector = document.createElement('qflow-run-inspector') as any
      inspector.nodeId = 'b'
      inspector.step = { nodeId: 'b', status: 'cancelled', error: { message: 'the run was cancelled' } }
      document.body.append(history, inspector)
      await history.updateComplete
      await inspector.updateComplete
      const colour = (el: Element | null | undefined) => (el ? getComputedStyle(el).color : '')
      return {
        cancelled: colour(history.shadowRoot.querySelector('.badge.cancelled')),
        failed: colour(history.shadowRoot.querySelector('.badge.failed')),
        step: colour(inspector.shadowRoot.querySelector('[data-status=cancelled]')),
        note: inspector.shadowRoot.querySelector('.error-box')?.getAttribute('role'),
      }
    })
    expect(badges.cancelled).not.toBe(badges.failed)
    expect(badges.step).toBe(badges.cancelled)
    expect(badges.note).toBe('status')
  })

  it("gives the control results' Why column room for whole security group ids, scrolling sideways when narrow", async () => {
    const why = 'open to 0.0.0.0/0 on 5432 through sg-0a1b2c3d4e5f60718 and sg-0f9e8d7c6b5a43210'
    const cell = await page.evaluate(async (why) => {
      const results = Array.from({ length: 3 }, (_, i) => ({
        resourceId: `orders-db-${i}`,
        displayName: `Orders DB ${i}`,
        region: 'us-east-1',
        result: 'FAIL',
        evidence: { error: why },
      }))
      const page = {
        port: 'results',
        offset: 0,
        limit: 50,
        total: 3,
        items: results,
        ports: { results: 3 },
        bytes: 900,
      }
      const box = document.createElement('div')
      box.style.cssText =
        'position: fixed; top: 0; left: 0; width: 420px; height: 600px; display: flex; background: white'
      const inspector = document.createElement('qflow-run-inspector') as any
      inspector.style.cssText = 'flex: 1; min-width: 0'
      inspector.client = { stepPage: async () => page }
      inspector.runId = 'r'
      inspector.nodeId = 'ctl'
      inspector.step = { nodeId: 'ctl', status: 'succeeded', inputCount: 3, outputCount: 6 }
      box.append(inspector)
      document.body.append(box)
      for (let i = 0; i < 50 && !inspector.shadowRoot?.querySelector('td.why'); i++)
        await new Promise((resolve) => setTimeout(resolve, 50))
      const td = inspector.shadowRoot.querySelector('td.why') as HTMLElement
      const scroller = inspector.shadowRoot.querySelector('.results-scroll') as HTMLElement
      // How many line boxes each security group id takes: 1 when it is not broken.
      const walker = document.createTreeWalker(td, NodeFilter.SHOW_TEXT)
      const texts: Text[] = []
      while (walker.nextNode()) texts.push(walker.currentNode as Text)
      const pieces = ['sg-0a1b2c3d4e5f60718', 'sg-0f9e8d7c6b5a43210'].map((id) => {
        const range = document.createRange()
        const text = texts.find((t) => t.data.includes(id))
        if (!text) return `${id} not in ${JSON.stringify(td.textContent)}`
        const at = text.data.indexOf(id)
        range.setStart(text, at)
        range.setEnd(text, at + id.length)
        return range.getClientRects().length
      })
      // The resource id's own line boxes (the cell is as tall as the row's Why text).
      const idRange = document.createRange()
      idRange.selectNodeContents(inspector.shadowRoot.querySelector('tr[data-resource] td') as HTMLElement)
      return {
        width: td.getBoundingClientRect().width,
        pieces,
        idLines: idRange.getClientRects().length,
        scrolls: scroller.scrollWidth > scroller.clientWidth,
        inView: scroller.getBoundingClientRect().right <= 420,
      }
    }, why)
    expect(cell.width).toBeGreaterThanOrEqual(220)
    expect(cell.pieces).toEqual([1, 1])
    expect(cell.idLines).toBe(1)
    // The panel itself does not grow past its box: its table scrolls.
    expect(cell.scrolls).toBe(true)
    expect(cell.inView).toBe(true)
  })
})
