/**
 * The ICWS simulator's wire: bodies and errors, cookies, the response modes
 * of a job. Internal to `IcwsSimulator`.
 */
import type { IcwsSimJob } from "../../IcwsSimulator.js"
import type { SimResponse } from "../../Server.js"
import { mediaType } from "./data.js"

/** An ICWS JSON body. */
export const icws = (status: number, value: unknown, headers?: Record<string, string | ReadonlyArray<string>>): SimResponse => ({
  status,
  headers: { "Content-Type": `${mediaType}; charset=utf-8`, ...headers },
  body: JSON.stringify(value)
})

/** An error body `{ errorId, message }`. */
export const error = (status: number, errorId: string, message: string, headers?: Record<string, string>): SimResponse =>
  icws(status, { errorId, message }, headers)

/** A 401 with the `WWW-Authenticate` ICWS sends. */
export const unauthorized = (message: string): SimResponse =>
  error(401, "error.request.unauthorized", message, {
    "WWW-Authenticate": `ICWS realm="ICWS" location="/ICWS/connection"`
  })

/** The cookies of a `Cookie` header. */
export const parseCookies = (header: string | undefined): Map<string, string> => {
  const out = new Map<string, string>()
  if (header === undefined) return out
  for (const part of header.split(";")) {
    const eq = part.indexOf("=")
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return out
}

/** The response modes. */
export const modes = new Set(["configuration", "status", "all"])

/** A job as a response mode shows it. */
export const render = (job: IcwsSimJob, mode: string) => {
  const out: Record<string, unknown> = {}
  if (mode === "status" || mode === "all") {
    out["jobStatus"] = { __type: "urn:inin.com:dataExtractor:jobStatus", ...job.status }
  }
  if (mode === "configuration" || mode === "all") {
    out["jobConfig"] = { __type: "urn:inin.com:dataExtractor:jobConfig", ...job.config }
  }
  return out
}

/** Whether a table or view of a submitted config has a name and columns. */
export const validSource = (s: unknown): boolean => {
  if (typeof s !== "object" || s === null) return false
  const o = s as Record<string, unknown>
  return typeof o["name"] === "string" && Array.isArray(o["column"])
}


/** A JSON body that is an object (or, with `arrays`, an array), or undefined. */
export const objectBody = (text: string, arrays: boolean): Record<string, unknown> | undefined => {
  try {
    const parsed: unknown = JSON.parse(text)
    return typeof parsed === "object" && parsed !== null && (arrays || !Array.isArray(parsed))
      ? parsed as Record<string, unknown>
      : undefined
  } catch {
    return undefined
  }
}

/** The 400 of a body that could not be parsed. */
export const unparsable: SimResponse = error(400, "error.request.invalidRepresentation", "The request body could not be parsed.")

/** The 400 of a missing property. */
export const missingProperty = (property: string): SimResponse =>
  icws(400, {
    __type: "urn:inin.com:common:missingPropertyError",
    errorId: "error.request.invalidRepresentation.missingProperty",
    message: `The property ${property} is required.`,
    propertyName: property
  })
