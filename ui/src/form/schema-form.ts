import { css, html, LitElement, nothing, type PropertyValues, type TemplateResult } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import { codeSpans } from '../code-spans.ts'
import { humanize } from '../nodes/summary.ts'
import { controlStyles, themeTokens } from '../theme.ts'
import {
  discriminator,
  initialValue,
  type JsonSchema,
  mayBeLeftEmpty,
  resolve,
  typeOf,
  variants,
} from './json-schema.ts'
import { canonicalWidget, type WidgetContext } from './widget-context.ts'
import { renderWidget } from './widgets/index.ts'

export type Setter = (value: unknown) => void

/** What a field renderer gets: one place to pass the schema walk's state down. */
export interface FieldArgs {
  schema: JsonSchema
  value: unknown
  path: string
  label: string
  required: boolean
  set: Setter
  form: QflowSchemaForm
}

/**
 * A config form generated from a node type's JSON Schema. Fields named in the manifest's `widgets`
 * get that widget (pickers, the criteria builder); the rest get plain controls by type. Errors are
 * shown under the field whose dotted path they name.
 *
 * @fires form-change - detail `{value}`: the whole new config
 * @fires form-unparsed - detail `{fields}`: dotted path → why its typed text is not a value yet
 *   (JSON that does not parse); the config keeps the field's last good value until it does
 */
@customElement('qflow-schema-form')
export class QflowSchemaForm extends LitElement {
  static override styles = [
    themeTokens,
    controlStyles,
    css`
      :host {
        display: block;
      }
      .fields {
        display: grid;
        gap: 14px;
      }
      fieldset {
        border: 1px solid var(--_border);
        border-radius: 8px;
        padding: 10px 12px 12px;
        margin: 0;
        display: grid;
        gap: 12px;
      }
      legend {
        font-size: 12px;
        font-weight: 600;
        color: var(--_muted);
        padding: 0 4px;
      }
      .help {
        font-size: 11.5px;
        color: var(--_muted);
        font-weight: 400;
      }
      .field > input:not([type='checkbox']),
      .field > select,
      .field > textarea {
        width: 100%;
      }
      .check {
        display: flex;
        align-items: center;
        gap: 8px;
        font-size: 13px;
        font-weight: 500;
        color: var(--_text);
      }
      .checks {
        display: flex;
        flex-wrap: wrap;
        gap: 6px 14px;
      }
      .list-item {
        display: flex;
        gap: 8px;
        align-items: flex-start;
      }
      .list-item > :first-child {
        flex: 1;
      }
      .invalid input,
      .invalid select,
      .invalid textarea,
      .invalid qflow-option-picker {
        border-color: var(--_danger);
      }
      .field.invalid > span:first-child {
        color: var(--_danger);
      }
    `,
  ]

  @property({ attribute: false }) schema: JsonSchema = {}
  @property({ attribute: false }) value: Record<string, unknown> = {}
  /** Widget name per dotted field path (the manifest's `widgets`). */
  @property({ attribute: false }) widgets: Record<string, string> = {}
  /** Error message per dotted field path: local checks and the server's messages. */
  @property({ attribute: false }) errors: Record<string, string> = {}
  @property({ attribute: false }) context: WidgetContext = {
    client: null,
    config: {},
    keys: [],
    flow: null,
    nodeId: null,
  }
  @property({ type: Boolean }) readonly = false
  /** Text typed in a JSON field that does not parse, by path: shown there and reported up. */
  @state() private unparsed: Record<string, string> = {}
  private committed: Record<string, unknown> | null = null

  protected override willUpdate(changed: PropertyValues<this>): void {
    // A value from outside (another node opened) starts over; our own commits come back unchanged.
    if (changed.has('value') && this.value !== this.committed && Object.keys(this.unparsed).length)
      this.setUnparsed({})
  }

  private setUnparsed(fields: Record<string, string>): void {
    this.unparsed = fields
    this.dispatchEvent(new CustomEvent('form-unparsed', { detail: { fields } }))
  }

  override render() {
    const root = this.schema
    return html`<div class="fields">
      ${this.renderField({ schema: root, value: this.value, path: '', label: '', required: true, set: (v) => this.commit(v), form: this })}
    </div>`
  }

  private commit(value: unknown): void {
    this.value = (value ?? {}) as Record<string, unknown>
    this.committed = this.value
    this.dispatchEvent(new CustomEvent('form-change', { detail: { value: this.value } }))
  }

  /** Renders any schema node; widgets first, then unions, then by type. */
  renderField(args: FieldArgs): TemplateResult {
    const schema = resolve(args.schema, this.schema)
    const widgetName = this.widgetFor(args.path)
    if (widgetName) {
      const widget = renderWidget(canonicalWidget(widgetName), { ...args, schema })
      if (widget) return this.wrap(args, widget)
    }
    const options = variants(schema)
    if (options && options.length > 1) return this.renderUnion({ ...args, schema }, options)
    if (options?.length === 1)
      return this.renderField({ ...args, schema: { ...options[0], ...omitUnion(schema) } })
    switch (typeOf(schema)) {
      case 'object':
        return schema.properties
          ? this.renderObject({ ...args, schema })
          : this.renderJson({ ...args, schema })
      case 'array':
        return this.renderArray({ ...args, schema })
      case 'boolean':
        return this.renderBoolean({ ...args, schema })
      case 'number':
      case 'integer':
        return this.renderNumber({ ...args, schema })
      case 'string':
        return this.renderString({ ...args, schema })
      default:
        return this.renderJson({ ...args, schema })
    }
  }

  private widgetFor(path: string): string | undefined {
    if (!path) return undefined
    return (
      this.widgets[path] ??
      this.widgets[path.replace(/\.\d+(?=\.|$)/g, '')] ??
      this.widgets[path.replace(/\.\d+(?=\.|$)/g, '.*')]
    )
  }

  /** Label, help text and error around a control. */
  wrap(args: FieldArgs, control: TemplateResult): TemplateResult {
    if (!args.path) return control
    const error = this.unparsed[args.path] ?? this.errors[args.path]
    const schema = resolve(args.schema, this.schema)
    const optional = !args.required && mayBeLeftEmpty(schema)
    return html`<label class="field ${error ? 'invalid' : ''}" data-field=${args.path}>
      <span>${args.label}${optional ? html` <span class="help">(optional)</span>` : ''}</span>
      ${control}
      ${schema.description ? html`<span class="help">${schema.description}</span>` : nothing}
      ${error ? html`<span class="error-text" role="alert">${codeSpans(error)}</span>` : nothing}
    </label>`
  }

  private renderObject(args: FieldArgs): TemplateResult {
    const schema = args.schema
    const record = (args.value && typeof args.value === 'object' ? args.value : {}) as Record<string, unknown>
    const fields = Object.entries(schema.properties ?? {}).map(([key, prop]) => {
      const path = args.path ? `${args.path}.${key}` : key
      const propSchema = resolve(prop, this.schema)
      return this.renderField({
        schema: prop,
        value: record[key],
        path,
        label: propSchema.title ?? humanize(key),
        required: !!schema.required?.includes(key) && propSchema.default === undefined,
        set: (v) => {
          const next = { ...record }
          if (v === undefined) delete next[key]
          else next[key] = v
          args.set(next)
        },
        form: this,
      })
    })
    if (!args.path) return html`${fields}`
    return html`<fieldset data-field=${args.path}>
      <legend>${args.label}</legend>
      ${fields}
      ${this.errors[args.path] ? html`<span class="error-text" role="alert">${this.errors[args.path]}</span>` : nothing}
    </fieldset>`
  }

  private renderUnion(args: FieldArgs, options: JsonSchema[]): TemplateResult {
    const disc = discriminator(options, this.schema)
    if (!disc) return this.renderJson(args)
    const record = (args.value && typeof args.value === 'object' ? args.value : {}) as Record<string, unknown>
    // A missing discriminator means the schema's first option (e.g. a manual trigger).
    const index = Math.max(0, disc.values.indexOf(record[disc.key]))
    const chosen = resolve(options[index], this.schema)
    const rest: JsonSchema = {
      ...chosen,
      properties: Object.fromEntries(Object.entries(chosen.properties ?? {}).filter(([k]) => k !== disc.key)),
    }
    const select = html`<select
      aria-label=${args.label || humanize(disc.key)}
      ?disabled=${this.readonly}
      @change=${(e: Event) => {
        const i = Number((e.target as HTMLSelectElement).value)
        const next = initialValue(options[i]!, this.schema) as Record<string, unknown>
        args.set({ ...next, [disc.key]: disc.values[i] })
      }}
    >
      ${options.map((o, i) => {
        const title = resolve(o, this.schema).title ?? humanize(String(disc.values[i]))
        return html`<option value=${i} ?selected=${i === index}>${title}</option>`
      })}
    </select>`
    const fields = this.renderObject({
      ...args,
      schema: rest,
      path: args.path,
      set: (v) => args.set({ ...(v as object), [disc.key]: disc.values[index] }),
    })
    return html`${this.wrap(
      {
        ...args,
        path: args.path ? `${args.path}.${disc.key}` : disc.key,
        label: args.label || humanize(disc.key),
        required: true,
      },
      select
    )}${fields}`
  }

  private renderArray(args: FieldArgs): TemplateResult {
    const items = resolve(args.schema.items, this.schema)
    const list = Array.isArray(args.value) ? args.value : []
    if (items.enum) {
      const checks = html`<div class="checks" role="group" aria-label=${args.label}>
        ${items.enum.map(
          (option) => html`<label class="check"><input
              type="checkbox"
              ?disabled=${this.readonly}
              .checked=${list.includes(option)}
              @change=${(e: Event) => {
                const on = (e.target as HTMLInputElement).checked
                args.set(on ? [...list, option] : list.filter((v) => v !== option))
              }}
            />${humanize(String(option))}</label>`
        )}
      </div>`
      return this.wrap(args, checks)
    }
    const itemType = typeOf(items)
    if (itemType === 'string' || itemType === 'number') {
      const text = html`<input
        type="text"
        placeholder="Comma-separated"
        ?readonly=${this.readonly}
        .value=${list.join(', ')}
        @change=${(e: Event) => {
          const parts = (e.target as HTMLInputElement).value
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
          args.set(itemType === 'number' ? parts.map(Number) : parts)
        }}
      />`
      return this.wrap(args, text)
    }
    const rows = list.map(
      (entry, i) =>
        html`<div class="list-item">
        <div>${this.renderField({
          ...args,
          schema: items,
          value: entry,
          path: `${args.path}.${i}`,
          label: `${args.label} ${i + 1}`,
          required: true,
          set: (v) => args.set(list.map((old, j) => (j === i ? v : old))),
        })}</div>
        ${this.readonly ? nothing : html`<button class="icon" aria-label="Remove ${args.label} ${i + 1}" @click=${() => args.set(list.filter((_, j) => j !== i))}>×</button>`}
      </div>`
    )
    return html`<fieldset data-field=${args.path}>
      <legend>${args.label}</legend>
      ${rows}
      ${this.readonly ? nothing : html`<div><button @click=${() => args.set([...list, initialValue(items, this.schema)])}>Add</button></div>`}
      ${this.errors[args.path] ? html`<span class="error-text">${this.errors[args.path]}</span>` : nothing}
    </fieldset>`
  }

  private renderBoolean(args: FieldArgs): TemplateResult {
    const error = this.errors[args.path]
    const schema = args.schema
    const checked = args.value === undefined ? schema.default === true : args.value === true
    return html`<label class="check field ${error ? 'invalid' : ''}" data-field=${args.path}>
      <input type="checkbox" ?disabled=${this.readonly} .checked=${checked} @change=${(e: Event) => args.set((e.target as HTMLInputElement).checked)} />
      ${args.label}
      ${schema.description ? html`<span class="help">— ${schema.description}</span>` : nothing}
      ${error ? html`<span class="error-text" role="alert">${error}</span>` : nothing}
    </label>`
  }

  private renderNumber(args: FieldArgs): TemplateResult {
    const s = args.schema
    const value = typeof args.value === 'number' ? args.value : typeof s.default === 'number' ? s.default : ''
    return this.wrap(
      args,
      html`<input
        type="number"
        ?readonly=${this.readonly}
        step=${typeOf(s) === 'integer' ? 1 : 'any'}
        min=${s.minimum ?? nothing}
        max=${s.maximum ?? nothing}
        .value=${String(value)}
        @change=${(e: Event) => {
          const text = (e.target as HTMLInputElement).value
          args.set(text === '' ? undefined : Number(text))
        }}
      />`
    )
  }

  private renderString(args: FieldArgs): TemplateResult {
    const s = args.schema
    const value = typeof args.value === 'string' ? args.value : typeof s.default === 'string' ? s.default : ''
    if (s.enum) {
      return this.wrap(
        args,
        html`<select ?disabled=${this.readonly} @change=${(e: Event) => args.set((e.target as HTMLSelectElement).value || undefined)}>
          ${args.required || !mayBeLeftEmpty(s) ? nothing : html`<option value="" ?selected=${!value}>—</option>`}
          ${s.enum.map((o) => html`<option value=${String(o)} ?selected=${o === value}>${humanize(String(o))}</option>`)}
        </select>`
      )
    }
    if ((s.maxLength ?? 0) > 300) {
      return this.wrap(
        args,
        html`<textarea rows="4" ?readonly=${this.readonly} .value=${value} @change=${(e: Event) => args.set((e.target as HTMLTextAreaElement).value)}></textarea>`
      )
    }
    return this.wrap(
      args,
      html`<input
        type="text"
        ?readonly=${this.readonly}
        .value=${value}
        @change=${(e: Event) => {
          const text = (e.target as HTMLInputElement).value
          args.set(text === '' && !args.required ? undefined : text)
        }}
      />`
    )
  }

  /** Anything the form cannot map: edited as JSON text, with a parse error shown in place. */
  private renderJson(args: FieldArgs): TemplateResult {
    const text = args.value === undefined ? '' : JSON.stringify(args.value, null, 2)
    return this.wrap(
      args,
      html`<textarea
        rows=${Math.min(12, Math.max(3, text.split('\n').length))}
        ?readonly=${this.readonly}
        spellcheck="false"
        .value=${text}
        @change=${(e: Event) => {
          const area = e.target as HTMLTextAreaElement
          const { [args.path]: was, ...others } = this.unparsed
          let parsed: unknown
          try {
            parsed = area.value.trim() ? JSON.parse(area.value) : undefined
          } catch (err) {
            // Kept as typed and said at the field; the dialog stays open until it parses.
            this.setUnparsed({ ...others, [args.path]: `not valid JSON: ${(err as Error).message}` })
            return
          }
          if (was) this.setUnparsed(others)
          args.set(parsed)
        }}
      ></textarea>`
    )
  }
}

function omitUnion(schema: JsonSchema): JsonSchema {
  const { oneOf: _o, anyOf: _a, ...rest } = schema
  return rest
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-schema-form': QflowSchemaForm
  }
}
