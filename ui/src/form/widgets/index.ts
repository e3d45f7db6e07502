import { html, type TemplateResult } from 'lit'
import type { FieldArgs } from '../schema-form.ts'
import { canonicalWidget } from '../widget-context.ts'
import { withMethod, withService } from './aws-choice.ts'
import '../option-picker.ts'
import './criteria-builder.ts'
import './key-list.ts'
import {
  accountOptions,
  addonOptions,
  methodOptions,
  regionOptions,
  serviceOptions,
} from './option-sources.ts'

/** Canonical widget names renderWidget handles. */
export const renderableWidgets = new Set([
  'accounts',
  'regions',
  'service',
  'method',
  'action',
  'addons',
  'criteria',
  'keys',
  'key',
  'key-path',
])

/**
 * Named widgets for config fields. A plugin asks for one in `manifest.widgets`; unknown names fall
 * back to the generic control for the field's type. Returns null when there is no such widget.
 */
export function renderWidget(name: string, args: FieldArgs): TemplateResult | null {
  const { form } = args
  const ctx = form.context
  const config = ctx.config
  const ro = form.readonly
  const strings = (v: unknown) => (Array.isArray(v) ? v.map(String) : [])
  const onPick = (e: CustomEvent<{ value: unknown }>) => args.set(e.detail.value)
  const change = (value: Record<string, unknown>) =>
    form.dispatchEvent(new CustomEvent('form-change', { detail: { value } }))
  const methodField =
    Object.entries(form.widgets).find(([, w]) => ['method', 'action'].includes(canonicalWidget(w)))?.[0] ??
    null
  const actionKind =
    Object.values(form.widgets).some((w) => canonicalWidget(w) === 'action') || 'action' in config
      ? 'actions'
      : 'resources'
  switch (name) {
    case 'accounts':
      return html`<qflow-option-picker multiple .label=${args.label} placeholder="Select Account (empty: the flow's accounts)"
        .options=${accountOptions(ctx)} .value=${strings(args.value)} ?disabled=${ro} @picker-change=${onPick}></qflow-option-picker>`
    case 'regions':
      return html`<qflow-option-picker multiple .label=${args.label} placeholder="Select Region (empty: the flow's regions)"
        .options=${regionOptions(ctx, strings(config.accounts).length ? strings(config.accounts) : (ctx.flow?.accounts ?? []))}
        .value=${strings(args.value)} ?disabled=${ro} @picker-change=${onPick}></qflow-option-picker>`
    case 'service':
      return html`<qflow-option-picker .label=${args.label} placeholder="Select Service"
        .options=${serviceOptions(args.schema.enum, actionKind)} .value=${String(args.value ?? args.schema.default ?? '')}
        ?disabled=${ro} @picker-change=${(e: CustomEvent<{ value: unknown }>) =>
          change(
            withService(config, String(e.detail.value), methodField, actionKind)
          )}></qflow-option-picker>`
    case 'action':
    case 'method': {
      const service = String(config.service ?? 'rds')
      return html`<qflow-option-picker .label=${args.label} placeholder="Select Method"
        .options=${methodOptions(service, actionKind, String(args.value ?? args.schema.default ?? ''))} .value=${String(args.value ?? args.schema.default ?? '')}
        ?disabled=${ro} @picker-change=${(e: CustomEvent<{ value: unknown }>) =>
          change(withMethod(config, args.path, String(e.detail.value), actionKind))}></qflow-option-picker>`
    }
    case 'addons':
      return html`<qflow-option-picker multiple .label=${args.label} placeholder="Select Addons"
        .options=${addonOptions(String(config.service ?? 'rds'), String(config.method ?? 'DBInstances'), strings(args.value))}
        .value=${strings(args.value)} ?disabled=${ro} @picker-change=${onPick}></qflow-option-picker>`
    case 'criteria': {
      const prefix = `${args.path}.`
      // The field's own message shows under its label (see wrap); the builder shows those inside it.
      const errors = Object.fromEntries(
        Object.entries(form.errors)
          .filter(([f]) => f.startsWith(prefix))
          .map(([f, m]) => [f.slice(prefix.length), m])
      )
      return html`<qflow-criteria-builder .value=${args.value} .keys=${ctx.keys} .errors=${errors} ?readonly=${ro}
        @criteria-change=${onPick}></qflow-criteria-builder>`
    }
    case 'keys':
      return html`<qflow-key-list .value=${strings(args.value)} .keys=${ctx.keys} ?readonly=${ro} @keys-change=${onPick}></qflow-key-list>`
    case 'key':
    case 'key-path': {
      const listId = `keys-${args.path.replace(/\W/g, '_')}`
      return html`<input type="text" list=${listId} ?readonly=${ro} placeholder=${String(args.schema.default ?? 'key path')}
          .value=${String(args.value ?? '')}
          @change=${(e: Event) => args.set((e.target as HTMLInputElement).value.trim() || undefined)} />
        <datalist id=${listId}>${ctx.keys.map((k) => html`<option value=${k}></option>`)}</datalist>`
    }
    default:
      return null
  }
}
