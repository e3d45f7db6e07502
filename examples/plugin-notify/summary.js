/**
 * Turning items into a chat message. Kept apart from the node so it can be tested without a webhook.
 * Control results (`{resourceId, displayName, result, accountId, region}`) get a line each; any
 * other item is named by the first identifying key it has.
 */
const NAME_KEYS = ['displayName', 'resourceId', 'DBInstanceIdentifier', 'InstanceId', 'GroupId', 'name', 'id']

export function pickItems(items, only) {
  if (only === 'all') return items
  return items.filter((item) => item.result === only)
}

function nameOf(item) {
  const key = NAME_KEYS.find((k) => typeof item[k] === 'string' && item[k] !== '')
  const name = key ? item[key] : JSON.stringify(item).slice(0, 80)
  return item.resourceId && item.resourceId !== name ? `${name} (${item.resourceId})` : name
}

function whereOf(item) {
  const account = item.accountId ?? item._qflow?.accountId
  const region = item.region ?? item._qflow?.region
  return [account, region].filter(Boolean).join(' / ')
}

/** A Slack-compatible message: `text` for any receiver, `blocks` for Slack's richer layout. */
export function buildMessage({ title, items, total, maxItems }) {
  const lines = items.slice(0, maxItems).map((item) => {
    const where = whereOf(item)
    return `• ${nameOf(item)}${item.result ? ` [${item.result}]` : ''}${where ? ` — ${where}` : ''}`
  })
  if (items.length > maxItems) lines.push(`…and ${items.length - maxItems} more`)
  const heading = `${title}: ${items.length} of ${total} item${total === 1 ? '' : 's'}`
  const text = [heading, ...lines].join('\n')
  return {
    text,
    blocks: [
      { type: 'header', text: { type: 'plain_text', text: heading.slice(0, 150) } },
      ...(lines.length > 0
        ? [{ type: 'section', text: { type: 'mrkdwn', text: lines.join('\n').slice(0, 3000) } }]
        : []),
    ],
  }
}
