/**
 * Errors cross to the host as plain data. What plugin code throws is untrusted: a getter on
 * `message` that throws, a Proxy that throws on every access, a 20 MB message. Every read here is
 * guarded and every field bounded, so describing an error can never throw (which would leave the
 * call without an answer until its time limit) nor overflow the channel's message limit.
 */

/** Longest message sent (the host clips further for the run record, counting what was cut here). */
const MAX_MESSAGE_CHARS = 100_000
const MAX_FIELD_CHARS = 1000

function read(reader, fallback) {
  try {
    return reader()
  } catch {
    return fallback
  }
}

function bounded(text, max) {
  return text.length > max ? text.slice(0, max) : text
}

function isObjectLike(err) {
  return read(() => err !== null && (typeof err === 'object' || typeof err === 'function'), false)
}

/** A string property of `err`, or undefined when it is absent, not a string, or throws. */
function stringField(err, name, max) {
  const value = read(() => err[name], undefined)
  return typeof value === 'string' ? bounded(value, max) : undefined
}

function fullMessage(err) {
  if (typeof err === 'string') return err
  if (!isObjectLike(err)) return read(() => String(err), 'a value that cannot be shown')
  const message = read(() => err.message, undefined)
  if (typeof message === 'string') return message
  const json = read(() => JSON.stringify(err), undefined)
  if (typeof json === 'string' && json !== '{}') return json
  return 'the plugin threw a value whose message cannot be read'
}

/** The error's message (bounded), or a sentence saying why there is none; never throws. */
export function messageOf(err) {
  return bounded(
    read(() => fullMessage(err), 'a value that cannot be shown'),
    MAX_MESSAGE_CHARS
  )
}

/** `{name, message, cutChars?, code?, permission?, resource?}`, all bounded; never throws. */
export function describeError(err) {
  try {
    const full = fullMessage(err)
    const message = bounded(full, MAX_MESSAGE_CHARS)
    const isObject = isObjectLike(err)
    const out = { name: (isObject && stringField(err, 'name', MAX_FIELD_CHARS)) || 'Error', message }
    if (full.length > message.length) out.cutChars = full.length - message.length
    if (!isObject) return out
    const code = stringField(err, 'code', MAX_FIELD_CHARS)
    const permission = stringField(err, 'permission', MAX_FIELD_CHARS)
    const resource = stringField(err, 'resource', MAX_FIELD_CHARS)
    if (code !== undefined) out.code = code
    if (permission !== undefined) out.permission = permission
    if (resource !== undefined) out.resource = resource
    return out
  } catch {
    return { name: 'Error', message: 'the plugin threw a value that cannot be read' }
  }
}
