import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import filter from '../../plugins/filter/index.ts'
import control from '../../plugins/totalcloud-control/index.ts'
import trigger from '../../plugins/trigger/index.ts'
import { launchChromium } from '../support/browser.ts'
import { buildUi } from '../support/build-ui.ts'
import { startLiveServer } from '../support/live-server.ts'
import { testPlugins } from '../support/plugins.ts'

// The editor and app in Chromium against the real server (real libSQL file, real engine), with the
// server's test node types standing in for the AWS and control plugins.

let browser: Browser
let server: Awaited<ReturnType<typeof startLiveServer>>
let page: Page

beforeAll(async () => {
  await buildUi()
  server = await startLiveServer({ registry: createRegistry([trigger, control, filter, ...testPlugins]) })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1300, height: 800 } })
  await page.addInitScript(() => {
    const seen: { name: string; detail: unknown }[] = []
    ;(window as any).qflowEvents = seen
    for (const name of [
      'qflow-load',
      'qflow-change',
      'qflow-save',
      'qflow-run-start',
      'qflow-run-finish',
      'qflow-error',
      'qflow-node-select',
    ])
      document.addEventListener(name, (e) =>
        seen.push({ name, detail: JSON.parse(JSON.stringify((e as CustomEvent).detail)) })
      )
  })
})
afterEach(() => page?.close())

const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
  const res = await fetch(server.url + path, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  return { status: res.status, body: res.status === 204 ? null : await res.json() }
}
const eventNames = () => page.evaluate(() => (window as any).qflowEvents.map((e: any) => e.name) as string[])
const node = (id: string) => page.locator(`qflow-canvas [data-node-id="${id}"]`)
const flowDoc = (nodes: any[], edges: any[]) => ({ name: 'UI flow', categories: ['Security'], nodes, edges })
const n = (id: string, type: string, x: number, config: Record<string, unknown> = {}) => ({
  id,
  type,
  typeVersion: 1,
  label: '',
  config,
  position: { x, y: 0 },
})
const e = (source: string, target: string, sourcePort = 'out') => ({
  id: `${source}-${target}`,
  source,
  sourcePort,
  target,
  targetPort: 'in',
})

/** Store a flow of these nodes and edges and open it in the app, once its last node shows. */
async function openFlow(nodes: ReturnType<typeof n>[], edges: ReturnType<typeof e>[]): Promise<string> {
  const created = await api('POST', '/api/flows', flowDoc(nodes, edges))
  await page.goto(`${server.url}/flows/${created.body.flow.id}`)
  await node(nodes.at(-1)!.id).waitFor()
  return created.body.flow.id
}

/** Store trigger → emit → map and open it in the app. */
const openChain = () =>
  openFlow(
    [n('trigger', 'trigger', 0), n('emit', 'test-emit', 330), n('map', 'test-map', 660)],
    [e('trigger', 'emit'), e('emit', 'map')]
  )

describe('qflow app and editor', () => {
  it('builds a flow from scratch: trigger first, Explore Nodes by keyboard, undo/redo, unsaved marker, save', async () => {
    await page.goto(`${server.url}/`)
    await page.locator('[data-action=create]').click()
    await page.locator('[data-action=from-scratch]').click()
    await node('trigger').waitFor()
    expect(await page.locator('qflow-canvas [data-node-id]').count()).toBe(1)

    await node('trigger').locator('.add-after').click()
    const palette = page.locator('qflow-node-palette dialog')
    await expect.poll(() => palette.getAttribute('open')).toBe('')
    // Triggers are offered but refused: a flow has one.
    expect(await palette.locator('li[data-type=trigger]').getAttribute('aria-disabled')).toBe('true')
    await page.keyboard.type('emit')
    expect(await palette.locator('li[role=option]').count()).toBe(1)
    await page.keyboard.press('Enter')
    await node('testEmit').waitFor()
    expect(await page.locator('qflow-canvas .xy-flow__edge').count()).toBe(1)
    expect(await page.locator('qflow-editor .dirty').count()).toBe(1)

    await page.locator('qflow-canvas').click({ position: { x: 5, y: 5 } })
    await page.keyboard.press('Control+z')
    await expect.poll(() => page.locator('qflow-canvas [data-node-id]').count()).toBe(1)
    await page.keyboard.press('Control+Shift+Z')
    await expect.poll(() => page.locator('qflow-canvas [data-node-id]').count()).toBe(2)

    await page.locator('qflow-editor [data-action=save]').click()
    await expect.poll(() => page.url()).toMatch(/\/flows\/(?!new$)[\w-]+$/)
    await expect.poll(() => page.locator('qflow-editor .dirty').count()).toBe(0)
    const id = page.url().split('/').pop()!
    const stored = await api('GET', `/api/flows/${id}`)
    expect(stored.body.flow.nodes.map((x: any) => x.type)).toEqual(['trigger', 'test-emit'])
    expect(stored.body.flow.edges).toEqual([
      expect.objectContaining({ source: 'trigger', target: 'testEmit' }),
    ])
    expect(await eventNames()).toContain('qflow-save')
  })

  it('runs a flow: every node turns green live, execution details show the output, history lists the run', async () => {
    const created = await api(
      'POST',
      '/api/flows',
      flowDoc(
        [
          n('trigger', 'trigger', 0),
          n('emit', 'test-emit', 330, { count: 3 }),
          n('control', 'totalcloud-control', 660, {
            criteria: {
              type: 'group',
              op: 'AND',
              conditions: [{ type: 'param', key: 'n', operator: 'greaterThan', value: 1 }],
            },
            resourceIdKey: 'n',
          }),
        ],
        [e('trigger', 'emit'), e('emit', 'control')]
      )
    )
    await page.goto(`${server.url}/flows/${created.body.flow.id}`)
    await node('control').waitFor()
    await page.locator('qflow-editor [data-action=run]').click()
    for (const id of ['trigger', 'emit', 'control'])
      await expect.poll(() => node(id).getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded')
    await expect.poll(eventNames).toContain('qflow-run-finish')
    expect(await node('emit').locator('.counts').textContent()).toContain('1 in · 3 out')

    await node('control').locator('.menu-btn').click()
    await page.locator('qflow-canvas .node-menu [data-action=details]').click()
    const inspector = page.locator('qflow-run-inspector')
    await expect.poll(() => inspector.locator('table.results tbody tr').count()).toBe(3)
    // No displayNameKey: the id stands in for the name, so the Name column says "-" (as the CLI does).
    expect(await inspector.locator('table.results tbody td:nth-child(2)').allTextContents()).toEqual([
      '-',
      '-',
      '-',
    ])
    // Every verdict counted, and why each FAIL failed (as the CLI's WHY column says it).
    expect(await inspector.locator('[data-counts]').textContent()).toBe(
      '3 resources · 1 FAIL · 0 ERROR · 2 PASS'
    )
    const failRow = inspector.locator('table.results tbody tr:has(.badge.FAIL)')
    expect(await failRow.locator('td.why').textContent()).toBe('n greaterThan 1')
    expect(await inspector.locator('.size').textContent()).toMatch(/output · \d+(\.\d)? (B|KB)/)
    const tree = inspector.locator('qflow-json-tree > ul')
    expect(await tree.textContent()).toContain('results')
    // Items are collapsed until asked for: open the first result (ports are failed, passed, results).
    expect(await tree.textContent()).not.toContain('resourceId')
    await inspector.locator('qflow-json-tree button[aria-label="Expand 0"]').last().click()
    expect(await tree.textContent()).toContain('resourceId')
    await inspector.locator('[data-tab=input]').click()
    await inspector.locator('qflow-json-tree button[aria-label="Expand 0"]').first().click()
    await expect.poll(() => tree.textContent()).toContain('tag')

    await page.locator('qflow-editor [data-action=history]').click()
    const history = page.locator('qflow-run-history')
    await expect.poll(() => history.locator('li').count()).toBe(1)
    expect(await history.locator('.badge').first().textContent()).toBe('succeeded')
  })

  it('shows a large output a page at a time, with its whole size, and loads more on request', async () => {
    const created = await api(
      'POST',
      '/api/flows',
      flowDoc(
        [n('trigger', 'trigger', 0), n('emit', 'test-emit', 330, { count: 250 })],
        [e('trigger', 'emit')]
      )
    )
    await page.goto(`${server.url}/flows/${created.body.flow.id}`)
    await node('emit').waitFor()
    const requests: string[] = []
    page.on('request', (r) => {
      if (r.url().includes('/steps/')) requests.push(new URL(r.url()).search)
    })
    await page.locator('qflow-editor [data-action=run]').click()
    await expect.poll(() => node('emit').getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded')
    await node('emit').locator('.menu-btn').click()
    await page.locator('qflow-canvas .node-menu [data-action=details]').click()
    const inspector = page.locator('qflow-run-inspector')
    await expect.poll(() => inspector.locator('[data-shown]').textContent()).toBe('showing 100 of 250 items')
    // Only pages were asked for, never the whole payload.
    expect(requests.length).toBeGreaterThan(0)
    expect(requests.every((q) => q.includes('limit='))).toBe(true)
    await inspector.locator('[data-action=more][data-port=out]').click()
    await expect.poll(() => inspector.locator('[data-shown]').count()).toBe(0)
    expect(await inspector.locator('[data-action=more]').count()).toBe(0)
  })

  it('runs till a node from its menu: only it and its ancestors run', async () => {
    await openChain()
    await node('emit').locator('.menu-btn').click()
    await page.locator('qflow-canvas .node-menu [data-action=run-until]').click()
    await expect.poll(() => node('emit').getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded')
    await expect.poll(eventNames).toContain('qflow-run-finish')
    expect(await node('map').getAttribute('data-status')).toBeNull()
    const start = await page.evaluate(
      () => (window as any).qflowEvents.find((x: any) => x.name === 'qflow-run-start').detail
    )
    expect(start.until).toBe('emit')

    // A full run, then the older partial run opened from the history shows its own statuses again.
    await page.locator('qflow-editor [data-action=run]').click()
    await expect.poll(() => node('map').getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded')
    await page.locator('qflow-editor [data-action=history]').click()
    const runs = page.locator('qflow-run-history li button.open')
    await expect.poll(() => runs.count()).toBe(2)
    await runs.nth(1).click()
    await expect.poll(() => node('map').getAttribute('data-status')).toBeNull()
    expect(await node('emit').getAttribute('data-status')).toBe('succeeded')
    expect(await page.locator('qflow-editor .statusbar').textContent()).toContain('till')
  })

  it('shows a 409 with what changed, and overwrites on request', async () => {
    const created = await api(
      'POST',
      '/api/flows',
      flowDoc([n('trigger', 'trigger', 0), n('emit', 'test-emit', 330)], [e('trigger', 'emit')])
    )
    const id = created.body.flow.id
    await page.goto(`${server.url}/flows/${id}`)
    await node('emit').waitFor()
    // Someone else renames the flow meanwhile.
    const theirs = await api(
      'PUT',
      `/api/flows/${id}`,
      { ...created.body.flow, name: 'Renamed elsewhere' },
      { 'if-match': String(created.body.version) }
    )
    expect(theirs.status).toBe(200)
    await node('emit').click()
    await page.keyboard.press('ArrowDown')
    await page.locator('qflow-editor [data-action=save]').click()
    const dialog = page.locator('qflow-editor dialog.conflict')
    await expect.poll(() => dialog.getAttribute('open')).toBe('')
    expect(await dialog.textContent()).toContain('name changed to "Renamed elsewhere"')
    // The node moved here is my change, not theirs: only what the other save changed is listed.
    expect(await dialog.textContent()).not.toContain('moved')
    await dialog.locator('[data-action=overwrite]').click()
    await expect.poll(() => page.locator('qflow-editor .dirty').count()).toBe(0)
    const stored = await api('GET', `/api/flows/${id}`)
    expect(stored.body.version).toBe(3)
    expect(stored.body.flow.name).toBe('UI flow')
    expect(stored.body.flow.nodes[1].position.y).toBe(10)
  })

  it('validates config inline and shows the server message on the field it names', async () => {
    // Stored with a config the plugin refuses: the server keeps it and reports the problem.
    const created = await api(
      'POST',
      '/api/flows',
      flowDoc(
        [n('trigger', 'trigger', 0), n('emit', 'test-emit', 330, { count: -2 })],
        [e('trigger', 'emit')]
      )
    )
    expect(created.body.problems).toEqual([expect.objectContaining({ nodeId: 'emit', field: 'count' })])
    await page.goto(`${server.url}/flows/${created.body.flow.id}`)
    await node('emit').waitFor()
    expect(await node('emit').locator('.summary.problem').count()).toBe(1)
    await node('emit').dblclick()
    const field = page.locator('qflow-schema-form [data-field=count]')
    // The card names the field; under the field's own label the name is left out.
    expect(await node('emit').locator('.summary.problem').getAttribute('title')).toBe(
      created.body.problems[0].message
    )
    expect(await field.locator('.error-text').textContent()).toBe(
      created.body.problems[0].message.replace(/^count: /, '')
    )
    await field.locator('input').fill('-1')
    await field.locator('input').press('Tab')
    await expect.poll(() => field.locator('.error-text').textContent()).toBe('At least 0')
    await field.locator('input').fill('4')
    await field.locator('input').press('Tab')
    await expect.poll(() => field.locator('.error-text').count()).toBe(0)
    await page.locator('qflow-node-dialog [data-action=save]').click()
    // The dialog closes once the server has checked the new config.
    await expect.poll(() => page.locator('qflow-node-dialog dialog').getAttribute('open')).toBeNull()
    await page.locator('qflow-editor [data-action=save]').click()
    await expect
      .poll(async () => (await api('GET', `/api/flows/${created.body.flow.id}`)).body.problems)
      .toEqual([])
    expect(await node('emit').locator('.summary').textContent()).toBe('Count: 4')
  })

  it('guards unsaved changes against leaving the page, and stops guarding once saved', async () => {
    const created = await api(
      'POST',
      '/api/flows',
      flowDoc([n('trigger', 'trigger', 0), n('emit', 'test-emit', 330)], [e('trigger', 'emit')])
    )
    await page.goto(`${server.url}/flows/${created.body.flow.id}`)
    const leaving = () =>
      page.evaluate(() => {
        const event = new Event('beforeunload', { cancelable: true })
        window.dispatchEvent(event)
        return event.defaultPrevented
      })
    await node('emit').click()
    expect(await leaving()).toBe(false)
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.locator('qflow-editor .dirty').count()).toBe(1)
    expect(await leaving()).toBe(true)
    await page.keyboard.press('Control+s')
    await expect.poll(() => page.locator('qflow-editor .dirty').count()).toBe(0)
    expect(await leaving()).toBe(false)
  })

  it('asks before Back leaves unsaved edits; staying keeps the edits and the URL', async () => {
    const created = await api(
      'POST',
      '/api/flows',
      flowDoc([n('trigger', 'trigger', 0), n('emit', 'test-emit', 330)], [e('trigger', 'emit')])
    )
    const flowUrl = `${server.url}/flows/${created.body.flow.id}`
    await page.goto(`${server.url}/`)
    await page.locator(`qflow-app tr[data-flow="${created.body.flow.id}"] td a`).click()
    await expect.poll(() => page.url()).toBe(flowUrl)
    await node('emit').click()
    await page.keyboard.press('ArrowRight')
    await expect.poll(() => page.locator('qflow-editor .dirty').count()).toBe(1)

    const asked: string[] = []
    page.once('dialog', (dialog) => {
      asked.push(dialog.message())
      void dialog.dismiss()
    })
    await page.goBack({ waitUntil: 'commit' })
    await expect.poll(() => asked).toEqual(['You have unsaved changes. Leave this QFlow?'])
    await expect.poll(() => page.url()).toBe(flowUrl)
    expect(await page.locator('qflow-editor .dirty').count()).toBe(1)

    page.once('dialog', (dialog) => void dialog.accept())
    await page.goBack({ waitUntil: 'commit' })
    await expect.poll(() => page.url()).toBe(`${server.url}/`)
    await expect.poll(() => page.locator('qflow-editor').count()).toBe(0)
  })

  it('lists flows with search and category filter, and creates from a template', async () => {
    await api('POST', '/api/flows', {
      ...flowDoc([n('trigger', 'trigger', 0)], []),
      name: 'Cost watch',
      categories: ['Cost'],
    })
    await page.goto(`${server.url}/`)
    await page.locator('qflow-app tr[data-flow]').first().waitFor()
    await page.locator('qflow-app input[type=search]').fill('cost')
    await expect
      .poll(() => page.locator('qflow-app tr[data-flow] td a').allTextContents())
      .toEqual(['Cost watch'])
    await page.locator('qflow-app input[type=search]').fill('')
    await page.locator('qflow-app select').selectOption('Cost')
    await expect
      .poll(() => page.locator('qflow-app tr[data-flow] td a').allTextContents())
      .toEqual(['Cost watch'])

    await page.locator('[data-action=create]').click()
    await page.locator('[data-action=from-template]').click()
    await page.locator('[data-template=unencrypted-rds-storage]').click()
    await node('control').waitFor()
    expect(await page.locator('qflow-editor .name span').first().textContent()).toBe(
      'Unencrypted RDS storage'
    )
  })

  it('keeps keyboard focus in the editor after deleting the focused nodes, so Ctrl+Z still undoes', async () => {
    await openChain()
    await node('emit').click()
    await page.keyboard.press('Control+a')
    await page.keyboard.press('Delete')
    // The trigger stays: a flow keeps it.
    await expect.poll(() => page.locator('qflow-canvas [data-node-id]').count()).toBe(1)
    expect(await page.evaluate(() => document.activeElement?.tagName)).not.toBe('BODY')
    await page.keyboard.press('Control+z')
    await expect.poll(() => page.locator('qflow-canvas [data-node-id]').count()).toBe(3)
    // Focus on <body> (it fell there some other way): keys still reach the editor last used...
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await page.keyboard.press('Control+Shift+Z')
    await expect.poll(() => page.locator('qflow-canvas [data-node-id]').count()).toBe(1)
    // ...until the user clicks elsewhere on the page: then the page's keys are its own.
    await page
      .locator('qflow-app header, body')
      .first()
      .click({ position: { x: 2, y: 2 } })
    await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur())
    await page.keyboard.press('Control+z')
    await page.waitForTimeout(200)
    expect(await page.locator('qflow-canvas [data-node-id]').count()).toBe(1)
  })

  it('moves dragged nodes back on Undo and forward again on Redo, one node or a selection of several', async () => {
    const id = await openChain()
    const top = async (nodeId: string) => (await node(nodeId).boundingBox())!.y
    const drag = async (nodeId: string, dy: number) => {
      const box = (await node(nodeId).locator('.title').boundingBox())!
      const x = box.x + box.width / 2
      const y = box.y + box.height / 2
      await page.mouse.move(x, y)
      await page.mouse.down()
      await page.mouse.move(x, y + 20, { steps: 4 })
      await page.mouse.move(x, y + dy, { steps: 8 })
      await page.mouse.up()
    }
    const undo = () => page.locator('qflow-editor [data-action=undo]').click()
    const redo = () => page.locator('qflow-editor [data-action=redo]').click()
    const near = (value: number) => (actual: number) => Math.abs(actual - value) < 2
    const start = { emit: await top('emit'), map: await top('map') }

    await drag('emit', 150)
    await expect.poll(() => top('emit')).toBeGreaterThan(start.emit + 100)
    const dragged = await top('emit')
    await undo()
    await expect.poll(() => page.locator('qflow-editor .dirty').count()).toBe(0)
    await expect.poll(async () => near(start.emit)(await top('emit'))).toBe(true)
    await redo()
    await expect.poll(async () => near(dragged)(await top('emit'))).toBe(true)
    await undo()
    await expect.poll(async () => near(start.emit)(await top('emit'))).toBe(true)

    // Two selected nodes dragged together go back together.
    await node('emit').locator('.title').click()
    await node('map')
      .locator('.title')
      .click({ modifiers: ['Control'] })
    await drag('map', 120)
    await expect.poll(() => top('emit')).toBeGreaterThan(start.emit + 80)
    expect(await top('map')).toBeGreaterThan(start.map + 80)
    await undo()
    await expect.poll(async () => near(start.emit)(await top('emit'))).toBe(true)
    expect(near(start.map)(await top('map'))).toBe(true)

    // The next edit and Save store what the canvas shows, not the undone drag.
    await node('trigger').locator('.title').click()
    await page.keyboard.press('ArrowRight')
    await page.locator('qflow-editor [data-action=save]').click()
    await expect.poll(() => page.locator('qflow-editor .dirty').count()).toBe(0)
    const stored = await api('GET', `/api/flows/${id}`)
    expect(stored.body.flow.nodes.map((x: any) => [x.id, x.position])).toEqual([
      ['trigger', { x: 10, y: 0 }],
      ['emit', { x: 330, y: 0 }],
      ['map', { x: 660, y: 0 }],
    ])
  })

  it('places a node added after a card with port tags so its edge runs straight into the input', async () => {
    await openFlow(
      [
        n('trigger', 'trigger', 0),
        n('control', 'totalcloud-control', 330),
        { ...n('filter', 'filter', 330), position: { x: 330, y: 400 } },
      ],
      [e('trigger', 'control'), e('trigger', 'filter')]
    )
    const palette = page.locator('qflow-node-palette dialog')
    const pick = async (text: string) => {
      await expect.poll(() => palette.getAttribute('open')).toBe('')
      await page.keyboard.type(text)
      await page.keyboard.press('Enter')
    }
    /** Points (page pixels, every 2 px) of edges into `target` inside its card, or of any edge over its "+". */
    const intrusions = (target: string) =>
      page.locator('qflow-canvas').evaluate((canvas, target) => {
        const root = canvas.shadowRoot!
        const card = root.querySelector(`[data-node-id="${target}"]`)!.getBoundingClientRect()
        const handle = root
          .querySelector(
            `[data-node-id="${target}"] [data-handletype=target], [data-node-id="${target}"] .target`
          )
          ?.getBoundingClientRect()
        const buttons = [...root.querySelectorAll(`[data-node-id="${target}"] .add-after`)].map((b) =>
          b.getBoundingClientRect()
        )
        const found: string[] = []
        for (const g of root.querySelectorAll<SVGGElement>('.xy-flow__edge[data-edge-id]')) {
          const path = g.querySelector<SVGPathElement>('.edge-path')!
          const ctm = path.getScreenCTM()!
          const length = path.getTotalLength()
          const into = path.getPointAtLength(length).matrixTransform(ctm)
          const mine = Math.abs(into.x - card.left) < 10 && into.y > card.top && into.y < card.bottom
          for (let at = 0; at <= length; at += 2) {
            const p = path.getPointAtLength(at).matrixTransform(ctm)
            const inCard = p.x > card.left && p.x < card.right && p.y > card.top && p.y < card.bottom
            const atInput = handle ? p.x <= handle.right + 1 : p.x <= card.left + 6
            if (mine && inCard && !atInput) found.push(`${g.dataset.edgeId} in card at ${p.x},${p.y}`)
            for (const b of buttons)
              if (p.x > b.left && p.x < b.right && p.y > b.top && p.y < b.bottom)
                found.push(`${g.dataset.edgeId} over a + at ${p.x},${p.y}`)
          }
        }
        return found
      }, target)

    const stored = () =>
      page.locator('qflow-editor').evaluate((el) => (el as any).flow as { nodes: any[]; edges: any[] })
    const added = async (id: string) => (await stored()).nodes.find((x) => x.id === id)

    // Filter's widest tag (Unmatched) runs its edges furthest before they may turn.
    await node('filter').locator('.add-after').click()
    await pick('emit')
    await node('testEmit').waitFor()
    expect(await intrusions('testEmit')).toEqual([])

    // The "+" of the control card adds after its first port, Failed.
    await node('control').locator('.add-after').click()
    await pick('emit')
    await node('testEmit2').waitFor()
    expect((await stored()).edges).toContainEqual(
      expect.objectContaining({ source: 'control', sourcePort: 'failed', target: 'testEmit2' })
    )
    expect(await intrusions('testEmit2')).toEqual([])
    // Clear of the control card's own "+" too.
    const first = await added('testEmit2')
    expect(first.position.x).toBeGreaterThan(330 + 240 + 116)

    // Explore Nodes with the control card selected adds after it the same way.
    await node('control').locator('.title').click()
    await page.locator('qflow-editor [data-action=add-node]').click()
    await pick('map')
    await node('testMap').waitFor()
    expect((await added('testMap')).position.x).toBe(first.position.x)
    expect(await intrusions('testMap')).toEqual([])
    expect(await intrusions('testEmit2')).toEqual([])
  })

  it('asks to name and save a new flow before its first run, and stores nothing when cancelled', async () => {
    const count = async () => (await api('GET', '/api/flows?limit=200')).body.items.length
    const before = await count()
    await page.goto(`${server.url}/flows/new`)
    await node('trigger').waitFor()
    const details = page.locator('qflow-flow-details')
    const open = () => details.locator('dialog').getAttribute('open')
    await page.locator('qflow-editor [data-action=run]').click()
    await expect.poll(open).toBe('')
    expect(await details.locator('h2').textContent()).toBe('Save this QFlow to run it')
    expect(await details.locator('[data-action=apply]').textContent()).toBe('Save and run')
    await details.getByRole('button', { name: 'Cancel' }).click()
    await expect.poll(open).toBe(null)
    expect(page.url()).toMatch(/\/flows\/new$/)
    expect(await count()).toBe(before)

    await page.locator('qflow-editor [data-action=run]').click()
    await expect.poll(open).toBe('')
    // The name is selected: typing replaces "Untitled QFlow".
    await page.keyboard.type('Nightly check')
    await details.locator('[data-action=apply]').click()
    await expect.poll(() => page.url()).toMatch(/\/flows\/(?!new$)[\w-]+$/)
    await expect.poll(eventNames).toContain('qflow-run-finish')
    const stored = await api('GET', `/api/flows/${page.url().split('/').pop()}`)
    expect(stored.body.flow.name).toBe('Nightly check')
    expect(await count()).toBe(before + 1)
  })

  it('asks to name a new flow before its first deploy, then stores and deploys it', async () => {
    await page.goto(`${server.url}/flows/new`)
    await node('trigger').waitFor()
    const details = page.locator('qflow-flow-details')
    await page.locator('qflow-editor [data-action=deploy]').click()
    await expect.poll(() => details.locator('dialog').getAttribute('open')).toBe('')
    expect(await details.locator('h2').textContent()).toBe('Save this QFlow to deploy it')
    expect(await details.locator('[data-action=apply]').textContent()).toBe('Save and deploy')
    await page.keyboard.type('Armed check')
    await details.locator('[data-action=apply]').click()
    await expect.poll(() => page.url()).toMatch(/\/flows\/(?!new$)[\w-]+$/)
    const deploy = page.locator('qflow-editor [data-action=deploy]')
    await expect.poll(() => deploy.textContent()).toContain('Deployed')
    const stored = await api('GET', `/api/flows/${page.url().split('/').pop()}`)
    expect(stored.body.flow).toMatchObject({ name: 'Armed check', deployed: true })
  })

  it('adds a node with nothing selected beside the others, not on top of the trigger', async () => {
    await page.goto(`${server.url}/flows/new`)
    await node('trigger').waitFor()
    await page.locator('qflow-editor [data-action=add-node]').click()
    await page.locator('qflow-node-palette li[data-type=test-emit]').click()
    await node('testEmit').waitFor()
    const a = (await node('trigger').boundingBox())!
    const b = (await node('testEmit').boundingBox())!
    const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
    expect(overlap).toBe(false)
  })

  it('shows a node whose type is not installed: its edges, its label, and which plugin is missing', async () => {
    const missing = {
      ...n('scan', 'acme-scan', 660),
      label: 'Acme scanner',
      plugin: { name: 'qflow-plugin-acme' },
    }
    const created = await api(
      'POST',
      '/api/flows',
      flowDoc(
        [n('trigger', 'trigger', 0), n('emit', 'test-emit', 330), missing],
        [e('trigger', 'emit'), e('emit', 'scan')]
      )
    )
    expect(created.status).toBe(201)
    await page.goto(`${server.url}/flows/${created.body.flow.id}`)
    await node('scan').waitFor()
    await expect.poll(() => page.locator('qflow-canvas .xy-flow__edge').count()).toBe(2)
    expect(await node('scan').locator('.title').textContent()).toBe('Acme scanner')
    expect(await node('scan').locator('[data-unavailable]').textContent()).toBe(
      'type acme-scan not installed'
    )
    const status = page.locator('qflow-editor .statusbar')
    await expect.poll(() => status.textContent()).toContain('install plugin "qflow-plugin-acme"')
    await page.locator('qflow-editor [data-action=run]').click()
    await expect.poll(() => status.locator('[data-message]').textContent()).toContain('acme-scan')
    expect(await status.textContent()).not.toContain('problem(s)')
  })

  it("checks a node's config with the server before its dialog closes, and counts problems on the card", async () => {
    const criteria = (value: string) => ({
      criteria: {
        type: 'group',
        op: 'AND',
        conditions: [{ type: 'param', key: 'tag', operator: 'matches', value }],
      },
      resourceIdKey: 'id',
    })
    const created = await api(
      'POST',
      '/api/flows',
      flowDoc(
        [
          n('trigger', 'trigger', 0),
          n('emit', 'test-emit', 330),
          n('control', 'totalcloud-control', 660, criteria('(')),
        ],
        [e('trigger', 'emit'), e('emit', 'control')]
      )
    )
    expect(created.body.problems.length).toBe(1)
    await page.goto(`${server.url}/flows/${created.body.flow.id}`)
    await node('control').waitFor()
    // The card counts; the message, its field in words, is on hover.
    const summary = node('control').locator('.summary.problem')
    expect(await summary.textContent()).toBe('1 problem')
    expect(await summary.getAttribute('title')).toMatch(/^criteria › condition 1 › value: .*regex/)

    await node('control').dblclick()
    const dialog = page.locator('qflow-node-dialog dialog')
    const field = page.locator('qflow-schema-form [data-field=criteria]')
    expect(await field.locator('.error-text').first().textContent()).toMatch(/^condition 1 › value: .*regex/)
    // A pattern that still does not compile: the dialog stays open and says why.
    const value = page.locator('qflow-criteria-builder .row[data-path="0"] [data-role=value]')
    await value.fill('[a-')
    await value.press('Tab')
    await page.locator('qflow-node-dialog [data-action=save]').click()
    await expect.poll(() => field.locator('.error-text').first().textContent()).toMatch(/regex/)
    expect(await dialog.getAttribute('open')).toBe('')
    // Fixed: it closes, the card is clean, and the save says so.
    await value.fill('^ok')
    await value.press('Tab')
    await page.locator('qflow-node-dialog [data-action=save]').click()
    await expect.poll(() => dialog.getAttribute('open')).toBeNull()
    expect(await node('control').locator('.summary.problem').count()).toBe(0)
    await page.locator('qflow-editor [data-action=save]').click()
    await expect
      .poll(() => page.locator('qflow-editor .statusbar [data-message]').textContent())
      .toBe('Saved')

    // A node left unconnected is a problem the server saves with: the status bar says so.
    await page.locator('qflow-canvas').click({ position: { x: 5, y: 5 } })
    await page.locator('qflow-editor [data-action=add-node]').click()
    await page.locator('qflow-node-palette li[data-type=test-emit]').click()
    await node('testEmit').waitFor()
    await page.locator('qflow-editor [data-action=save]').click()
    await expect
      .poll(() => page.locator('qflow-editor .statusbar [data-message]').textContent())
      .toBe('Saved with 1 problem')
  })

  it('sets variables in the details dialog, checked as typed, and stores them typed', async () => {
    const id = await openChain()
    await page.locator('qflow-editor [data-action=details]').click()
    const vars = page.locator('qflow-flow-details qflow-variables-editor')
    const row = (i: number) => vars.locator(`.row[data-variable="${i}"]`)
    await vars.locator('[data-action=add-variable]').click()
    await row(0).locator('[data-role=name]').fill('threshold')
    await row(0).locator('[data-role=type]').selectOption('number')
    await row(0).locator('[data-role=value]').fill('0x10')
    await expect.poll(() => row(0).locator('[data-error=value]').textContent()).toContain('a decimal number')
    await row(0).locator('[data-role=value]').fill('2.5')
    await vars.locator('[data-action=add-variable]').click()
    await row(1).locator('[data-role=name]').fill('threshold')
    await expect
      .poll(() => row(1).locator('[data-error=name]').textContent())
      .toContain('the name of another variable')
    // Refused while a row is: the dialog stays open.
    await page.locator('qflow-flow-details [data-action=apply]').click()
    expect(await page.locator('qflow-flow-details dialog').getAttribute('open')).toBe('')
    await row(1).locator('[data-role=name]').fill('2regions')
    await expect
      .poll(() => row(1).locator('[data-error=name]').textContent())
      .toContain('starts with a letter')
    await row(1).locator('[data-role=name]').fill('regions')
    await row(1).locator('[data-role=type]').selectOption('list')
    await row(1).locator('[data-role=value]').fill('us-east-1, eu-west-1')
    expect(await vars.locator('[role=alert]').count()).toBe(0)
    await page.locator('qflow-flow-details [data-action=apply]').click()
    await expect.poll(() => page.locator('qflow-flow-details dialog').getAttribute('open')).toBeNull()
    await page.locator('qflow-editor [data-action=save]').click()
    await expect.poll(() => page.locator('qflow-editor .dirty').count()).toBe(0)
    expect((await api('GET', `/api/flows/${id}`)).body.flow.variables).toEqual([
      { name: 'threshold', type: 'number', value: 2.5 },
      { name: 'regions', type: 'list', value: ['us-east-1', 'eu-west-1'] },
    ])

    await page.reload()
    await node('map').waitFor()
    await page.locator('qflow-editor [data-action=details]').click()
    await expect.poll(() => vars.locator('.row').count()).toBe(2)
    expect(await row(0).locator('[data-role=value]').inputValue()).toBe('2.5')
    expect(await row(0).locator('[data-role=type]').inputValue()).toBe('number')
    expect(await row(1).locator('[data-role=value]').inputValue()).toBe('us-east-1, eu-west-1')
  })

  it('deploys and undeploys from the toolbar', async () => {
    const created = await api('POST', '/api/flows', flowDoc([n('trigger', 'trigger', 0)], []))
    await page.goto(`${server.url}/flows/${created.body.flow.id}`)
    const deploy = page.locator('qflow-editor [data-action=deploy]')
    await deploy.click()
    await expect.poll(() => deploy.textContent()).toContain('Deployed')
    expect((await api('GET', `/api/flows/${created.body.flow.id}`)).body.flow.deployed).toBe(true)
    await deploy.click()
    await expect.poll(() => deploy.textContent()).toBe('Deploy')
    expect((await api('GET', `/api/flows/${created.body.flow.id}`)).body.flow.deployed).toBe(false)
    expect(await page.locator('qflow-editor .dirty').count()).toBe(0)
  })

  it('in readonly mode offers no editing, but still runs through its methods', async () => {
    const created = await api(
      'POST',
      '/api/flows',
      flowDoc([n('trigger', 'trigger', 0), n('emit', 'test-emit', 330)], [e('trigger', 'emit')])
    )
    await page.goto(`${server.url}/flows/${created.body.flow.id}`)
    await node('emit').waitFor()
    await page.evaluate(() =>
      document
        .querySelector('qflow-app')!
        .shadowRoot!.querySelector('qflow-editor')!
        .setAttribute('readonly', '')
    )
    await expect.poll(() => page.locator('qflow-editor [data-action=save]').count()).toBe(0)
    expect(await page.locator('qflow-canvas .add-after').count()).toBe(0)
    await node('emit').click()
    await page.keyboard.press('Delete')
    expect(await page.locator('qflow-canvas [data-node-id]').count()).toBe(2)
    const runId = await page.evaluate(() =>
      (document.querySelector('qflow-app')!.shadowRoot!.querySelector('qflow-editor') as any).run()
    )
    expect(runId).toEqual(expect.any(String))
    await expect.poll(() => node('emit').getAttribute('data-status'), { timeout: 10_000 }).toBe('succeeded')
  })

  it('exports a flow and imports the file back as a new flow', async () => {
    const created = await api('POST', '/api/flows', {
      ...flowDoc([n('trigger', 'trigger', 0)], []),
      name: 'Round trip',
    })
    await page.goto(`${server.url}/`)
    const row = page.locator(`qflow-app tr[data-flow="${created.body.flow.id}"]`)
    const download = page.waitForEvent('download')
    await row.locator('[data-action=export]').click()
    const file = await (await download).path()
    const exported = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(file, 'utf8')))
    expect(exported).toMatchObject({ id: created.body.flow.id, name: 'Round trip' })
    // The same id exists, so the import comes in as a copy with a fresh id.
    await page.locator('qflow-app input[type=file]').setInputFiles(file)
    await expect.poll(() => page.url()).toMatch(/\/flows\/(?!new$)[\w-]+$/)
    const importedId = page.url().split('/').pop()!
    expect(importedId).not.toBe(created.body.flow.id)
    expect((await api('GET', `/api/flows/${importedId}`)).body.flow.name).toBe('Round trip')
    await node('trigger').waitFor()
    // Said, not only logged: which id was taken and which the copy got.
    expect(await page.locator('qflow-app [data-notice]').textContent()).toContain(
      `A flow with id "${created.body.flow.id}" exists; imported as a copy: ${importedId}`
    )

    // A refused file names the field it probably meant as code, not between backticks.
    await page.locator('qflow-app .brand').click()
    await page.locator('qflow-app [data-notice]').waitFor({ state: 'detached' })
    const { id: _id, ...rest } = exported
    await page.locator('qflow-app input[type=file]').setInputFiles({
      name: 'typo.qflow.json',
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify({ ...rest, varaibles: [] })),
    })
    const error = page.locator('qflow-app .error')
    await expect.poll(() => error.locator('code').allTextContents()).toContain('variables')
    expect(await error.textContent()).not.toContain('`')
  })

  it('asks for an API key when the server requires one, and sends it from then on', async () => {
    const token = 'ui-test-admin-token-0123456789'
    const guarded = await startLiveServer({
      registry: createRegistry([trigger, control, filter, ...testPlugins]),
      env: { QFLOW_ADMIN_TOKEN: token },
    })
    try {
      await fetch(`${guarded.url}/api/flows`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        body: JSON.stringify({ ...flowDoc([n('trigger', 'trigger', 0)], []), name: 'Behind a key' }),
      })
      await page.goto(`${guarded.url}/`)
      const key = page.locator('qflow-app form.key input')
      await key.waitFor()
      await key.fill(token)
      await key.press('Enter')
      await expect
        .poll(() => page.locator('qflow-app tr[data-flow] td a').allTextContents())
        .toEqual(['Behind a key'])
      await page.locator('qflow-app tr[data-flow] td a').click()
      await node('trigger').waitFor()
      expect(await eventNames()).toContain('qflow-load')
    } finally {
      await guarded.close()
    }
  })
})
