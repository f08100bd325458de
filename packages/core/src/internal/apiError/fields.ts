/**
 * The fields and the message shape every `ApiError` member shares.
 */
import * as Schema from "effect/Schema"

/**
 * Where an HTTP error happened, as every constructor needs it.
 *
 * @since 0.2.0
 */
export interface Where {
  readonly provider: string
  readonly operation: string
  readonly method: string
  readonly url: string
}

/** Fields shared by every error that concerns an HTTP exchange. */
export const WhereFields = {
  /** Which API: "insideview", "greenarrow", "icws", … */
  provider: Schema.String,
  /** The client operation, e.g. "listJobs". */
  operation: Schema.String,
  /** The HTTP method. */
  method: Schema.String,
  /** The request URL with secret query values replaced by `<redacted>`. */
  url: Schema.String
}

/**
 * Fields every member of {@link ApiError} has, so code that handles "any
 * jobstream error" can read them without narrowing: the HTTP status (absent
 * when no response was judged) and the provider's own error code (absent
 * when the provider gave none).
 */
export const Common = {
  /** The HTTP status of the response, when there was one. */
  status: Schema.optional(Schema.Number),
  /** The provider's own error code (`errorNumber`, `error_code`, `errorId`, …). */
  providerCode: Schema.optional(Schema.String)
}

/** What the provider said about the failure, when its body could be read. */
export const ProviderDetail = {
  /** The provider's own error code (`errorNumber`, `error_code`, `errorId`, …). */
  providerCode: Schema.optional(Schema.String),
  /** The provider's own error message. */
  providerMessage: Schema.optional(Schema.String)
}

export const describe = (
  self: { readonly provider: string; readonly operation: string; readonly method: string; readonly url: string },
  what: string,
  detail?: { readonly providerCode?: string | undefined; readonly providerMessage?: string | undefined }
): string => {
  const parts = [`${self.provider}.${self.operation}: ${what} (${self.method} ${self.url})`]
  if (detail?.providerCode !== undefined || detail?.providerMessage !== undefined) {
    parts.push(
      `provider said: ${[detail.providerCode, detail.providerMessage].filter((s) => s !== undefined).join(" ")}`
    )
  }
  return parts.join(" — ")
}

/** The fields of an error judged from an HTTP status: where, what the provider said, the status. */
export const StatusFields = { ...WhereFields, ...ProviderDetail, status: Schema.Number }
