/**
 * How jobs are printed: `table` (fixed-width columns, header once), `json`
 * (one JSON array, written element by element) and `ndjson` (one
 * `Job.toJson` per line). Each format is a small state machine fed chunk by
 * chunk, so output starts with the first page.
 *
 * @since 0.1.0
 * @module
 */
import { Job } from "@jobstream/core"

/**
 * Output formats of `list`.
 *
 * @since 0.1.0
 */
export const formats = ["table", "json", "ndjson"] as const
/**
 * One of the output {@link formats}.
 *
 * @since 0.1.0
 */
export type Format = (typeof formats)[number]

/**
 * Table columns: header, width.
 *
 * @since 0.1.0
 */
export const columns = [
  ["PROVIDER", 10],
  ["ID", 20],
  ["STATUS", 9],
  ["TYPE", 24],
  ["NAME", 32],
  ["CREATED", 20]
] as const

/**
 * Fits text into `width` characters: cut with "…" or padded with spaces.
 *
 * @since 0.1.0
 */
export const cell = (text: string, width: number): string => {
  const flat = text.replace(/\s+/g, " ")
  return flat.length > width ? `${flat.slice(0, width - 1)}…` : flat.padEnd(width)
}

/**
 * An instant as `2024-03-01T08:00:00Z` (seconds precision), or "-".
 *
 * @since 0.1.0
 */
export const instant = (date: Date | null): string => (date === null ? "-" : `${date.toISOString().slice(0, 19)}Z`)

const row = (values: ReadonlyArray<string>): string =>
  values.map((v, i) => (i === values.length - 1 ? v.replace(/\s+/g, " ") : cell(v, columns[i]![1]))).join("  ").trimEnd() +
  "\n"

/**
 * The table header line.
 *
 * @since 0.1.0
 */
export const header: string = row(columns.map(([h]) => h))

/**
 * One table row.
 *
 * @since 0.1.0
 */
export const tableRow = (job: Job.Job): string =>
  row([job.provider, job.id, job.status, job.type ?? "-", job.name ?? "-", instant(job.createdAt)])

/**
 * One NDJSON line.
 *
 * @since 0.1.0
 */
export const ndjsonLine = (job: Job.Job): string => `${JSON.stringify(Job.toJson(job))}\n`

/**
 * A streaming writer: `chunk` for each batch of jobs, `end` once at a normal end.
 *
 * @since 0.1.0
 */
export interface Writer {
  /** The text for the next batch of jobs (the first one also opens the output, e.g. with the table header). */
  readonly chunk: (jobs: ReadonlyArray<Job.Job>) => string
  /** Text that closes the output (the table header if nothing was printed, the closing `]`). */
  readonly end: () => string
}

/**
 * A writer for a format.
 *
 * @since 0.1.0
 */
export const writer = (format: Format): Writer => {
  let started = false
  switch (format) {
    case "table":
      return {
        chunk: (jobs) => {
          if (jobs.length === 0) return ""
          const body = jobs.map(tableRow).join("")
          if (started) return body
          started = true
          return header + body
        },
        end: () => (started ? "" : header)
      }
    case "ndjson":
      return { chunk: (jobs) => jobs.map(ndjsonLine).join(""), end: () => "" }
    case "json":
      return {
        chunk: (jobs) => {
          if (jobs.length === 0) return ""
          const body = jobs.map((job) => JSON.stringify(Job.toJson(job))).join(",\n")
          const prefix = started ? ",\n" : "[\n"
          started = true
          return prefix + body
        },
        end: () => (started ? "\n]\n" : "[]\n")
      }
  }
}

/**
 * A job as `field: value` lines (the `get` command's text form).
 *
 * @since 0.1.0
 */
export const details = (job: Job.Job): string => {
  const progress = job.progress === null
    ? "-"
    : job.progress.total === null
    ? `${job.progress.done}`
    : `${job.progress.done}/${job.progress.total}`
  const lines: Array<[string, string]> = [
    ["provider", job.provider],
    ["id", job.id],
    ["name", job.name ?? "-"],
    ["type", job.type ?? "-"],
    ["status", `${job.status} (${job.providerStatus})`],
    ["created", instant(job.createdAt)],
    ["started", instant(job.startedAt)],
    ["finished", instant(job.finishedAt)],
    ["progress", progress]
  ]
  return lines.map(([k, v]) => `${`${k}:`.padEnd(10)}${v}\n`).join("")
}
