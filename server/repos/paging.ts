/** A page request and a page of results, shared by every list endpoint. */
export interface PageRequest {
  limit: number
  offset: number
}

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

/** Escape `%`, `_` and the escape character itself for a `LIKE ... ESCAPE '\'` pattern. */
export function likeContains(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`
}
