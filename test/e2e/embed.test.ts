import type { Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { launchChromium } from '../support/browser.ts'
import { buildUi } from '../support/build-ui.ts'
import { startLiveServer } from '../support/live-server.ts'
import { serveStatic } from '../support/static-server.ts'

// examples/embed.html, a plain page on its own origin, embeds the editor from the real server:
// cross-origin module, bearer token, no cookies, no iframe, themed, and every documented event.

const TOKEN = 'embed-test-token-0123456789abcdef'

let browser: Browser
let page: Awaited<ReturnType<typeof serveStatic>>
let server: Awaited<ReturnType<typeof startLiveServer>>

beforeAll(async () => {
  await buildUi()
  page = await serveStatic(['examples'])
  // With an admin token configured the server requires a key on every request (no local bypass).
  server = await startLiveServer({ app: { corsOrigins: [page.url] }, env: { QFLOW_ADMIN_TOKEN: TOKEN } })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
  await page?.close()
})

describe('examples/embed.html', () => {
  it('loads the editor from the server, with a token and no cookies, and emits its events', async () => {
    const created = await fetch(`${server.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        name: 'Embedded flow',
        nodes: [{ id: 'trigger', type: 'trigger', typeVersion: 1, config: {} }],
        edges: [],
      }),
    }).then((r) => r.json())
    const tab = await browser.newPage({ viewport: { width: 1300, height: 800 } })
    const apiRequests: { url: string; headers: Record<string, string> }[] = []
    tab.on('request', (r) => {
      if (r.url().startsWith(`${server.url}/api/`)) apiRequests.push({ url: r.url(), headers: r.headers() })
    })
    await tab.goto(
      `${page.url}/embed.html?api=${encodeURIComponent(server.url)}&flow=${created.flow.id}&token=${TOKEN}`
    )
    const names = () => tab.evaluate(() => (window as any).qflowEvents.map((e: any) => e.name) as string[])

    await expect.poll(names, { timeout: 15_000 }).toContain('qflow-load')
    const node = tab.locator('qflow-editor qflow-canvas [data-node-id=trigger]')
    await node.waitFor()
    // Loading selects nothing, so it announces no selection.
    expect(await names()).not.toContain('qflow-node-select')

    await node.click()
    await expect.poll(names).toContain('qflow-node-select')
    await tab.keyboard.press('ArrowDown')
    await expect.poll(names).toContain('qflow-change')
    await tab.keyboard.press('Control+s')
    await expect.poll(names).toContain('qflow-save')
    await tab.locator('qflow-editor [data-action=run]').click()
    await expect.poll(names, { timeout: 15_000 }).toContain('qflow-run-finish')
    const events = await tab.evaluate(() => (window as any).qflowEvents)
    expect(events.find((e: any) => e.name === 'qflow-run-start').detail.flowId).toBe(created.flow.id)
    expect(events.find((e: any) => e.name === 'qflow-run-finish').detail.status).toBe('succeeded')
    expect(await tab.locator('#log li').count()).toBeGreaterThanOrEqual(6)

    // Every API call carried the token and no cookie; the editor sits in the page, not an iframe.
    expect(apiRequests.length).toBeGreaterThan(3)
    for (const request of apiRequests) {
      expect(request.headers.authorization).toBe(`Bearer ${TOKEN}`)
      expect(request.headers.cookie).toBeUndefined()
    }
    expect(await tab.locator('iframe').count()).toBe(0)
    // The host page's --qflow-accent reaches the Run button inside the shadow roots.
    expect(
      await tab
        .locator('qflow-editor [data-action=run]')
        .evaluate((el) => getComputedStyle(el).backgroundColor)
    ).toBe('rgb(15, 118, 110)')
    const stored = await fetch(`${server.url}/api/flows/${created.flow.id}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    }).then((r) => r.json())
    expect(stored.version).toBe(2)
    await tab.close()
  })

  it('fits a narrow portal column without wrapping or clipping, and refuses save() when read-only', async () => {
    const criteria = {
      type: 'group',
      op: 'AND',
      conditions: [{ type: 'param', key: 'PubliclyAccessible', operator: 'equals', value: true }],
    }
    const created = await fetch(`${server.url}/api/flows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({
        name: 'Publicly accessible RDS DB instances',
        accounts: ['123456789012'],
        regions: ['us-east-1', 'eu-west-1'],
        nodes: [
          {
            id: 'trigger',
            type: 'trigger',
            typeVersion: 1,
            config: { kind: 'totalcloud' },
            position: { x: 0, y: 0 },
          },
          { id: 'resource', type: 'aws-resource', typeVersion: 1, config: {}, position: { x: 330, y: 0 } },
          {
            id: 'control',
            type: 'totalcloud-control',
            typeVersion: 1,
            config: { criteria },
            position: { x: 660, y: 0 },
          },
        ],
        edges: [
          { id: 'a', source: 'trigger', sourcePort: 'out', target: 'resource', targetPort: 'in' },
          { id: 'b', source: 'resource', sourcePort: 'out', target: 'control', targetPort: 'in' },
        ],
      }),
    }).then((r) => r.json())
    // The editor column comes to about 1015 px, where the toolbar used to wrap (the log takes 320 px).
    const tab = await browser.newPage({ viewport: { width: 1400, height: 800 } })
    await tab.goto(
      `${page.url}/embed.html?api=${encodeURIComponent(server.url)}&flow=${created.flow.id}&token=${TOKEN}`
    )
    const editor = tab.locator('qflow-editor')
    await editor.locator('qflow-canvas [data-node-id=control]').waitFor({ timeout: 15_000 })
    const box = async (selector: string) => (await editor.locator(selector).boundingBox())!

    const toolbar = await box('.toolbar')
    const run = await box('[data-action=run]')
    const add = await box('[data-action=add-node]')
    expect(Math.abs(run.y - add.y)).toBeLessThan(4)
    expect(run.x + run.width).toBeLessThanOrEqual(toolbar.x + toolbar.width)
    const plusInView = async () => {
      const plus = await box('qflow-canvas [data-node-id=control] .add-after')
      const canvas = await box('qflow-canvas')
      return plus.x >= canvas.x && plus.x + plus.width <= canvas.x + canvas.width
    }
    await expect.poll(plusInView).toBe(true)
    await editor.evaluate((el: any) => el.fitView())
    expect(await plusInView()).toBe(true)
    // The portal narrows the editor's column: a view nobody moved is fitted again, "+" included.
    await tab.evaluate(() => {
      document.querySelector('main')!.style.gridTemplateColumns = '800px 320px'
    })
    await expect.poll(async () => (await box('qflow-canvas')).width).toBeLessThan(820)
    await expect.poll(plusInView).toBe(true)

    // Read-only: save() rejects with a reason instead of the false that means "a newer version won".
    await editor.evaluate((el) => el.setAttribute('readonly', ''))
    const outcome = await editor.evaluate((el: any) =>
      el.save().then(
        (value: unknown) => ({ resolved: value }),
        (err: Error) => ({ rejected: err.message })
      )
    )
    expect(outcome).toEqual({ rejected: 'the editor is read-only' })
    await tab.close()
  })

  it('says what is missing when the page gives no key: the server refuses cross-origin callers without one', async () => {
    const tab = await browser.newPage({ viewport: { width: 1300, height: 800 } })
    await tab.goto(`${page.url}/embed.html?api=${encodeURIComponent(server.url)}`)
    const help = tab.locator('#needs-key')
    await expect.poll(() => help.isVisible(), { timeout: 15_000 }).toBe(true)
    expect(await help.textContent()).toContain('qflow keys create')
    // The editor says so too, where the flow would be, and offers nothing to edit.
    const failure = tab.locator('qflow-editor [data-load-failure]')
    await failure.waitFor()
    expect(await failure.textContent()).toContain('This qflow server needs an API key')
    expect(await tab.locator('qflow-editor .name').textContent()).toContain('Not loaded')
    expect(await tab.locator('qflow-editor [data-action=add-node]').isDisabled()).toBe(true)
    expect(await tab.locator('qflow-editor [data-action=run]').isDisabled()).toBe(true)
    const errors = await tab.evaluate(() =>
      (window as any).qflowEvents.filter((e: any) => e.name === 'qflow-error').map((e: any) => e.detail)
    )
    expect(errors[0]).toMatchObject({ status: 401, code: 'AUTH_REQUIRED' })
    // The notice pushes the editor down, not its status bar out of the window.
    const bar = (await tab.locator('qflow-editor .statusbar').boundingBox())!
    expect(bar.y + bar.height).toBeLessThanOrEqual(800)
    await tab.close()
  })

  it('says which flow-id or key is wrong when loading fails', async () => {
    const tab = await browser.newPage({ viewport: { width: 1300, height: 800 } })
    const open = async (query: string) => {
      await tab.goto(`${page.url}/embed.html?api=${encodeURIComponent(server.url)}&${query}`)
      const failure = tab.locator('qflow-editor [data-load-failure]')
      await failure.waitFor({ timeout: 15_000 })
      return failure.textContent()
    }
    expect(await open(`flow=no-such-flow&token=${TOKEN}`)).toContain('This flow does not exist')
    expect(await tab.locator('qflow-editor [data-action=add-node]').isDisabled()).toBe(true)
    expect(await open('flow=x&token=not-a-key')).toContain('The API key was refused')
    await tab.close()
  })
})
