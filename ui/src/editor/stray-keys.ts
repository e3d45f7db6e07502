import type { ReactiveController, ReactiveControllerHost } from 'lit'

/** The editor the user last clicked or focused, while they have not clicked anywhere else since. */
let lastUsed: HTMLElement | null = null

/**
 * Keys pressed while focus is on the page's <body> go to the editor the user was last working in.
 * Focus falls to <body> when the focused element goes away (a deleted node, a closed menu); without
 * this, Ctrl+Z there would do nothing. A click anywhere else on the page, or focus in any field,
 * ends it: an embedding page's own keys are never taken.
 */
export class StrayKeysController implements ReactiveController {
  private readonly onUse = () => {
    lastUsed = this.host
  }
  private readonly onPagePointerDown = (event: Event) => {
    if (lastUsed === this.host && !event.composedPath().includes(this.host)) lastUsed = null
  }
  private readonly onPageKeyDown = (event: KeyboardEvent) => {
    const active = document.activeElement
    if (lastUsed !== this.host || event.defaultPrevented) return
    // A modifier alone does nothing yet; the key pressed with it is what gets forwarded.
    if (['Control', 'Shift', 'Alt', 'Meta'].includes(event.key)) return
    if (active && active !== document.body && active !== document.documentElement) return
    const target = this.target()
    if (!target) return
    target.focus({ preventScroll: true })
    const forwarded = new KeyboardEvent('keydown', {
      key: event.key,
      code: event.code,
      ctrlKey: event.ctrlKey,
      metaKey: event.metaKey,
      shiftKey: event.shiftKey,
      altKey: event.altKey,
      bubbles: true,
      composed: true,
      cancelable: true,
    })
    if (!target.dispatchEvent(forwarded)) event.preventDefault()
  }

  constructor(
    private readonly host: ReactiveControllerHost & HTMLElement,
    /** Where forwarded keys go (the canvas: its shortcuts and, bubbling, the editor's). */
    private readonly target: () => HTMLElement | null
  ) {
    host.addController(this)
  }

  hostConnected(): void {
    this.host.addEventListener('pointerdown', this.onUse)
    this.host.addEventListener('focusin', this.onUse)
    document.addEventListener('pointerdown', this.onPagePointerDown, true)
    document.addEventListener('keydown', this.onPageKeyDown)
  }

  hostDisconnected(): void {
    this.host.removeEventListener('pointerdown', this.onUse)
    this.host.removeEventListener('focusin', this.onUse)
    document.removeEventListener('pointerdown', this.onPagePointerDown, true)
    document.removeEventListener('keydown', this.onPageKeyDown)
    if (lastUsed === this.host) lastUsed = null
  }
}
