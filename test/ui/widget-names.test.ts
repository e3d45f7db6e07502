import { describe, expect, it } from 'vitest'
import { builtinPlugins } from '../../plugins/index.ts'
import { canonicalWidget } from '../../ui/src/form/widget-context.ts'
import { renderableWidgets } from '../../ui/src/form/widgets/index.ts'

describe('widget names', () => {
  it('folds the spellings plugins use', () => {
    expect(canonicalWidget('aws-account-picker')).toBe('accounts')
    expect(canonicalWidget('aws-addon-picker')).toBe('addons')
    expect(canonicalWidget('aws-method-picker')).toBe('method')
    expect(canonicalWidget('aws-action-picker')).toBe('action')
    expect(canonicalWidget('criteria-builder')).toBe('criteria')
    expect(canonicalWidget('evidence-keys')).toBe('keys')
  })
  it('has a widget for every name a built-in plugin asks for, or a JSON field by design', () => {
    const asked = builtinPlugins.flatMap((p) => Object.values(p.manifest.widgets ?? {}))
    const missing = asked.filter((name) => !renderableWidgets.has(canonicalWidget(name)))
    // Parameter editors are free-form JSON on purpose: the server validates them per call.
    expect(missing.filter((name) => !/params/.test(name))).toEqual([])
  })
})
