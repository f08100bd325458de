/**
 * `jobstream usage`: the account's API usage and credits over a period, for
 * the providers whose API reports them (InsideView's
 * `GET /api/v1/admin/usage`).
 */
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as FetchHttpClient from "@effect/platform/FetchHttpClient"
import type { Provider } from "@jobstream/core"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { oneLine, UsageError } from "../Errors.js"
import * as Providers from "../Providers.js"
import { able, choiceOption, connection, providerArg, settingsOf } from "./flags.js"
import { out } from "./print.js"

const periods = ["day", "month", "year"] as const
const shapes = { day: 10, month: 7, year: 4 } as const

/**
 * The period asked for: `--period` (default month), `--start` and `--end`
 * (default: the current day, month or year, UTC; `--end` defaults to
 * `--start`). The client checks the dates' format and order.
 */
export const periodOf = (
  period: Provider.UsagePeriod["period"],
  start: Option.Option<string>,
  end: Option.Option<string>,
  now: Date = new Date()
): Provider.UsagePeriod => {
  const current = now.toISOString().slice(0, shapes[period])
  const first = Option.getOrElse(start, () => current)
  return { period, start: first, end: Option.getOrElse(end, () => first) }
}

/** The report as text: one line per API and date, then the credits. */
export const usageText = (usage: Provider.Usage): string => {
  const lines = [
    `${usage.provider}${usage.account === undefined ? "" : ` account ${oneLine(usage.account)}`}: ` +
    `${usage.period.period} ${usage.period.start}..${usage.period.end}`
  ]
  if (usage.transactions.length === 0) lines.push("  no requests counted")
  const width = Math.max(0, ...usage.transactions.map((t) => oneLine(t.api).length))
  for (const t of usage.transactions) {
    lines.push(`  ${oneLine(t.api).padEnd(width)}  ${t.date === undefined ? "" : `${oneLine(t.date)}  `}${t.count}`)
  }
  const c = usage.credits
  if (c !== undefined) {
    const part = (name: string, n: number | undefined) => (n === undefined ? [] : [`${name} ${n}`])
    lines.push(`  credits: ${[...part("allocated", c.allocated), ...part("consumed", c.consumed), ...part("remaining", c.remaining)].join(", ")}`)
  }
  return `${lines.join("\n")}\n`
}

/** The command. */
export const usage = Command.make(
  "usage",
  {
    ...connection,
    period: choiceOption("period", periods).pipe(
      Options.withDescription("day, month (default) or year"),
      Options.withDefault("month" as const)
    ),
    start: Options.text("start").pipe(
      Options.withDescription("First day/month/year: YYYY-MM-DD, YYYY-MM or YYYY (default: the current one, UTC)"),
      Options.optional
    ),
    end: Options.text("end").pipe(Options.withDescription("Last day/month/year (default: --start)"), Options.optional),
    format: choiceOption("format", ["text", "json"] as const).pipe(
      Options.withDescription("text (default) or json (the report with the API's own answer under raw)"),
      Options.withDefault("text" as const)
    ),
    provider: providerArg(able("usage"), " (the providers whose API reports usage)", "reported in a usage report")
  },
  (args) =>
    Effect.gen(function*() {
      const settings = yield* settingsOf(args)
      const provider = yield* Providers.requireConfigured(args.provider, settings)
      const handle = yield* Providers.open(provider, settings)
      if (handle.usage === undefined) {
        return yield* new UsageError({ message: `${provider.name} does not report usage` })
      }
      const report = yield* handle.usage(periodOf(args.period, args.start, args.end))
      yield* out(args.format === "json" ? `${JSON.stringify(report, null, 2)}\n` : usageText(report))
    }).pipe(Effect.scoped, Effect.provide(FetchHttpClient.layer))
).pipe(Command.withDescription(`Show the account's API usage and credits over a period (${able("usage").join(", ")})`))
