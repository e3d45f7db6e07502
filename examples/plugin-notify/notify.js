import { defineNodeType } from 'qflow/plugin'
import { buildMessage, pickItems } from './summary.js'

/**
 * Posts a summary of the items it receives to a Slack-compatible incoming webhook, then passes the
 * items on unchanged so the flow can continue (e.g. notify, then remediate).
 */
export default defineNodeType({
  manifest: {
    type: 'notify',
    version: 1,
    title: 'Notify',
    description:
      'Post a summary of the incoming items (by default the failed resources of a control) to a Slack-compatible webhook.',
    icon: 'bolt',
    color: '#0ea5e9',
    inputs: [{ name: 'in', label: 'Items' }],
    outputs: [{ name: 'out', label: 'Items, unchanged' }],
    timeoutMs: 15000,
  },
  // JSON Schema keeps this plugin free of dependencies; a zod schema works too (see docs/plugins.md).
  config: {
    type: 'object',
    properties: {
      webhookUrl: {
        type: 'string',
        format: 'uri',
        description: 'Incoming webhook URL (its host must be in qflow.network)',
      },
      title: { type: 'string', default: 'qflow alert', maxLength: 150 },
      only: {
        type: 'string',
        enum: ['FAIL', 'ERROR', 'PASS', 'all'],
        default: 'FAIL',
        description: 'Which control results to report; "all" reports every item',
      },
      maxItems: { type: 'integer', minimum: 1, maximum: 100, default: 20 },
      skipWhenEmpty: { type: 'boolean', default: true, description: 'Post nothing when no item matches' },
    },
    required: ['webhookUrl'],
    additionalProperties: false,
  },
  async execute(ctx, input) {
    const items = input.in ?? []
    const { webhookUrl, title, only, maxItems, skipWhenEmpty } = ctx.config
    const picked = pickItems(items, only)
    if (picked.length === 0 && skipWhenEmpty) {
      ctx.log('info', `nothing to report: no item matched "${only}"`)
      return { out: items }
    }
    const message = buildMessage({ title, items: picked, total: items.length, maxItems })
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(message),
      signal: ctx.signal,
    })
    if (!response.ok) {
      const body = (await response.text()).slice(0, 200)
      throw new Error(`the webhook answered ${response.status}${body ? `: ${body}` : ''}`)
    }
    ctx.log('info', `posted ${picked.length} item(s) to ${new URL(webhookUrl).host}`)
    return { out: items }
  },
})
