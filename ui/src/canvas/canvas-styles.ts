import { css } from 'lit'
import {
  ADD_AFTER_GAP,
  ADD_AFTER_GAP_WIDE,
  ADD_AFTER_SIZE,
  CARD_HEIGHT,
  CARD_WIDTH,
  HANDLE_SIZE,
} from './geometry.ts'
import { PORT_LABEL_FONT_PX, PORT_LABEL_GAP, PORT_LABEL_INSET } from './port-labels.ts'

/** Structural CSS the xyflow engines assume, plus the look of cards, handles and edges. */
export const canvasStyles = css`
  :host {
    display: block;
    position: relative;
    /* clip, not hidden: a hidden box can still be scrolled, e.g. by focusing a node near the edge. */
    overflow: clip;
    background: var(--_bg);
    outline: none;
  }
  .root,
  .pane {
    position: absolute;
    inset: 0;
    overflow: clip;
  }
  .pane {
    touch-action: none;
    cursor: grab;
    background-image: radial-gradient(var(--_grid) 1px, transparent 1px);
    background-size: var(--grid-size, 20px) var(--grid-size, 20px);
    background-position: var(--grid-x, 0) var(--grid-y, 0);
  }
  .pane:active {
    cursor: grabbing;
  }
  .xyflow__viewport {
    position: absolute;
    top: 0;
    left: 0;
    width: 100%;
    height: 100%;
    transform-origin: 0 0;
    pointer-events: none;
  }
  svg.edges {
    position: absolute;
    overflow: visible;
    pointer-events: none;
    width: 1px;
    height: 1px;
  }
  .xy-flow__edge {
    pointer-events: visibleStroke;
    cursor: pointer;
  }
  /* While a node moves, edges need no hit testing; with hundreds of paths that is most of a step. */
  .dragging .xy-flow__edge {
    pointer-events: none;
  }
  .edge-hit {
    stroke: transparent;
    stroke-width: 16;
    fill: none;
  }
  .edge-path {
    stroke: var(--_edge);
    stroke-width: 2;
    fill: none;
  }
  .xy-flow__edge.selected .edge-path {
    stroke: var(--_accent);
    stroke-width: 3;
  }
  .xy-flow__edge.done .edge-path {
    stroke: var(--_success);
  }
  .connection-line {
    stroke: var(--_accent);
    stroke-width: 2;
    stroke-dasharray: 6 4;
    fill: none;
  }
  .connection-line.invalid {
    stroke: var(--_danger);
  }
  .connection-line.valid {
    stroke: var(--_success);
    stroke-dasharray: none;
  }
  .node-block {
    position: absolute;
    top: 0;
    left: 0;
  }
  /* While nodes move, only they take part in hit testing (hundreds of cards otherwise). */
  .dragging .xy-flow__node:not(.moving) {
    pointer-events: none;
  }
  .xy-flow__node {
    position: absolute;
    top: 0;
    left: 0;
    width: ${CARD_WIDTH}px;
    height: ${CARD_HEIGHT}px;
    pointer-events: all;
    user-select: none;
    transform-origin: 0 0;
    box-sizing: border-box;
    cursor: grab;
    contain: layout style;
  }
  .xy-flow__node:focus-visible {
    outline: none;
  }
  .xy-flow__node:focus-visible .card {
    outline: 2px solid var(--_accent);
    outline-offset: 2px;
  }
  .card {
    position: absolute;
    inset: 0;
    display: flex;
    align-items: center;
    gap: 10px;
    padding: 0 8px 0 10px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    /* The type's colour as a left edge; no overflow clip, so cards add no clip nodes to paint. */
    border-left: 4px solid var(--accent);
    border-radius: var(--_radius);
    box-shadow: var(--_shadow);
    box-sizing: border-box;
  }
  .compact .card {
    box-shadow: none;
    padding-left: 14px;
  }
  .compact .title {
    font-size: 28px;
    font-weight: 700;
  }
  .selected .card {
    border-color: var(--_accent);
    box-shadow: 0 0 0 2px color-mix(in srgb, var(--_accent) 35%, transparent), var(--_shadow);
  }
  .icon {
    flex: none;
    width: 32px;
    height: 32px;
    border-radius: 8px;
    background-color: color-mix(in srgb, var(--accent) 13%, transparent);
    background-repeat: no-repeat;
    background-position: center;
    background-size: 18px 18px;
  }
  .text {
    flex: 1;
    min-width: 0;
  }
  /* Texts are shortened in the template (fitText), not clipped: a clip per text costs paint time. */
  .title {
    font-size: 13px;
    font-weight: 600;
    white-space: nowrap;
  }
  /* Up to two lines (the template shortens longer ones): "RDS · DB Instances · 2 regions" whole. */
  .summary {
    font-size: 11.5px;
    line-height: 1.25;
    color: var(--_muted);
    margin-top: 2px;
    overflow-wrap: anywhere;
  }
  .summary.problem {
    color: var(--_danger);
  }
  .invalid .card {
    border-color: var(--_danger);
    border-style: dashed;
  }
  .counts {
    font-size: 10.5px;
    color: var(--_muted);
    margin-top: 2px;
    white-space: nowrap;
    /* The last line runs on under the menu button (which sits at the top): room for per-port counts. */
    margin-right: -32px;
  }
  .counts.run-error {
    color: var(--_danger);
  }
  .counts.run-cancelled {
    font-weight: 600;
  }
  .status {
    position: absolute;
    top: 6px;
    right: 30px;
    width: 9px;
    height: 9px;
    border-radius: 50%;
  }
  .st-succeeded .card {
    border-color: var(--_success);
    box-shadow: 0 0 0 2px color-mix(in srgb, var(--_success) 30%, transparent);
  }
  .st-succeeded .status {
    background: var(--_success);
  }
  .st-partial .card {
    border-color: var(--_warning);
  }
  .st-partial .status {
    background: var(--_warning);
  }
  .st-failed .card {
    border-color: var(--_danger);
    box-shadow: 0 0 0 2px color-mix(in srgb, var(--_danger) 25%, transparent);
  }
  .st-failed .status {
    background: var(--_danger);
  }
  /* Cancelled is something a user did, not a fault: neutral grey, dashed, and said in words. */
  .st-cancelled .card {
    border-color: var(--_muted);
    border-style: dashed;
  }
  .st-cancelled .status {
    background: var(--_muted);
  }
  .st-running .card {
    border-color: var(--_running);
  }
  .st-running .status {
    background: var(--_running);
    animation: pulse 1s infinite ease-in-out;
  }
  .st-pending .status {
    background: var(--_border);
  }
  .st-pending .card {
    opacity: 0.75;
  }
  @keyframes pulse {
    50% {
      opacity: 0.3;
    }
  }
  .menu-btn {
    flex: none;
    align-self: flex-start;
    margin-top: 4px;
    border: none;
    background: transparent;
    color: var(--_muted);
    border-radius: 4px;
    width: 22px;
    height: 22px;
    cursor: pointer;
    font-size: 16px;
    line-height: 18px;
    padding: 0;
  }
  .menu-btn:hover {
    background: var(--_surface-2);
  }
  .xy-flow__handle {
    position: absolute;
    width: ${HANDLE_SIZE}px;
    height: ${HANDLE_SIZE}px;
    box-sizing: border-box;
    border-radius: 50%;
    background: var(--_surface);
    border: 2px solid var(--_edge);
    pointer-events: all;
    cursor: crosshair;
    z-index: 2;
  }
  .xy-flow__handle.source:hover,
  .xy-flow__handle.connectingfrom {
    border-color: var(--_accent);
    background: var(--_accent);
  }
  .xy-flow__handle.valid {
    border-color: var(--_success);
    background: var(--_success);
  }
  .connecting .xy-flow__handle.target {
    transform: scale(1.35);
  }
  /*
   * A tag over the edges (cards paint after them), the colour of the card: the edge of its own port
   * runs under it and out the far side; the others turn only past the tags (edge-route.ts).
   */
  .port-label {
    position: absolute;
    left: ${CARD_WIDTH + PORT_LABEL_GAP}px;
    font-size: ${PORT_LABEL_FONT_PX}px;
    line-height: 13px;
    font-weight: 600;
    color: var(--_muted);
    white-space: nowrap;
    pointer-events: none;
    transform: translateY(-50%);
    padding: 0 ${PORT_LABEL_INSET - 1}px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 4px;
  }
  .add-after {
    position: absolute;
    left: ${CARD_WIDTH + ADD_AFTER_GAP}px;
    top: ${CARD_HEIGHT / 2 - ADD_AFTER_SIZE / 2}px;
    width: ${ADD_AFTER_SIZE}px;
    height: ${ADD_AFTER_SIZE}px;
    border-radius: 50%;
    border: 1px solid var(--_border);
    background: var(--_surface);
    color: var(--_accent);
    font-size: 16px;
    line-height: 18px;
    padding: 0;
    cursor: pointer;
    opacity: 0;
  }
  .add-after.wide {
    left: ${CARD_WIDTH + ADD_AFTER_GAP_WIDE}px;
  }
  svg.connection {
    z-index: 100000;
  }
  .xy-flow__node:hover .add-after,
  .xy-flow__node.selected .add-after,
  .add-after.always {
    opacity: 1;
  }
  .node-menu {
    position: absolute;
    top: 28px;
    left: ${CARD_WIDTH - 16}px;
    z-index: 10;
    min-width: 170px;
    background: var(--_surface);
    border: 1px solid var(--_border);
    border-radius: 8px;
    box-shadow: 0 8px 24px rgb(16 24 40 / 16%);
    padding: 4px;
    display: flex;
    flex-direction: column;
    cursor: default;
  }
  .node-menu button {
    text-align: left;
    border: none;
    background: none;
    padding: 7px 10px;
    border-radius: 5px;
    font: inherit;
    font-size: 13px;
    color: var(--_text);
    cursor: pointer;
  }
  .node-menu button:hover,
  .node-menu button:focus-visible {
    background: var(--_surface-2);
    outline: none;
  }
  .node-menu button.danger {
    color: var(--_danger);
  }
  .selection-rect {
    position: absolute;
    border: 1px dashed var(--_accent);
    background: color-mix(in srgb, var(--_accent) 8%, transparent);
    pointer-events: none;
  }
  .notice {
    position: absolute;
    left: 50%;
    bottom: 18px;
    transform: translateX(-50%);
    background: var(--_danger);
    color: #fff;
    font-size: 13px;
    padding: 8px 14px;
    border-radius: 6px;
    box-shadow: var(--_shadow);
    pointer-events: none;
  }
  .refusal-tip {
    position: absolute;
    background: var(--_danger);
    color: #fff;
    font-size: 12px;
    padding: 3px 8px;
    border-radius: 4px;
    white-space: nowrap;
    pointer-events: none;
    transform: translate(12px, 12px);
  }
`
