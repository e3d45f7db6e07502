import assert from 'node:assert/strict'
import { test } from 'node:test'
import { buildMessage, pickItems } from '../summary.js'

const results = [
  { resourceId: 'db-a', displayName: 'orders', result: 'FAIL', accountId: '111', region: 'us-east-1' },
  { resourceId: 'db-b', displayName: 'users', result: 'PASS', accountId: '111', region: 'us-east-1' },
  { resourceId: 'db-c', displayName: 'db-c', result: 'FAIL', accountId: '222', region: 'eu-west-1' },
]

test('reports only the failed resources by default, one line each', () => {
  const picked = pickItems(results, 'FAIL')
  const message = buildMessage({ title: 'Public RDS', items: picked, total: results.length, maxItems: 20 })
  assert.match(message.text, /^Public RDS: 2 of 3 items/)
  assert.match(message.text, /orders \(db-a\) \[FAIL\] — 111 \/ us-east-1/)
  assert.match(message.text, /• db-c \[FAIL\] — 222 \/ eu-west-1/)
  assert.doesNotMatch(message.text, /users/)
})

test('caps the list and says how many were left out', () => {
  const message = buildMessage({ title: 't', items: results, total: 3, maxItems: 1 })
  assert.match(message.text, /…and 2 more$/)
})
