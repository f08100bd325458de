/**
 * Configuration errors of the CLI, in-process (`Cli.run` with a config
 * provider instead of the environment): every missing, empty, blank or
 * malformed variable and every bad flag is exit 2 with one line naming it,
 * no secret in that line, and no request sent. Plus the masking logger of
 * `JOBSTREAM_LOG_LEVEL`, fed lines that carry secrets.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { describe, expect, it } from "@effect/vitest"
import * as Cli from "@jobstream/cli/Cli"
import * as Errors from "@jobstream/cli/Errors"
import * as Output from "@jobstream/cli/Output"
import { GreenArrowSimulator, IcwsSimulator, InsideViewSimulator } from "@jobstream/testkit"
import { Cause, ConfigProvider, Effect, FiberId, FiberRefs, HashMap, List, LogLevel } from "effect"

const jobstream = (args: ReadonlyArray<string>, env: Record<string, string>) =>
  Effect.gen(function*() {
    const output = Output.capture()
    const code = yield* Cli.run(["node", "jobstream", ...args]).pipe(
      Effect.provideService(Output.Output, output),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))),
      Effect.provide(NodeContext.layer)
    )
    return { code, stdout: output.stdout(), stderr: output.stderr() }
  })

const encodedKey = (org: number, key: string) => Buffer.from(`${org}:${key}`).toString("base64")

describe("configuration errors: exit 2, one line naming the variable or flag, nothing sent", () => {
  it.live("each bad variable or flag", () =>
    Effect.gen(function*() {
      const iv = yield* InsideViewSimulator.makeInsideView({ jobs: 5 })
      const ga = yield* GreenArrowSimulator.makeGreenArrow({ jobs: 5 })
      const ic = yield* IcwsSimulator.makeIcws({ jobs: 5 })
      const iva = { INSIDEVIEW_BASE_URL: iv.url }
      const gaa = { GREENARROW_BASE_URL: ga.url }
      const ica = { ICWS_BASE_URL: ic.url, ICWS_USER: "agent", ICWS_PASSWORD: "s3cret-pw" }
      const plainKey = GreenArrowSimulator.defaultKeys[0]!.apiKey
      /** [args, env, the whole stderr line after "jobstream: ", a secret that must not appear] */
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, Record<string, string>, string, string?]> = [
        [["list"], { ...iva, INSIDEVIEW_ACCESS_TOKEN: "" }, "configuration: INSIDEVIEW_ACCESS_TOKEN: must not be empty"],
        [
          ["list"],
          { ...iva, INSIDEVIEW_ACCESS_TOKEN: "   " },
          "configuration: INSIDEVIEW_ACCESS_TOKEN: must not be blank (only whitespace)"
        ],
        [
          ["list"],
          { ...iva, INSIDEVIEW_CLIENT_ID: "sim-client", INSIDEVIEW_CLIENT_SECRET: " \t" },
          "configuration: INSIDEVIEW_CLIENT_SECRET: must not be blank (only whitespace)"
        ],
        [
          ["list"],
          { ...iva, INSIDEVIEW_CLIENT_ID: "", INSIDEVIEW_CLIENT_SECRET: "sim-secret-value" },
          "configuration: INSIDEVIEW_CLIENT_ID: must not be empty",
          "sim-secret-value"
        ],
        [
          ["list"],
          { INSIDEVIEW_BASE_URL: "ftp://x", INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token" },
          `configuration: INSIDEVIEW_BASE_URL: uses the "ftp" scheme; only http and https are supported`
        ],
        [
          ["list"],
          { INSIDEVIEW_BASE_URL: "https://user:pw-in-url-123@api.example.com", INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token" },
          `configuration: INSIDEVIEW_BASE_URL: must not contain user info ("user:password@"); credentials have options of their own`,
          "pw-in-url-123"
        ],
        [
          ["list"],
          { INSIDEVIEW_BASE_URL: "https://api.example.com/?key=q-secret-789", INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token" },
          `configuration: INSIDEVIEW_BASE_URL: must not have a query ("?…"): "https://api.example.com/"`,
          "q-secret-789"
        ],
        [
          ["list"],
          { ...iva, INSIDEVIEW_AUTH_BASE_URL: "not a url", INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token" },
          `configuration: INSIDEVIEW_AUTH_BASE_URL: "not a url" is not an absolute http(s) URL such as "https://api.example.com"`
        ],
        [
          ["list"],
          { ...iva, INSIDEVIEW_ACCESS_TOKEN: "sim-fixed-token", INSIDEVIEW_FORMAT: "yaml" },
          `configuration: INSIDEVIEW_FORMAT: "yaml" is not one of "json", "xml"`
        ],
        [
          ["list", "--provider", "greenarrow"],
          { ...gaa, GREENARROW_API_KEY: plainKey },
          `configuration: GREENARROW_ORGANIZATION_ID: is needed: GREENARROW_API_KEY is a plain key (an encoded key would be base64 of "<organization id>:<key>")`,
          plainKey
        ],
        [
          ["list", "--provider", "greenarrow"],
          { ...gaa, GREENARROW_API_KEY: encodedKey(1, plainKey), GREENARROW_ORGANIZATION_ID: "7" },
          `configuration: GREENARROW_ORGANIZATION_ID: "7" differs from the organization 1 inside GREENARROW_API_KEY (an encoded key); unset it or fix it`,
          encodedKey(1, plainKey)
        ],
        [
          ["list", "--provider", "greenarrow"],
          { ...gaa, GREENARROW_API_KEY: plainKey, GREENARROW_ORGANIZATION_ID: "one" },
          `configuration: GREENARROW_ORGANIZATION_ID: "one" is not an organization id (a positive whole number)`
        ],
        [
          ["list", "--provider", "greenarrow"],
          { ...gaa, GREENARROW_API_KEY: "  ", GREENARROW_ORGANIZATION_ID: "1" },
          "configuration: GREENARROW_API_KEY: must not be blank (only whitespace)"
        ],
        [
          ["list", "--provider", "greenarrow"],
          { ...gaa, GREENARROW_API_KEY: plainKey, GREENARROW_ORGANIZATION_ID: "1", GREENARROW_PER_PAGE: "5000" },
          "configuration: GREENARROW_PER_PAGE: 5000 is above the maximum 2000"
        ],
        [
          ["list", "--provider", "greenarrow"],
          { ...gaa, GREENARROW_API_KEY: plainKey, GREENARROW_ORGANIZATION_ID: "1", GREENARROW_TIMEOUT: "0 seconds" },
          `configuration: GREENARROW_TIMEOUT: "0 seconds" must be more than zero`
        ],
        [
          ["list", "--provider", "greenarrow"],
          { ...gaa, GREENARROW_API_KEY: plainKey, GREENARROW_ORGANIZATION_ID: "1", GREENARROW_PAGINATION: "cursor" },
          `configuration: GREENARROW_PAGINATION: "cursor" is not one of "token", "pages"`
        ],
        [["list", "--provider", "icws"], { ...ica, ICWS_PASSWORD: "" }, "configuration: ICWS_PASSWORD: must not be empty"],
        [["list", "--provider", "icws"], { ...ica, ICWS_USER: " " }, "configuration: ICWS_USER: must not be blank (only whitespace)"],
        [
          ["list", "--provider", "icws"],
          { ...ica, ICWS_LANGUAGE: "en us" },
          `configuration: ICWS_LANGUAGE: "en us" is not a language tag such as "en-us"`
        ],
        [
          ["list", "--provider", "icws"],
          { ...ica, ICWS_BASE_URL: "cic1:8018" },
          `configuration: ICWS_BASE_URL: uses the "cic1" scheme; only http and https are supported`
        ],
        [
          ["list", "--icws-url", "https://agent:flag-pw-456@cic1:8019"],
          ica,
          `--icws-url: must not contain user info ("user:password@"); credentials have options of their own`,
          "flag-pw-456"
        ],
        [
          ["list", "--greenarrow-url", "https://studio.example.com/#x"],
          { GREENARROW_API_KEY: plainKey, GREENARROW_ORGANIZATION_ID: "1" },
          `--greenarrow-url: must not have a fragment ("#…"): "https://studio.example.com/"`
        ],
        [["list", "--retries", "-1"], ica, "--retries: -1 is below the minimum 0"],
        [["list", "--retries", "101"], ica, "--retries: 101 is above the maximum 100"],
        [["watch", "icws", "x", "--interval", "0"], ica, `--interval: expected a duration of at least 1s like 2s or 5m, got "0"`]
      ]
      for (const [args, env, line, secret] of cases) {
        const r = yield* jobstream(args, env)
        expect({ args, env, code: r.code }).toEqual({ args, env, code: 2 })
        expect(r.stderr).toBe(`jobstream: ${line}\n`)
        expect(r.stdout).toBe("")
        if (secret !== undefined) expect(r.stderr).not.toContain(secret)
      }
      expect([iv.requestCount, ga.requestCount, ic.requestCount]).toEqual([0, 0, 0])
    }).pipe(Effect.scoped))
})

describe("the JOBSTREAM_LOG_LEVEL logger masks secrets", () => {
  const logLine = (hidden: ReadonlyArray<string>, message: string, annotations: Record<string, unknown>) => {
    const written: Array<string> = []
    Cli.maskingLogger(hidden, (line) => void written.push(line)).log({
      fiberId: FiberId.none,
      logLevel: LogLevel.Debug,
      message,
      cause: Cause.empty,
      context: FiberRefs.empty(),
      spans: List.empty(),
      annotations: HashMap.fromIterable(Object.entries(annotations)),
      date: new Date(0)
    })
    return written.join("")
  }

  it("masks environment secrets and every shape that carries a server-issued credential", () => {
    const line = logLine(["env-secret-value"], "login with env-secret-value", {
      url: "http://h/icws/819734567/data-extractor/jobs?accessToken=tok123456&page=2",
      header: "Authorization: Basic MTo1ZTk2NDY1Yzg4M2Yz",
      body: `{"accessToken":"StVIpD4g=.eyJn","csrfToken":"abcDEF123","sessionId":"s-42"}`,
      xml: "<accessTokenDetails><accessToken>StVIpD4g=.eyJn</accessToken></accessTokenDetails>",
      csrf: "ININ-ICWS-CSRF-Token: abcDEF123",
      cookie: "Cookie: icws_819734567=f00dfeed"
    })
    for (const secret of ["env-secret-value", "819734567", "tok123456", "MTo1ZTk2NDY1Yzg4M2Yz", "StVIpD4g", "abcDEF123", "s-42", "f00dfeed"]) {
      expect(line).not.toContain(secret)
    }
    expect(line).toContain("/icws/<redacted>/data-extractor/jobs")
    expect(line).toContain("page=2")
  })

  it("leaves ordinary lines alone", () => {
    const line = logLine([], "ICWS session connected", { host: "http://127.0.0.1:8018", path: "/icws/connection" })
    expect(line).toContain(`message="ICWS session connected" host=http://127.0.0.1:8018 path=/icws/connection`)
    expect(Errors.redact("listed 12 jobs (insideview 12)", ["abcd"])).toBe("listed 12 jobs (insideview 12)")
  })
})
