/**
 * How many items a step put out, said so that it is not misread. A node with several outputs
 * often puts one item on more than one port (a control's resource is in Failed or Passed and again
 * in Results), so their sum is no count of anything: each port is counted on its own. Shared by
 * the editor's node cards and the CLI's OUT column, so both say the same.
 */
export function outputCountParts(
  total: number,
  counts: Record<string, number> | undefined,
  ports: readonly { name: string; label?: string }[] = []
): string[] {
  const names = Object.keys(counts ?? {})
  if (!counts || names.length < 2) return [`${total} out`]
  // The node type's order first (the order its ports are drawn in), then any other port.
  const ordered = [...ports.map((p) => p.name).filter((n) => n in counts), ...names]
  const label = (name: string) => (ports.find((p) => p.name === name)?.label ?? name).toLowerCase()
  return [...new Set(ordered)].map((name) => `${counts[name]} ${label(name)}`)
}
