import { ApiError, QflowClient } from './client.ts'

/**
 * Whether the server accepts `key`, asked with the cheapest call a key of any role may make (one
 * flow of the list), before the key replaces one that works. A 401 is a refusal; any other failure
 * (the server unreachable) is thrown, since it says nothing about the key.
 */
export async function keyIsAccepted(baseUrl: string, key: string): Promise<boolean> {
  try {
    await new QflowClient({ baseUrl, getToken: () => key }).listFlows({ limit: 1 })
    return true
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return false
    throw err
  }
}
