import type { Browser, Page } from 'playwright-core'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createRegistry } from '../../core/plugin/registry.ts'
import { builtinPlugins } from '../../plugins/index.ts'
import { launchChromium } from '../support/browser.ts'
import { buildUi } from '../support/build-ui.ts'
import { startLiveServer } from '../support/live-server.ts'

// Wording in the config forms and on the cards, with the real built-in node types, in Chromium
// against the real server.

let browser: Browser
let server: Awaited<ReturnType<typeof startLiveServer>>
let page: Page

beforeAll(async () => {
  await buildUi()
  server = await startLiveServer({ registry: createRegistry(builtinPlugins) })
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await server?.close()
})
beforeEach(async () => {
  page = await browser.newPage({ viewport: { width: 1300, height: 800 } })
})
afterEach(() => page?.close())

const node = (id: string) => page.locator(`qflow-canvas [data-node-id="${id}"]`)
const label = (field: string) => page.locator(`qflow-schema-form [data-field="${field}"] > span`).first()

async function openFlow(
  resourceConfig: Record<string, unknown> = {},
  controlConfig: Record<string, unknown> = {}
): Promise<string> {
  const res = await fetch(`${server.url}/api/flows`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      name: 'Forms',
      accounts: [],
      regions: ['us-east-1'],
      nodes: [
        {
          id: 'trigger',
          type: 'trigger',
          typeVersion: 1,
          config: { kind: 'totalcloud' },
          position: { x: 0, y: 0 },
        },
        {
          id: 'resource',
          type: 'aws-resource',
          typeVersion: 1,
          config: resourceConfig,
          position: { x: 330, y: 0 },
        },
        {
          id: 'control',
          type: 'totalcloud-control',
          typeVersion: 1,
          config: controlConfig,
          position: { x: 660, y: 0 },
        },
        { id: 'filter', type: 'filter', typeVersion: 1, config: {}, position: { x: 990, y: 0 } },
      ],
      edges: [
        { id: 'a', source: 'trigger', sourcePort: 'out', target: 'resource', targetPort: 'in' },
        { id: 'b', source: 'resource', sourcePort: 'out', target: 'control', targetPort: 'in' },
        { id: 'c', source: 'resource', sourcePort: 'out', target: 'filter', targetPort: 'in' },
      ],
    }),
  })
  const body = await res.json()
  await page.goto(`${server.url}/flows/${body.flow.id}`)
  await node('filter').waitFor()
  return body.flow.id
}

describe('node forms and cards', () => {
  it('names the TotalCloud trigger kind with its capitals', async () => {
    await openFlow()
    await node('trigger').dblclick()
    const kind = page.locator('qflow-schema-form [data-field=kind] select')
    await kind.waitFor()
    const options = await kind.locator('option').allTextContents()
    expect(options).toContain('TotalCloud')
    expect(options).not.toContain('Totalcloud')
    expect(await kind.locator('option:checked').textContent()).toBe('TotalCloud')
    // Overlap has a default, so it is never empty: not "(optional)", and no blank choice offered.
    expect(await label('overlap').textContent()).toBe('Overlap')
    expect(await page.locator('qflow-schema-form [data-field=overlap] option').allTextContents()).toEqual([
      'Parallel',
      'Skip',
      'Queue',
    ])
  })

  it('marks "(optional)" only fields that may be left empty, not those with a default', async () => {
    await openFlow()
    await node('resource').dblclick()
    await label('service').waitFor()
    expect(await label('service').textContent()).toBe('Service')
    expect(await label('method').textContent()).toBe('Method')
    // An empty default means "none unless chosen": those are optional.
    for (const field of ['addons', 'accounts', 'regions'])
      expect(await label(field).textContent()).toMatch(/\(optional\)$/)
  })

  it('says what a new Control or Filter node lacks, in words, on the card and in the field', async () => {
    const id = await openFlow()
    const problems = (await (await fetch(`${server.url}/api/flows/${id}`)).json()).problems
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          nodeId: 'control',
          field: 'criteria',
          message: expect.stringContaining('add at least one condition'),
        }),
        expect.objectContaining({
          nodeId: 'filter',
          field: 'criteria',
          message: expect.stringContaining('add at least one condition'),
        }),
      ])
    )
    for (const id of ['control', 'filter']) {
      const summary = node(id).locator('.summary.problem')
      expect(await summary.getAttribute('title')).toBe('criteria: add at least one condition')
    }
    await node('control').dblclick()
    // Once, under the field's label: the builder inside does not repeat it.
    const field = page.locator('qflow-schema-form [data-field=criteria] .error-text')
    await expect.poll(() => field.allTextContents()).toEqual(['add at least one condition'])
  })

  it('checks a node with the server even when another part of the flow is refused, and names the field of a refused save', async () => {
    const id = await openFlow(
      {},
      {
        criteria: {
          type: 'group',
          op: 'AND',
          conditions: [{ type: 'param', key: 'tag', operator: 'matches', value: 'ok' }],
        },
        resourceIdKey: 'id',
      }
    )
    // Stored before the server refused unknown fields: the whole document is now a 400 on validate.
    await server.ctx.database.client.execute({
      sql: `UPDATE flows SET document = json_set(document, '$.nodes[3].labell', 'old') WHERE id = ?`,
      args: [id],
    })
    await page.reload()
    await node('control').waitFor()
    await node('control').dblclick()
    const dialog = page.locator('qflow-node-dialog dialog')
    const value = page.locator('qflow-criteria-builder .row[data-path="0"] [data-role=value]')
    await value.fill('([unclosed')
    await value.press('Tab')
    await page.locator('qflow-node-dialog [data-action=save]').click()
    const criteria = page.locator('qflow-schema-form [data-field=criteria] .error-text')
    await expect.poll(() => criteria.first().textContent()).toMatch(/condition 1 › value: .*regex/)
    expect(await dialog.getAttribute('open')).toBe('')

    // A pasted tab in the name is refused at the name, and the dialog stays open.
    await value.fill('^ok')
    await value.press('Tab')
    const name = page.locator('qflow-node-dialog [data-field=label]')
    await name.fill('Pasted\tlabel')
    await page.locator('qflow-node-dialog [data-action=save]').click()
    await expect
      .poll(() => page.locator('qflow-node-dialog .name .error-text').textContent())
      .toBe('cannot contain control characters (it has a tab)')
    expect(await dialog.getAttribute('open')).toBe('')
    await name.fill('Checked')
    await page.locator('qflow-node-dialog [data-action=save]').click()
    await expect.poll(() => dialog.getAttribute('open')).toBeNull()

    // The save is refused for the old field: the status bar names the node and field, once.
    await page.locator('qflow-editor [data-action=save]').click()
    const bar = page.locator('qflow-editor .statusbar')
    await expect
      .poll(() => bar.locator('[data-message]').textContent())
      .toMatch(/^Not saved: "Filter" › labell: .*label/)
    const text = (await bar.textContent()) ?? ''
    expect(text.split('labell').length - 1).toBe(1)
  })

  it('refuses a category with a control character as it is typed', async () => {
    await openFlow()
    await page.locator('qflow-editor [data-action=details]').click()
    const input = page.locator('qflow-flow-details [data-field=new-category]')
    await input.fill('Ops\u001b[31m')
    await input.press('Enter')
    await expect
      .poll(() => page.locator('qflow-flow-details [data-error=new-category]').textContent())
      .toBe('Category cannot contain control characters (it has a control character)')
    expect(await page.locator('qflow-flow-details [data-category^="Ops"]').count()).toBe(0)
  })

  it('keeps the dialog open on Params that are not JSON, saying why at the field', async () => {
    await openFlow({ service: 'rds', method: 'DBInstances', params: { MaxRecords: 20 } })
    await node('resource').dblclick()
    const dialog = page.locator('qflow-node-dialog dialog')
    const params = page.locator('qflow-schema-form [data-field=params]')
    await params.locator('textarea').fill('{"MaxRecords": 50,')
    await page.locator('qflow-node-dialog [data-action=save]').click()
    await expect.poll(() => params.locator('.error-text').textContent()).toMatch(/^not valid JSON: .+/)
    expect(await dialog.getAttribute('open')).toBe('')
    // Still as typed, to be fixed rather than typed again.
    expect(await params.locator('textarea').inputValue()).toBe('{"MaxRecords": 50,')
    await params.locator('textarea').fill('{"MaxRecords": 50}')
    await page.locator('qflow-node-dialog [data-action=save]').click()
    await expect.poll(() => dialog.getAttribute('open')).toBeNull()
    const params50 = await page.evaluate(
      () =>
        (
          document.querySelector('qflow-app')!.shadowRoot!.querySelector('qflow-editor') as any
        ).flow.nodes.find((n: { id: string }) => n.id === 'resource').config.params
    )
    expect(params50).toEqual({ MaxRecords: 50 })
  })

  it('resets Method and Addons that the newly chosen Service or Method does not have', async () => {
    await openFlow({ service: 'rds', method: 'DBInstances', addons: ['SecurityGroups'] })
    await node('resource').dblclick()
    const picker = (field: string) =>
      page.locator(`qflow-schema-form [data-field=${field}] qflow-option-picker`)
    const pick = async (field: string, value: string) => {
      await picker(field).locator('button.control').click()
      await picker(field).locator(`li[role=option][data-value="${value}"]`).click()
    }
    await pick('service', 'ec2')
    await expect.poll(() => picker('method').locator('button.control').textContent()).toContain('Instances')
    expect(await picker('method').locator('button.control').textContent()).not.toContain('DB')
    // EC2 Instances offer Security Groups too: the addon stays.
    expect(await picker('addons').locator('.chip').allTextContents()).toEqual([
      expect.stringContaining('Security Groups'),
    ])
    await pick('method', 'Vpcs')
    await expect.poll(() => picker('addons').locator('.chip').count()).toBe(0)
    await page.locator('qflow-node-dialog [data-action=save]').click()
    await expect.poll(() => page.locator('qflow-node-dialog dialog').getAttribute('open')).toBeNull()
    const config = await page.evaluate(
      () =>
        (
          document.querySelector('qflow-app')!.shadowRoot!.querySelector('qflow-editor') as any
        ).flow.nodes.find((n: { id: string }) => n.id === 'resource').config
    )
    expect(config).toMatchObject({ service: 'ec2', method: 'Vpcs' })
    expect(config.addons).toBeUndefined()
  })

  it('offers the Prefix Lists addon from the catalogue, saying it goes with Security Groups', async () => {
    const id = await openFlow({ service: 'rds', method: 'DBInstances', addons: ['PrefixLists'] })
    // Chosen alone, it is a problem of the addons field, in words.
    const problems = (await (await fetch(`${server.url}/api/flows/${id}`)).json()).problems
    expect(problems).toContainEqual(
      expect.objectContaining({
        nodeId: 'resource',
        field: 'addons.0',
        message: expect.stringContaining('"PrefixLists" needs the "SecurityGroups" addon too'),
      })
    )
    await node('resource').dblclick()
    const picker = page.locator('qflow-schema-form [data-field=addons] qflow-option-picker')
    await picker.waitFor()
    expect(await picker.locator('button.control').textContent()).toContain('Prefix Lists')
    await picker.locator('button.control').click()
    const options = picker.locator('li[role=option]')
    await options.first().waitFor()
    const offered = await options.evaluateAll((items) =>
      items.map((li) => [
        li.getAttribute('data-value'),
        li.querySelector('span')?.textContent,
        li.querySelector('.hint')?.textContent ?? null,
      ])
    )
    expect(offered).toEqual([
      ['SecurityGroups', 'Security Groups', null],
      ['PrefixLists', 'Prefix Lists', 'with Security Groups'],
    ])
  })

  it('shows the region list of the accounts-and-regions dialog whole, over its footer', async () => {
    await openFlow()
    const dialog = page.locator('qflow-associate-dialog')
    await dialog.evaluate((el) => {
      void (el as unknown as { ask(flow: object, purpose: string): Promise<unknown> }).ask(
        { accounts: [], regions: [], nodes: [], edges: [] },
        'save'
      )
    })
    await dialog.locator('qflow-option-picker[data-field=regions] button.control').click()
    const first = dialog.locator('qflow-option-picker[data-field=regions] li[role=option]').first()
    await first.waitFor()
    // In the viewport, and the topmost element at its centre (not hidden under the footer or clipped).
    const onTop = await first.evaluate((li) => {
      const r = li.getBoundingClientRect()
      const x = r.left + r.width / 2
      const y = r.top + r.height / 2
      let hit: Element | null = document.elementFromPoint(x, y)
      while (hit?.shadowRoot) {
        const inner = hit.shadowRoot.elementFromPoint(x, y)
        if (!inner || inner === hit) break
        hit = inner
      }
      return { inView: r.top >= 0 && r.bottom <= innerHeight, hit: li === hit || li.contains(hit) }
    })
    expect(onTop).toEqual({ inView: true, hit: true })
  })
})
