import { css, html, LitElement, nothing, type PropertyValues } from 'lit'
import { customElement, property, state } from 'lit/decorators.js'
import type { FlowVariable, VariableType } from '../../../core/flow/schema.ts'
import { coerceVariable, variableNameProblem } from '../../../core/flow/variable-types.ts'
import { controlStyles, themeTokens } from '../theme.ts'

/** The schema's VARIABLE_TYPES, listed here so the bundle does not take zod with it. */
const TYPES = ['string', 'number', 'boolean', 'list', 'json'] as const satisfies readonly VariableType[]

/** A variable as typed: its value kept as text (or a checkbox's state) until it is one of its type. */
interface Row {
  name: string
  type: VariableType
  text: string
  checked: boolean
  description?: string
}

export interface VariablesChange {
  variables: FlowVariable[]
  /** False while a row has a problem; the rows show which. */
  valid: boolean
}

/**
 * A flow's variables (`$wf.variables.<name>` in node configs): list, add, remove, each with a name,
 * a type and a value input fitting the type. Checked as typed by the server's own rules (names,
 * decimal numbers), and handed out typed: a number is a number, a list an array.
 *
 * @fires variables-change - detail `{variables, valid}`
 */
@customElement('qflow-variables-editor')
export class QflowVariablesEditor extends LitElement {
  static override styles = [
    themeTokens,
    controlStyles,
    css`
      .row {
        display: grid;
        grid-template-columns: 1fr 110px 1.4fr auto;
        gap: 6px;
        align-items: start;
      }
      .row > * {
        min-width: 0;
      }
      input[type='text'],
      select,
      textarea {
        width: 100%;
        box-sizing: border-box;
      }
      textarea {
        font-family: var(--_mono, monospace);
        font-size: 12px;
      }
      .check {
        display: flex;
        align-items: center;
        gap: 6px;
        font-size: 13px;
        min-height: 30px;
      }
      .error-text {
        display: block;
        margin-top: 2px;
      }
      :host {
        display: grid;
        gap: 8px;
      }
      .empty {
        font-size: 13px;
        color: var(--_muted);
        margin: 0;
      }
    `,
  ]

  @property({ attribute: false }) variables: FlowVariable[] = []
  @property({ type: Boolean }) readonly = false
  @state() private rows: Row[] = []

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('variables')) this.rows = this.variables.map(toRow)
  }

  override render() {
    const problems = rowProblems(this.rows)
    return html`${
      this.rows.length
        ? this.rows.map((row, i) => this.renderRow(row, i, problems[i] ?? {}))
        : html`<p class="empty">No variables. Node settings read them as <code>$wf.variables.name</code>.</p>`
    }
      ${this.readonly ? nothing : html`<div><button type="button" data-action="add-variable" @click=${this.add}>Add variable</button></div>`}`
  }

  private renderRow(row: Row, i: number, errors: { name?: string; value?: string }) {
    const ro = this.readonly
    const set = (patch: Partial<Row>) => this.editRow(i, patch)
    return html`<div class="row" data-variable=${i}>
      <label>
        <input type="text" data-role="name" aria-label="Variable ${i + 1} name" placeholder="name" .value=${row.name} ?readonly=${ro}
          aria-invalid=${errors.name ? 'true' : 'false'}
          @input=${(e: Event) => set({ name: (e.target as HTMLInputElement).value })} />
        ${errors.name ? html`<span class="error-text" role="alert" data-error="name">${errors.name}</span>` : nothing}
      </label>
      <select data-role="type" aria-label="Variable ${i + 1} type" ?disabled=${ro}
        @change=${(e: Event) => set({ type: (e.target as HTMLSelectElement).value as VariableType })}>
        ${TYPES.map((t) => html`<option value=${t} ?selected=${t === row.type}>${t}</option>`)}
      </select>
      <label>
        ${this.renderValue(row, i, set)}
        ${errors.value ? html`<span class="error-text" role="alert" data-error="value">${errors.value}</span>` : nothing}
      </label>
      ${ro ? nothing : html`<button type="button" class="icon" data-action="remove-variable" aria-label="Remove variable ${row.name || i + 1}" @click=${() => this.removeRow(i)}>×</button>`}
    </div>`
  }

  private renderValue(row: Row, i: number, set: (patch: Partial<Row>) => void) {
    const label = `Variable ${i + 1} value`
    const ro = this.readonly
    const onText = (e: Event) => set({ text: (e.target as HTMLInputElement | HTMLTextAreaElement).value })
    switch (row.type) {
      case 'boolean':
        return html`<span class="check"><input type="checkbox" data-role="value" aria-label=${label} .checked=${row.checked} ?disabled=${ro}
          @change=${(e: Event) => set({ checked: (e.target as HTMLInputElement).checked })} />${row.checked ? 'true' : 'false'}</span>`
      case 'json':
        return html`<textarea data-role="value" aria-label=${label} rows="3" spellcheck="false" .value=${row.text} ?readonly=${ro} @input=${onText}></textarea>`
      default:
        return html`<input type="text" data-role="value" aria-label=${label} .value=${row.text} ?readonly=${ro} @input=${onText}
          inputmode=${row.type === 'number' ? 'decimal' : 'text'}
          placeholder=${row.type === 'list' ? 'a, b, c' : row.type === 'number' ? '0' : ''} />`
    }
  }

  private add = (): void => {
    this.rows = [...this.rows, { name: '', type: 'string', text: '', checked: false }]
    this.changed()
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLInputElement>('.row:last-of-type [data-role=name]')?.focus()
    )
  }

  private removeRow(i: number): void {
    this.rows = this.rows.filter((_, j) => j !== i)
    this.changed()
  }

  private editRow(i: number, patch: Partial<Row>): void {
    this.rows = this.rows.map((row, j) => (j === i ? { ...row, ...patch } : row))
    this.changed()
  }

  private changed(): void {
    const problems = rowProblems(this.rows)
    const detail: VariablesChange = {
      variables: this.rows.map(toVariable),
      valid: problems.every((p) => !p.name && !p.value),
    }
    this.dispatchEvent(new CustomEvent('variables-change', { detail }))
  }
}

function toRow(variable: FlowVariable): Row {
  const { name, type, value, description } = variable
  const row: Row = { name, type, text: '', checked: value === true, ...(description ? { description } : {}) }
  if (type === 'list' && Array.isArray(value))
    // A comma list while that loses nothing; other lists (numbers, commas inside) as JSON text.
    row.text = value.every((v) => typeof v === 'string' && !v.includes(','))
      ? value.join(', ')
      : JSON.stringify(value)
  else if (type === 'json') row.text = JSON.stringify(value, null, 2) ?? ''
  else if (type !== 'boolean') row.text = value === undefined || value === null ? '' : String(value)
  return row
}

/** The value a row's entry stands for, of its type; `undefined` when it is not one yet. */
function rowValue(row: Row): unknown {
  switch (row.type) {
    case 'boolean':
      return row.checked
    case 'list': {
      const text = row.text.trim()
      if (text.startsWith('[')) return parseJson(text)
      return text
        .split(',')
        .map((part) => part.trim())
        .filter(Boolean)
    }
    case 'json':
      return row.text.trim() ? parseJson(row.text) : undefined
    case 'number': {
      const coerced = coerceVariable('number', row.text.trim())
      return coerced.ok ? coerced.value : undefined
    }
    default:
      return row.text
  }
}

function toVariable(row: Row): FlowVariable {
  return {
    name: row.name.trim(),
    type: row.type,
    value: rowValue(row),
    ...(row.description ? { description: row.description } : {}),
  }
}

/** Per row, why its name or value is refused (as the server would refuse them), in the field's words. */
function rowProblems(rows: Row[]): { name?: string; value?: string }[] {
  const seen = new Set<string>()
  return rows.map((row) => {
    const out: { name?: string; value?: string } = {}
    const name = row.name.trim()
    out.name = !name ? 'a variable needs a name' : variableNameProblem(name)
    if (!out.name && seen.has(name)) out.name = `"${name}" is the name of another variable`
    seen.add(name)
    const value = rowValue(row)
    if (row.type === 'json' && row.text.trim() && value === undefined)
      out.value = `not valid JSON: ${jsonError(row.text)}`
    else if (row.type === 'list' && value === undefined) out.value = `not valid JSON: ${jsonError(row.text)}`
    else if (value === undefined || !coerceVariable(row.type, value).ok)
      out.value =
        row.type === 'number'
          ? 'a decimal number, such as 5, -2.5 or 1e3'
          : row.type === 'list'
            ? 'a list: items separated by commas, or a JSON array'
            : row.type === 'json'
              ? 'a JSON value'
              : `a ${row.type}`
    return out
  })
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

function jsonError(text: string): string {
  try {
    JSON.parse(text)
    return 'not an array'
  } catch (err) {
    return (err as Error).message
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-variables-editor': QflowVariablesEditor
  }
}
