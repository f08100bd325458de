/**
 * The GreenArrow simulator's data: the accepted keys and the seeded jobs,
 * with timestamps written in each organization's zone. Internal to
 * `GreenArrowSimulator`.
 */
import type { GreenArrowSimJob, GreenArrowSimKey } from "../../GreenArrowSimulator.js"
import * as Seed from "../../Seed.js"

/**
 * Default keys: an organization admin for orgs 1 and 2, and a system admin (org 1).
 *
 * @since 0.1.0
 */
export const defaultKeys: ReadonlyArray<GreenArrowSimKey> = [
  { organizationId: 1, apiKey: "5e96465c883f3309f0105a2e1076632b687e61d2", role: "organization_admin" },
  { organizationId: 2, apiKey: "0b1f3c9e2d4a5b6c7d8e9f00112233445566aabb", role: "organization_admin" },
  { organizationId: 1, apiKey: "sysadmin-6dcd4ce23d88e2ee9568ba546c007c63", role: "system_admin" }
]

export const finishedStates: ReadonlySet<string> = new Set(["finished", "failed", "cancelled"])

const campaignStates = ["idle", "scheduled", "sending", "sending", "paused", "finished", "finished", "failed", "cancelled"]
const importStates = ["scheduled", "downloading", "splitting", "importing", "paused", "finished", "finished", "failed", "cancelled"]
const campaignNames = ["Daily Weather", "Weekly Digest", "Spring Sale", "Product Launch", "Re-engagement", "Newsletter"]

/** Base instant of the dataset. */
const epoch = Date.UTC(2024, 2, 1, 8, 0, 0)

/**
 * Formats an instant in a zone offset (minutes), without milliseconds.
 *
 * @since 0.1.0
 */
export const formatTime = (ms: number, offsetMinutes: number): string => {
  if (offsetMinutes === 0) return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z")
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, 19)
  const sign = offsetMinutes < 0 ? "-" : "+"
  const abs = Math.abs(offsetMinutes)
  return `${local}${sign}${String(Math.floor(abs / 60)).padStart(2, "0")}:${String(abs % 60).padStart(2, "0")}`
}

/**
 * The deterministic seeded dataset.
 *
 * @since 0.1.0
 */
export const greenArrowJobs = (
  count: number,
  seed: number,
  organizations: ReadonlyArray<number> = [1, 2, 3],
  timezones: Readonly<Record<number, number>> = { 2: -240 }
): ReadonlyArray<GreenArrowSimJob> =>
  Seed.dataset(count, seed, (i, r) => {
    const org = Seed.pick(r, organizations)
    const tz = timezones[org] ?? 0
    const campaign = r() < 0.5
    const state = Seed.pick(r, campaign ? campaignStates : importStates)
    const created = epoch + i * 3_600_000 + Seed.int(r, 0, 59) * 60_000
    const begins = created + Seed.int(r, 1, 120) * 60_000
    const started = state === "idle" || state === "scheduled" ? null : begins + Seed.int(r, 0, 300) * 1000
    const finished = finishedStates.has(state) && started !== null ? started + Seed.int(r, 60, 7200) * 1000 : null
    const total = state === "scheduled" || state === "idle" ? null : Seed.int(r, 50, 20_000)
    const value = total === null ? 0 : finished !== null && state === "finished" ? total : Seed.int(r, 0, total)
    // A few scheduled jobs are individually paused: `paused: true` with another state word.
    const paused = state === "paused" || (state === "scheduled" && r() < 0.3)
    return {
      id: 1000 + i * 3,
      mailing_list_id: Seed.int(r, 10, 99),
      organization_id: org,
      suppression_list_id: r() < 0.5 ? null : Seed.int(r, 100, 199),
      state,
      state2: campaign && state === "sending" && r() < 0.4 ? "onhold_autowinner" : null,
      paused,
      name: campaign ? `${Seed.pick(r, campaignNames)} #${i + 1}` : `${Seed.int(r, 10, 5000)}-subscribers-${i + 1}.csv`,
      progress_value: value,
      progress_total: total,
      job_type: campaign ? "Campaign" : "SubscriberImport",
      begins_at: formatTime(begins, tz),
      started_at: started === null ? null : formatTime(started, tz),
      finished_at: finished === null ? null : formatTime(finished, tz),
      created_at: formatTime(created, tz),
      retry_at: state === "failed" && r() < 0.3 ? formatTime((finished ?? begins) + 600_000, tz) : null,
      updated_at: formatTime(finished ?? started ?? created + 30_000, tz)
    }
  })
