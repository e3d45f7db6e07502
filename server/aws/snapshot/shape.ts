import { resourceMethods } from '../../../plugins/aws-resource/catalogue.ts'

/** The keys a recorded response must hold to be replayed, per `<service>.<Operation>`. */
interface Expected {
  operation: string
  /** Top-level key holding the listing, e.g. `DBInstances`, `Reservations`. */
  list: string
  /** For nested listings (`Reservations[*].Instances`), the list each element holds. */
  inner?: string
  /** Detail calls hold the id they were asked for beside the response. */
  id?: string
}

const expected = new Map<string, Expected>()
for (const method of resourceMethods) {
  const [list, inner] = method.resultKey.split('[*].')
  expected.set(`${method.service}.${method.operation}`, {
    operation: method.operation,
    list: list!,
    ...(inner ? { inner } : {}),
  })
  if (method.details)
    expected.set(`${method.service}.${method.details.operation}`, {
      operation: method.details.operation,
      list: method.details.resultKey,
      id: method.details.idParam,
    })
}

/**
 * Why a recorded file cannot be the response its name says, or undefined when it can. Only calls
 * of the AWS Resource catalogue are checked (the replay knows their shape); a file of another call
 * is replayed by its one list, as before. An empty listing (`{"DBInstances": []}`) is a fine answer.
 */
export function responseShapeProblem(call: string, body: Record<string, unknown>): string | undefined {
  const want = expected.get(call)
  if (!want) return undefined
  const example = want.id
    ? `{"${want.id}": "...", "${want.list}": [...]}`
    : want.inner
      ? `{"${want.list}": [{"${want.inner}": [...]}]}`
      : `{"${want.list}": [...]}`
  const has = Object.keys(body)
  const found =
    has.length > 0 ? `it has ${has.slice(0, 5).join(', ')}${has.length > 5 ? ', ...' : ''}` : 'it is {}'
  const problem = (what: string) =>
    `does not look like a ${want.operation} response: ${what} (expected ${example}; ${found})`
  if (!Array.isArray(body[want.list])) return problem(`no "${want.list}" list`)
  if (want.id && typeof body[want.id] !== 'string')
    return problem(`no "${want.id}" naming what it was asked for`)
  if (want.inner) {
    const bad = (body[want.list] as unknown[]).findIndex(
      (element) =>
        typeof element !== 'object' ||
        element === null ||
        !Array.isArray((element as Record<string, unknown>)[want.inner!])
    )
    if (bad >= 0) return problem(`${want.list}[${bad}] has no "${want.inner}" list`)
  }
  return undefined
}
