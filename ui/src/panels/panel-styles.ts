import { css } from 'lit'

/** Side panels (execution details, run history) docked to the editor's right edge. */
export const panelStyles = css`
  :host {
    display: flex;
    flex-direction: column;
    min-height: 0;
    background: var(--_surface);
    border-left: 1px solid var(--_border);
  }
  header {
    display: flex;
    align-items: center;
    gap: 8px;
    padding: 12px 14px;
    border-bottom: 1px solid var(--_border);
  }
  header h2 {
    font-size: 14px;
    margin: 0;
    flex: 1;
    white-space: nowrap;
    overflow: hidden;
    text-overflow: ellipsis;
  }
  .body {
    flex: 1;
    overflow: auto;
    padding: 12px 14px;
    min-height: 0;
  }
  .close {
    border: none;
    background: none;
    font-size: 18px;
    color: var(--_muted);
    padding: 2px 6px;
  }
  .badge {
    display: inline-block;
    font-size: 11px;
    font-weight: 600;
    padding: 1px 8px;
    border-radius: 999px;
    background: var(--_surface-2);
    color: var(--_muted);
    text-transform: capitalize;
  }
  .badge.succeeded,
  .badge.PASS {
    background: color-mix(in srgb, var(--_success) 15%, transparent);
    color: var(--_success);
  }
  .badge.failed,
  .badge.FAIL {
    background: color-mix(in srgb, var(--_danger) 13%, transparent);
    color: var(--_danger);
  }
  .badge.partial,
  .badge.ERROR {
    background: color-mix(in srgb, var(--_warning) 15%, transparent);
    color: var(--_warning);
  }
  /* Stopped by a user, not a fault: the neutral badge, outlined so it reads as its own state. */
  .badge.cancelled {
    box-shadow: inset 0 0 0 1px var(--_border);
  }
  .badge.running,
  .badge.queued {
    background: color-mix(in srgb, var(--_running) 13%, transparent);
    color: var(--_running);
  }
  .muted {
    color: var(--_muted);
    font-size: 12px;
  }
`
