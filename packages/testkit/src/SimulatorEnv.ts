/**
 * The environment variables that point the jobstream clients (and the CLI)
 * at running simulators, with the simulators' default credentials — the same
 * variables you would export for real servers.
 *
 * @since 0.1.0
 * @module
 */

/** The simulators' default credentials (see each simulator's options). */
export const defaults = {
  insideViewToken: "sim-fixed-token",
  insideViewClientId: "sim-client",
  insideViewClientSecret: "sim-secret",
  icwsUser: "agent",
  icwsPassword: "s3cret-pw"
} as const

/**
 * Which simulators are running, and how InsideView should authenticate.
 *
 * @since 0.1.0
 */
export interface Targets {
  readonly insideView?: { readonly url: string } | undefined
  /** Token (default) or client credentials through the simulator's login endpoint. */
  readonly insideViewAuth?: "token" | "credentials"
  readonly greenArrow?: { readonly url: string } | undefined
  /** The GreenArrow key to use (one of `GreenArrowSimulator.defaultKeys`). */
  readonly greenArrowKey?: { readonly organizationId: number | string; readonly apiKey: string } | undefined
  readonly icws?: { readonly url: string } | undefined
}

/**
 * Environment variables for the given simulators.
 *
 * @since 0.1.0
 */
export const forSimulators = (targets: Targets): Record<string, string> => {
  const env: Record<string, string> = {}
  if (targets.insideView !== undefined) {
    env["INSIDEVIEW_BASE_URL"] = targets.insideView.url
    if (targets.insideViewAuth === "credentials") {
      env["INSIDEVIEW_AUTH_BASE_URL"] = targets.insideView.url
      env["INSIDEVIEW_CLIENT_ID"] = defaults.insideViewClientId
      env["INSIDEVIEW_CLIENT_SECRET"] = defaults.insideViewClientSecret
    } else {
      env["INSIDEVIEW_ACCESS_TOKEN"] = defaults.insideViewToken
    }
  }
  if (targets.greenArrow !== undefined && targets.greenArrowKey !== undefined) {
    env["GREENARROW_BASE_URL"] = targets.greenArrow.url
    env["GREENARROW_ORGANIZATION_ID"] = String(targets.greenArrowKey.organizationId)
    env["GREENARROW_API_KEY"] = targets.greenArrowKey.apiKey
  }
  if (targets.icws !== undefined) {
    env["ICWS_BASE_URL"] = targets.icws.url
    env["ICWS_USER"] = defaults.icwsUser
    env["ICWS_PASSWORD"] = defaults.icwsPassword
  }
  return env
}
