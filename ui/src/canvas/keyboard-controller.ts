import { isInputDOMNode } from '@xyflow/system'
import type { ReactiveController, ReactiveControllerHost } from 'lit'

export interface KeyBinding {
  /** e.g. `mod+z`, `shift+mod+z`, `delete`, `arrowleft`, `shift+arrowleft`, `+`; `mod` is Ctrl or ⌘. */
  keys: string[]
  run(event: KeyboardEvent): void
  /** Shown in the shortcut help. */
  label: string
}

/**
 * Keyboard shortcuts scoped to the host: keys act only while focus is inside the element and never
 * while typing in a field, so Delete in the embedding page never deletes our nodes.
 */
export class KeyboardController implements ReactiveController {
  private readonly onKeyDown = (event: KeyboardEvent) => {
    if (isInputDOMNode(event)) return
    const combo = comboOf(event)
    for (const binding of this.bindings()) {
      if (!binding.keys.includes(combo)) continue
      event.preventDefault()
      event.stopPropagation()
      binding.run(event)
      return
    }
  }

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    readonly bindings: () => KeyBinding[]
  ) {
    host.addController(this)
  }

  hostConnected(): void {
    this.host.addEventListener('keydown', this.onKeyDown)
  }

  hostDisconnected(): void {
    this.host.removeEventListener('keydown', this.onKeyDown)
  }
}

export function comboOf(event: KeyboardEvent): string {
  const parts: string[] = []
  // Shift is part of the combo for named keys and letters; for symbols it is how '+' is typed.
  if (event.shiftKey && (event.key.length > 1 || /^[a-z]$/i.test(event.key))) parts.push('shift')
  if (event.altKey) parts.push('alt')
  if (event.ctrlKey || event.metaKey) parts.push('mod')
  parts.push(event.key.toLowerCase())
  return parts.join('+')
}
