/**
 * What the CLI adds to an API error's line so that the reader knows where to
 * look. The hint follows the cause, not the status alone:
 *
 * - 401, or a login the provider refused (ICWS answers a bad user name or
 *   password with 400 `error.request.connection.authenticationFailure`):
 *   the credentials in the environment are wrong.
 * - 403: the credentials were accepted, but the account may not do this
 *   (cancel someone else's job, read another organization): a permission
 *   problem, which new credentials of the same account will not fix.
 * - A transport failure: the base URL or the server.
 *
 * The same line is printed whether the command stops at the error or goes on
 * with `--keep-going`.
 */
import type { ApiError } from "@jobstream/core"

/** Provider codes that mean "these credentials were refused", whatever the status. */
const credentialCodes = /authenticationFailure|invalid_client|invalid_grant/i

const variables = (provider: string) => `${provider.toUpperCase()}_*`

/** The hint for an API error ("" when there is none), starting with a space. */
export const hint = (error: ApiError.ApiError): string => {
  if (error._tag === "Unauthorized") return ` (check the ${variables(error.provider)} credentials)`
  if (error.providerCode !== undefined && credentialCodes.test(error.providerCode)) {
    return ` (${error.provider} refused the credentials: check the ${variables(error.provider)} credentials)`
  }
  switch (error._tag) {
    case "Forbidden":
      return ` (the credentials were accepted but this account is not allowed to do this: check its permissions)`
    case "TransportError":
      return ` (is the ${error.provider.toUpperCase()} base URL right and the server up?)`
    default:
      return ""
  }
}

/** The line (without the `jobstream: ` prefix) for an API error: its message and the hint. */
export const apiErrorLine = (error: ApiError.ApiError): string => `${error.message}${hint(error)}`
