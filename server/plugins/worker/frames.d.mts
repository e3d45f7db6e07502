/** Types for frames.mjs (plain JavaScript: the sandboxed worker runs it without a TypeScript loader). */
export function encodeFrame(message: unknown): Buffer
export function encodeJsonFrame(json: string): Buffer
export function createFrameReader(options: {
  maxBytes: number
  onMessage(message: { t: string } & Record<string, unknown>): void
  onError(error: Error): void
}): (chunk: Buffer) => void
