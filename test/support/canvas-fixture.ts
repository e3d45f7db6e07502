/** A flow node for test/ui/fixtures/canvas.html, labelled with its id (the fixture's types have no config). */
export const node = (id: string, type: string, x: number, y = 0) => ({
  id,
  type,
  typeVersion: 1,
  label: id,
  config: {},
  position: { x, y },
})
