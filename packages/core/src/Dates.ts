/**
 * Strict date parsing, shared by every provider for filters and for dates in
 * server data.
 *
 * JavaScript's `Date.parse` rolls impossible dates over (`2014-02-30`
 * becomes March 2nd) and reads a zone-less date-time in the machine's local
 * zone. Everything here refuses impossible dates and times instead (a day
 * the month does not have, month 13, hour 24, minute 60, second 60), and
 * says which forms it takes.
 *
 * @since 0.1.0
 * @module
 */
import * as Either from "effect/Either"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"

/**
 * Whether a year is a leap year in the proleptic Gregorian calendar.
 *
 * @since 0.2.0
 */
export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

/**
 * The number of days of a month (1..12) in a year.
 *
 * @since 0.2.0
 */
export const daysInMonth = (year: number, month: number): number =>
  month === 2 ? (isLeapYear(year) ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31

const monthNames = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December"
] as const

/**
 * Why a calendar date does not exist, or undefined when it does:
 * "month 13 does not exist", "February 2014 has 28 days".
 *
 * @since 0.2.0
 */
export const calendarProblem = (year: number, month: number, day: number): string | undefined => {
  if (month < 1 || month > 12) return `month ${month} does not exist`
  const days = daysInMonth(year, month)
  if (day < 1 || day > days) return `${monthNames[month - 1]} ${year} has ${days} days`
  return undefined
}

/**
 * Why a time of day does not exist, or undefined: hours 0..23, minutes and seconds 0..59.
 *
 * @since 0.2.0
 */
export const timeProblem = (hour: number, minute: number, second: number): string | undefined => {
  if (hour > 23) return `hour ${hour} is outside 0..23`
  if (minute > 59) return `minute ${minute} is outside 0..59`
  if (second > 59) return `second ${second} is outside 0..59`
  return undefined
}

const calendarDate = /^(\d{4})-(\d{2})-(\d{2})$/

/**
 * Parses `YYYY-MM-DD` as midnight UTC of that day. The left side says why
 * the text is not such a date.
 *
 * @since 0.2.0
 */
export const checkCalendarDate = (text: string): Either.Either<Date, string> => {
  const m = calendarDate.exec(text)
  if (m === null) return Either.left("is not a date written YYYY-MM-DD")
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])]
  const problem = calendarProblem(year, month, day)
  return problem === undefined
    ? Either.right(new Date(Date.UTC(year, month - 1, day)))
    : Either.left(`is not a real date (${problem})`)
}

/**
 * How an ISO 8601 date-time without a zone is read.
 *
 * @since 0.2.0
 */
export type ZoneRule =
  /** A zone (`Z` or an offset such as `-04:00` / `+0200`) is required. */
  | "required"
  /** A zone-less value is read as UTC. */
  | "utc-if-absent"

/**
 * What {@link checkIsoDateTime} accepts.
 *
 * @since 0.2.0
 */
export interface IsoOptions {
  readonly zone: ZoneRule
  /** Also accept a bare `YYYY-MM-DD`, read as midnight UTC. Default false. */
  readonly dateOnly?: boolean
}

const isoDateTime =
  /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/

/**
 * The form {@link checkIsoDateTime} takes, in words, for messages.
 *
 * @since 0.2.0
 */
export const describeIsoForm = (options: IsoOptions): string =>
  `an ISO 8601 date-time${options.zone === "required" ? " with a zone" : ""} such as ` +
  `"2024-05-01T13:37:00Z"${options.zone === "required" ? ` or "2024-05-01T09:37:00-04:00"` : ""}` +
  (options.dateOnly === true ? `, or a date "2024-05-01"` : "")

/**
 * Parses an ISO 8601 date-time (`YYYY-MM-DDThh:mm[:ss[.fff]]` and a zone `Z`,
 * `±hh:mm`, `±hhmm` or `±hh`), refusing impossible dates, times and offsets.
 * The left side says why the text is refused, without quoting it.
 *
 * @since 0.2.0
 */
export const checkIsoDateTime = (text: string, options: IsoOptions): Either.Either<Date, string> => {
  const trimmed = text.trim()
  if (options.dateOnly === true && calendarDate.test(trimmed)) return checkCalendarDate(trimmed)
  const m = isoDateTime.exec(trimmed)
  if (m === null) return Either.left(`is not ${describeIsoForm(options)}`)
  const [year, month, day, hour, minute] = [m[1], m[2], m[3], m[4], m[5]].map(Number) as [
    number,
    number,
    number,
    number,
    number
  ]
  const second = m[6] === undefined ? 0 : Number(m[6])
  const calendar = calendarProblem(year, month, day)
  if (calendar !== undefined) return Either.left(`is not a real date (${calendar})`)
  const time = timeProblem(hour, minute, second)
  if (time !== undefined) return Either.left(`is not a real time (${time})`)
  const zone = m[8]
  let offsetMinutes = 0
  if (zone === undefined) {
    if (options.zone === "required") {
      return Either.left("has no zone (add Z for UTC, or an offset such as -04:00): the server would read it in a zone of its own")
    }
  } else if (zone !== "Z" && zone !== "z") {
    const sign = zone.startsWith("-") ? -1 : 1
    const digits = zone.slice(1).replace(":", "")
    const hours = Number(digits.slice(0, 2))
    const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
    if (hours > 23 || minutes > 59) return Either.left(`has an impossible offset ${zone}`)
    offsetMinutes = sign * (hours * 60 + minutes)
  }
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000)
  const utc = Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000
  return Either.right(new Date(utc))
}

/**
 * {@link checkIsoDateTime} as a number: the instant in epoch milliseconds, or
 * `NaN` when the text is refused. It builds no `Date`, no `Either` and no
 * message, for decoders that check many values and only need the reason of a
 * refusal (then they ask {@link checkIsoDateTime}). Property tests hold the
 * two to the same answers.
 *
 * @since 0.2.0
 */
export const isoMillis = (text: string, options: IsoOptions): number => {
  const trimmed = text.trim()
  if (options.dateOnly === true && trimmed.length === 10) {
    const d = calendarDate.exec(trimmed)
    if (d !== null) {
      const year = Number(d[1])
      const month = Number(d[2])
      const day = Number(d[3])
      return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
        ? Date.UTC(year, month - 1, day)
        : Number.NaN
    }
  }
  const m = isoDateTime.exec(trimmed)
  if (m === null) return Number.NaN
  const year = Number(m[1])
  const month = Number(m[2])
  const day = Number(m[3])
  const hour = Number(m[4])
  const minute = Number(m[5])
  const second = m[6] === undefined ? 0 : Number(m[6])
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return Number.NaN
  if (hour > 23 || minute > 59 || second > 59) return Number.NaN
  const zone = m[8]
  let offsetMinutes = 0
  if (zone === undefined) {
    if (options.zone === "required") return Number.NaN
  } else if (zone !== "Z" && zone !== "z") {
    const digits = zone.length === 6 ? zone.slice(1, 3) + zone.slice(4) : zone.slice(1)
    const hours = Number(digits.slice(0, 2))
    const minutes = digits.length > 2 ? Number(digits.slice(2, 4)) : 0
    if (hours > 23 || minutes > 59) return Number.NaN
    offsetMinutes = (zone.charCodeAt(0) === 45 ? -1 : 1) * (hours * 60 + minutes)
  }
  const millis = m[7] === undefined ? 0 : Math.floor(Number(`0.${m[7]}`) * 1000)
  return Date.UTC(year, month - 1, day, hour, minute, second, millis) - offsetMinutes * 60_000
}

/**
 * {@link checkIsoDateTime} without the reason: the instant, or undefined.
 *
 * @since 0.2.0
 */
export const parseIsoDateTime = (text: string, options: IsoOptions): Date | undefined => {
  const millis = isoMillis(text, options)
  return Number.isNaN(millis) ? undefined : new Date(millis)
}

/**
 * The largest UNIX time accepted in seconds: 9999-12-31T23:59:59Z.
 *
 * @since 0.2.0
 */
export const maxUnixSeconds = 253_402_300_799

/**
 * Reads UNIX seconds (a number, or a string of digits): a whole number from 0
 * to {@link maxUnixSeconds}. A value beyond that is most likely milliseconds,
 * and the message says so.
 *
 * @since 0.2.0
 */
export const checkUnixSeconds = (value: number | string): Either.Either<Date, string> => {
  const n = typeof value === "number" ? value : /^\s*\d+\s*$/.test(value) ? Number(value) : Number.NaN
  if (!Number.isFinite(n)) return Either.left("is not a UNIX time in whole seconds")
  if (!Number.isInteger(n)) return Either.left("is not a whole number of seconds")
  if (n < 0) return Either.left("is before 1970-01-01T00:00:00Z")
  if (n > maxUnixSeconds) return Either.left("is after the year 9999 as seconds since 1970 (is it in milliseconds?)")
  return Either.right(new Date(n * 1000))
}

/**
 * A string holding a real calendar date or ISO 8601 date-time; decodes to
 * itself (the type stays `string`), so a record keeps the server's text while
 * an impossible date still fails decoding.
 *
 * @since 0.2.0
 */
export const DateText = (options: IsoOptions): Schema.Schema<string> =>
  Schema.String.pipe(
    Schema.filter((text) => {
      if (!Number.isNaN(isoMillis(text, options))) return true
      const checked = checkIsoDateTime(text, options)
      return Either.isRight(checked) ? true : `${JSON.stringify(shorten(text))} ${checked.left}`
    }, {
      identifier: "DateText",
      // Random strings are almost never dates: generate real ones (for property tests).
      arbitrary: () => (fc) =>
        fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(2099, 11, 31)), noInvalidDate: true }).map(
          (d) => options.dateOnly === true ? d.toISOString().slice(0, 10) : d.toISOString()
        )
    })
  )

/**
 * An ISO 8601 string decoded to a `Date` (strictly); encodes as UTC ISO with milliseconds.
 *
 * @since 0.2.0
 */
export const DateFromIso = (options: IsoOptions): Schema.Schema<Date, string> =>
  Schema.transformOrFail(Schema.String, Schema.DateFromSelf, {
    strict: true,
    decode: (text, _, ast) => {
      const millis = isoMillis(text, options)
      if (!Number.isNaN(millis)) return ParseResult.succeed(new Date(millis))
      return Either.match(checkIsoDateTime(text, options), {
        onLeft: (why) =>
          ParseResult.fail(
            new ParseResult.Type(ast, text, `${JSON.stringify(shorten(text))} ${why}`)
          ),
        onRight: (date) => ParseResult.succeed(date)
      })
    },
    encode: (date, _, ast) =>
      Number.isNaN(date.getTime())
        ? ParseResult.fail(new ParseResult.Type(ast, date, "invalid Date"))
        : ParseResult.succeed(date.toISOString())
  })

const shorten = (text: string): string => (text.length <= 40 ? text : `${text.slice(0, 40)}…`)
