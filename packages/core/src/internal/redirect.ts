/**
 * The redirect policy. The platform client is asked never to follow a
 * redirect itself (`redirect: "manual"` for fetch; undici and node:http
 * never follow), so every 3xx reaches the transport, which decides:
 *
 * - a GET or HEAD redirected to the same origin (scheme, host and port) is
 *   followed, with the same headers — the credentials go back only to the
 *   server they were meant for — at most {@link maxRedirects} hops, and
 *   never twice to the same URL;
 * - everything else ends the attempt with `ApiError.Redirected`, which names
 *   the target's origin only (its path and query may hold secrets): another
 *   origin ("cross-origin"), https → http ("scheme-downgrade"), a redirected
 *   POST/PUT/DELETE ("not-followed", the body would be re-sent or dropped),
 *   a missing or unreadable Location ("not-followed"), a URL already
 *   visited ("loop") or one hop too many ("too-many").
 *
 * @internal
 */

/** The statuses that redirect. 300, 304, 305 and 306 are ordinary statuses here. */
export const redirectStatuses: ReadonlySet<number> = new Set([301, 302, 303, 307, 308])

/** Most same-origin hops followed within one attempt. */
export const maxRedirects = 5

/** Why a redirect is not followed (the `reason` of `ApiError.Redirected`). */
export type Refusal = "cross-origin" | "scheme-downgrade" | "loop" | "too-many" | "not-followed"

/** What to do with one redirect. */
export type Decision =
  | { readonly _tag: "Follow"; readonly url: string }
  | { readonly _tag: "Refuse"; readonly location: string; readonly reason: Refusal }

/** The origin as shown in errors: scheme, host and port, nothing else. */
export const originOf = (url: URL): string => `${url.protocol}//${url.host}`

/**
 * Decides on a redirect from `from` (the URL just requested) to `location`
 * (the raw header, if any), for a request of `method` that has already made
 * `hops` hops through `visited` (URLs without fragment).
 */
export const decide = (
  from: URL,
  location: string | undefined,
  method: string,
  visited: ReadonlySet<string>,
  hops: number
): Decision => {
  if (location === undefined || location.trim() === "") {
    return { _tag: "Refuse", location: "<missing>", reason: "not-followed" }
  }
  let target: URL
  try {
    target = new URL(location.trim(), from)
  } catch {
    return { _tag: "Refuse", location: "<invalid>", reason: "not-followed" }
  }
  target.hash = ""
  const origin = originOf(target)
  if (from.protocol === "https:" && target.protocol === "http:") {
    return { _tag: "Refuse", location: origin, reason: "scheme-downgrade" }
  }
  if (origin !== originOf(from)) return { _tag: "Refuse", location: origin, reason: "cross-origin" }
  // Credentials in the Location itself: never sent anywhere.
  if (target.username !== "" || target.password !== "") {
    return { _tag: "Refuse", location: origin, reason: "not-followed" }
  }
  if (method !== "GET" && method !== "HEAD") return { _tag: "Refuse", location: origin, reason: "not-followed" }
  if (visited.has(target.href)) return { _tag: "Refuse", location: origin, reason: "loop" }
  if (hops >= maxRedirects) return { _tag: "Refuse", location: origin, reason: "too-many" }
  return { _tag: "Follow", url: target.href }
}
