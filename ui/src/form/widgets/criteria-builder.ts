import { css, html, LitElement, nothing, type TemplateResult } from 'lit'
import { customElement, property } from 'lit/decorators.js'
import { controlStyles, themeTokens } from '../../theme.ts'
import {
  asGroup,
  type CriteriaNode,
  emptyGroup,
  type Group,
  newParam,
  newSecurityGroup,
  PARAM_OPERATOR_LABELS,
  replaceAt,
  UNARY,
} from './criteria-model.ts'

const SOURCE_LABELS: Record<string, string> = {
  publicIpv4: 'Public IPv4 (0.0.0.0/0)',
  publicIpv6: 'Public IPv6 (::/0)',
  public: 'Public IPv4 or IPv6',
  cidr: 'IP range (CIDR)',
  securityGroup: 'Security group',
}
const PROTOCOL_LABELS: Record<string, string> = {
  any: 'Any',
  tcp: 'TCP',
  udp: 'UDP',
  icmp: 'ICMP',
  icmpv6: 'ICMPv6',
  all: 'All traffic (-1) only',
}

/**
 * Evaluation criteria as rows: Param and Security Group conditions, Add Condition with AND / OR,
 * nested groups. Server messages arrive keyed by path (`criteria.conditions.1.source.cidr`) and are
 * shown on the row they name.
 *
 * @fires criteria-change - detail `{value}`: the new root group
 */
@customElement('qflow-criteria-builder')
export class QflowCriteriaBuilder extends LitElement {
  static override styles = [
    themeTokens,
    controlStyles,
    css`
      :host {
        display: block;
      }
      .group {
        border: 1px solid var(--_border);
        border-left: 3px solid var(--_accent);
        border-radius: 8px;
        padding: 8px 10px;
        display: grid;
        gap: 8px;
        background: var(--_surface);
      }
      .group .group {
        background: var(--_surface-2);
      }
      .group-head {
        display: flex;
        gap: 8px;
        align-items: center;
        font-size: 12px;
        color: var(--_muted);
      }
      .ops button[aria-pressed='true'] {
        background: var(--_accent);
        color: var(--_accent-text);
        border-color: var(--_accent);
      }
      .ops button {
        padding: 2px 10px;
        font-weight: 600;
      }
      .ops {
        display: inline-flex;
        gap: 0;
      }
      .ops button:first-child {
        border-radius: 6px 0 0 6px;
      }
      .ops button:last-child {
        border-radius: 0 6px 6px 0;
        margin-left: -1px;
      }
      .row {
        display: grid;
        grid-template-columns: 1fr auto;
        gap: 6px;
        align-items: start;
        padding: 6px;
        border: 1px solid var(--_border);
        border-radius: 6px;
        background: var(--_surface);
      }
      .row.invalid {
        border-color: var(--_danger);
      }
      .joiner {
        font-size: 11px;
        font-weight: 700;
        color: var(--_accent);
        letter-spacing: 0.05em;
      }
      .row label {
        display: inline-flex;
        flex-direction: column;
        font-size: 10.5px;
        color: var(--_muted);
        gap: 2px;
      }
      .fields {
        display: flex;
        flex-wrap: wrap;
        gap: 6px;
        align-items: end;
        min-width: 0;
      }
      .row .remove {
        align-self: center;
      }
      .row input[type='text'],
      .row input[type='number'] {
        width: 150px;
      }
      /* Key and value grow with the room there is: key paths like PubliclyAccessible stay whole. */
      .row label.grow {
        flex: 1 1 190px;
        min-width: 0;
      }
      .row label.grow input[type='text'] {
        width: 100%;
        box-sizing: border-box;
      }
      .row input.small {
        width: 72px;
      }
      .spacer {
        flex: 1;
      }
      .add {
        display: flex;
        gap: 6px;
      }
      .not {
        display: inline-flex;
        align-items: center;
        gap: 4px;
        font-size: 12px;
      }
      .errors {
        grid-column: 1 / -1;
      }
    `,
  ]

  @property({ attribute: false }) value: unknown
  /** Key paths to offer for Param keys (seen in the node's last input). */
  @property({ attribute: false }) keys: string[] = []
  /** Errors by path relative to the criteria root, e.g. `conditions.0.value`. */
  @property({ attribute: false }) errors: Record<string, string> = {}
  @property({ type: Boolean }) readonly = false

  override render() {
    const root = asGroup(this.value)
    return html`<datalist id="criteria-keys">${this.keys.map((k) => html`<option value=${k}></option>`)}</datalist>
      ${this.renderGroup(root, [], root)}`
  }

  private set(root: Group, path: number[], next: CriteriaNode | undefined): void {
    const value = replaceAt(root, path, next)
    this.value = value
    this.dispatchEvent(new CustomEvent('criteria-change', { detail: { value } }))
  }

  private errorsAt(path: number[]): string[] {
    const prefix = path.map((i) => `conditions.${i}`).join('.')
    return Object.entries(this.errors)
      .filter(([field]) =>
        prefix
          ? field === prefix ||
            (field.startsWith(`${prefix}.`) && !field.slice(prefix.length + 1).startsWith('conditions.'))
          : !field.startsWith('conditions.')
      )
      .map(([field, message]) => `${field.slice(prefix.length + 1) || 'condition'}: ${message}`)
  }

  private renderGroup(group: Group, path: number[], root: Group): TemplateResult {
    const ro = this.readonly
    return html`<div class="group" data-path=${path.join('.') || 'root'} role="group" aria-label="Condition group">
      <div class="group-head">
        <span>Match</span>
        <span class="ops" role="radiogroup" aria-label="Combine conditions with">
          ${(['AND', 'OR'] as const).map(
            (op) => html`<button
              role="radio"
              aria-pressed=${group.op === op}
              aria-checked=${group.op === op}
              ?disabled=${ro}
              data-op=${op}
              @click=${() => this.set(root, path, { ...group, op })}
            >${op}</button>`
          )}
        </span>
        <span>${group.op === 'AND' ? 'all conditions' : 'any condition'}</span>
        <label class="not"><input type="checkbox" ?disabled=${ro} .checked=${!!group.not} @change=${(e: Event) => this.set(root, path, { ...group, not: (e.target as HTMLInputElement).checked })} />NOT</label>
        <span class="spacer"></span>
        ${path.length && !ro ? html`<button class="icon danger" aria-label="Remove group" @click=${() => this.set(root, path, undefined)}>Remove group</button>` : nothing}
      </div>
      ${group.conditions.map((node, i) => {
        const childPath = [...path, i]
        const body =
          node.type === 'group'
            ? this.renderGroup(asGroup(node), childPath, root)
            : this.renderCondition(node, childPath, root)
        return html`${i > 0 ? html`<div class="joiner">${group.op}</div>` : nothing}${body}`
      })}
      ${
        ro
          ? nothing
          : html`<div class="add">
              <button data-add="condition" @click=${() => this.set(root, path, { ...group, conditions: [...group.conditions, newParam()] })}>+ Add Condition</button>
              <button data-add="group" @click=${() => this.set(root, path, { ...group, conditions: [...group.conditions, emptyGroup(group.op === 'AND' ? 'OR' : 'AND')] })}>+ Add Group</button>
            </div>`
      }
      ${this.renderErrors(path.length ? [] : this.errorsAt([]))}
    </div>`
  }

  private renderErrors(errors: string[]): TemplateResult | typeof nothing {
    return errors.length
      ? html`<div class="errors">${errors.map((e) => html`<div class="error-text" role="alert">${e}</div>`)}</div>`
      : nothing
  }

  private renderCondition(node: CriteriaNode, path: number[], root: Group): TemplateResult {
    const update = (patch: Record<string, unknown>) =>
      this.set(root, path, { ...node, ...patch } as CriteriaNode)
    const errors = this.errorsAt(path)
    const typeSelect = html`<label>Filter type<select
        aria-label="Filter type"
        data-role="filter-type"
        ?disabled=${this.readonly}
        @change=${(e: Event) => this.set(root, path, (e.target as HTMLSelectElement).value === 'param' ? newParam() : newSecurityGroup())}
      >
        <option value="param" ?selected=${node.type === 'param'}>Param</option>
        <option value="securityGroup" ?selected=${node.type === 'securityGroup'}>Security Group</option>
      </select></label>`
    const body =
      node.type === 'param' ? this.paramFields(node, update) : this.securityGroupFields(node, update)
    // The fields wrap among themselves; the remove button keeps its own column, on the first line.
    return html`<div class="row ${errors.length ? 'invalid' : ''}" data-path=${path.join('.')} data-type=${node.type}>
      <div class="fields">
        ${typeSelect} ${body}
        <label class="not"><input type="checkbox" ?disabled=${this.readonly} .checked=${!!node.not} @change=${(e: Event) => update({ not: (e.target as HTMLInputElement).checked })} />NOT</label>
      </div>
      ${this.readonly ? nothing : html`<button class="icon remove" aria-label="Remove condition" @click=${() => this.set(root, path, undefined)}>×</button>`}
      ${this.renderErrors(errors)}
    </div>`
  }

  private paramFields(node: CriteriaNode, update: (patch: Record<string, unknown>) => void): TemplateResult {
    const operator = String(node.operator ?? 'equals')
    const value = Array.isArray(node.value)
      ? node.value.join(', ')
      : node.value === undefined || node.value === null
        ? ''
        : String(node.value)
    return html`<label class="grow">Key<input
        type="text"
        data-role="key"
        list="criteria-keys"
        placeholder="e.g. PubliclyAccessible"
        ?readonly=${this.readonly}
        .value=${String(node.key ?? '')}
        @change=${(e: Event) => update({ key: (e.target as HTMLInputElement).value.trim() })}
      /></label>
      <label>Operator<select data-role="operator" ?disabled=${this.readonly} @change=${(e: Event) => {
        const op = (e.target as HTMLSelectElement).value
        update(UNARY.has(op) ? { operator: op, value: undefined } : { operator: op })
      }}>
        ${Object.entries(PARAM_OPERATOR_LABELS).map(([op, label]) => html`<option value=${op} ?selected=${op === operator}>${label}</option>`)}
      </select></label>
      ${
        UNARY.has(operator)
          ? nothing
          : html`<label class="grow">Value<input
              type="text"
              data-role="value"
              placeholder=${operator === 'in' || operator === 'notIn' ? 'a, b, c' : 'value'}
              ?readonly=${this.readonly}
              .value=${value}
              @change=${(e: Event) => update({ value: parseValue((e.target as HTMLInputElement).value, operator) })}
            /></label>`
      }`
  }

  private securityGroupFields(
    node: CriteriaNode,
    update: (patch: Record<string, unknown>) => void
  ): TemplateResult {
    const ports = (node.ports ?? { mode: 'any' }) as Record<string, unknown>
    const source = (node.source ?? { kind: 'publicIpv4' }) as Record<string, unknown>
    const ro = this.readonly
    return html`<label>Type<select data-role="direction" ?disabled=${ro} @change=${(e: Event) => update({ direction: (e.target as HTMLSelectElement).value })}>
        ${['inbound', 'outbound'].map((d) => html`<option value=${d} ?selected=${(node.direction ?? 'inbound') === d}>${d === 'inbound' ? 'Inbound' : 'Outbound'}</option>`)}
      </select></label>
      <label>Port range<select data-role="ports" ?disabled=${ro} @change=${(e: Event) => {
        const mode = (e.target as HTMLSelectElement).value
        update({
          ports:
            mode === 'range'
              ? { mode, from: 0, to: 65535 }
              : mode === 'resource'
                ? { mode, key: 'Endpoint.Port' }
                : { mode },
        })
      }}>
        <option value="any" ?selected=${ports.mode === 'any'}>Any port</option>
        <option value="range" ?selected=${ports.mode === 'range'}>Range</option>
        <option value="resource" ?selected=${ports.mode === 'resource'}>The resource's port</option>
      </select></label>
      ${
        ports.mode === 'range'
          ? html`<label>From<input class="small" type="number" min="0" max="65535" ?readonly=${ro} .value=${String(ports.from ?? 0)} @change=${(e: Event) => update({ ports: { ...ports, from: Number((e.target as HTMLInputElement).value) } })} /></label>
              <label>To<input class="small" type="number" min="0" max="65535" ?readonly=${ro} .value=${String(ports.to ?? 65535)} @change=${(e: Event) => update({ ports: { ...ports, to: Number((e.target as HTMLInputElement).value) } })} /></label>`
          : ports.mode === 'resource'
            ? html`<label>Port key<input type="text" list="criteria-keys" ?readonly=${ro} .value=${String(ports.key ?? 'Endpoint.Port')} @change=${(e: Event) => update({ ports: { ...ports, key: (e.target as HTMLInputElement).value } })} /></label>`
            : nothing
      }
      <label>Source<select data-role="source" ?disabled=${ro} @change=${(e: Event) => {
        const kind = (e.target as HTMLSelectElement).value
        update({
          source:
            kind === 'cidr'
              ? { kind, cidr: '0.0.0.0/0', match: 'all' }
              : kind === 'securityGroup'
                ? { kind, groupId: '' }
                : { kind },
        })
      }}>
        ${Object.entries(SOURCE_LABELS).map(([kind, label]) => html`<option value=${kind} ?selected=${source.kind === kind}>${label}</option>`)}
      </select></label>
      ${
        source.kind === 'cidr'
          ? html`<label>IP/CIDR<input type="text" data-role="cidr" ?readonly=${ro} .value=${String(source.cidr ?? '')} @change=${(e: Event) => update({ source: { ...source, cidr: (e.target as HTMLInputElement).value.trim() } })} /></label>
              <label>Rule admits<select ?disabled=${ro} @change=${(e: Event) => update({ source: { ...source, match: (e.target as HTMLSelectElement).value } })}>
                <option value="all" ?selected=${source.match !== 'any'}>all of it</option>
                <option value="any" ?selected=${source.match === 'any'}>any part</option>
              </select></label>`
          : source.kind === 'securityGroup'
            ? html`<label>SG id<input type="text" placeholder="sg-…" ?readonly=${ro} .value=${String(source.groupId ?? '')} @change=${(e: Event) => update({ source: { ...source, groupId: (e.target as HTMLInputElement).value.trim() } })} /></label>`
            : nothing
      }
      <label>Protocol<select data-role="protocol" ?disabled=${ro} @change=${(e: Event) => update({ protocol: (e.target as HTMLSelectElement).value })}>
        ${Object.entries(PROTOCOL_LABELS).map(([p, label]) => html`<option value=${p} ?selected=${(node.protocol ?? 'any') === p}>${label}</option>`)}
      </select></label>`
  }
}

/** Values as typed: numbers for day counts, lists for in / not in, text otherwise (the evaluator coerces). */
function parseValue(text: string, operator: string): unknown {
  if (operator === 'olderThanDays' || operator === 'newerThanDays')
    return text.trim() === '' ? undefined : Number(text)
  if (operator === 'in' || operator === 'notIn')
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)
  return text
}

declare global {
  interface HTMLElementTagNameMap {
    'qflow-criteria-builder': QflowCriteriaBuilder
  }
}
