/**
 * The InsideView simulator's `GET /api/v1/admin/usage`: the documented
 * fields, from a ledger of the requests the simulator answered (one
 * transaction per answered list or usage request, under the API's path and
 * the UTC day) plus rows given in the options, and credits from the options
 * (allocated) and the jobs of the period (consumed). Internal to
 * `InsideViewSimulator`.
 */
import type { InsideViewJob, UsageOptions } from "../../InsideViewSimulator.js"
import { json, xml } from "../../Server.js"
import type { SimResponse } from "../../Server.js"
import { isoDay } from "./data.js"
import { escapeXml, xmlProlog } from "./wire.js"

/** One ledger row. */
export interface UsageRow {
  readonly api: string
  readonly transactions: number
  readonly date: string
}

const formats: Record<string, RegExp> = { day: /^\d{4}-\d{2}-\d{2}$/, month: /^\d{4}-\d{2}$/, year: /^\d{4}$/ }

/** The usage ledger and endpoint. */
export const ledger = (options: UsageOptions | undefined) => {
  const counts = new Map<string, number>()
  for (const row of options?.rows ?? []) counts.set(`${row.api}\n${row.date}`, row.transactions)

  const count = (api: string, now: number) => {
    const key = `${api}\n${isoDay(now)}`
    counts.set(key, (counts.get(key) ?? 0) + 1)
  }

  const rows = (): ReadonlyArray<UsageRow> =>
    [...counts].map(([key, transactions]) => {
      const [api, date] = key.split("\n") as [string, string]
      return { api, transactions, date }
    })

  /** The answer to a usage request; undefined when its parameters are not acceptable (→ 400). */
  const answer = (
    query: URLSearchParams,
    asJson: boolean,
    jobs: ReadonlyArray<InsideViewJob>
  ): SimResponse | undefined => {
    const period = query.get("period")
    const start = query.get("start")
    const end = query.get("end")
    if (period === null || start === null || end === null) return undefined
    const format = formats[period]
    if (format === undefined || !format.test(start) || !format.test(end) || start > end) return undefined
    const within = (date: string) => {
      const at = date.slice(0, start.length)
      return at >= start && at <= end
    }
    const usage = rows().filter((r) => within(r.date)).sort((a, b) => (a.date + a.api).localeCompare(b.date + b.api))
    const consumed = jobs.reduce((sum, job) => (within(job.createdDate) ? sum + (job.creditsConsumed ?? 0) : sum), 0)
    const body = {
      accountId: options?.accountId ?? "sim-account",
      period,
      start,
      end,
      usageForAccount: usage,
      creditsForAccount: [{ allocatedCredits: options?.allocatedCredits ?? 1_000_000, consumedCredits: consumed }],
      bulkJobReferenceUrl: "https://api.insideview.com/api/v1/admin/jobs"
    }
    if (asJson) return json(200, body)
    const el = (name: string, value: string | number) => `<${name}>${escapeXml(String(value))}</${name}>`
    return xml(
      200,
      `${xmlProlog}<apiUsage>${el("accountId", body.accountId)}${el("period", period)}${el("start", start)}${el("end", end)}` +
        usage.map((r) => `<usageForAccount>${el("api", r.api)}${el("transactions", r.transactions)}${el("date", r.date)}</usageForAccount>`).join("") +
        body.creditsForAccount.map((c) =>
          `<creditsForAccount>${el("allocatedCredits", c.allocatedCredits)}${el("consumedCredits", c.consumedCredits)}</creditsForAccount>`
        ).join("") +
        `${el("bulkJobReferenceUrl", body.bulkJobReferenceUrl)}</apiUsage>`
    )
  }

  return { count, rows, answer }
}
