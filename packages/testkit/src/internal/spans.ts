/**
 * A tracer that keeps every span it is given, for `Capture.spans`.
 */
import * as Cause from "effect/Cause"
import type * as Context from "effect/Context"
import type * as Exit from "effect/Exit"
import * as Option from "effect/Option"
import * as Tracer from "effect/Tracer"

/** One recorded span. */
export interface SpanRecord {
  readonly name: string
  /** Every attribute, the initial ones and those added later. */
  readonly attributes: Map<string, unknown>
  readonly events: Array<{ readonly name: string; readonly attributes: Record<string, unknown> | undefined }>
  /** The exit, as the tracer received it. */
  exit: Exit.Exit<unknown, unknown> | undefined
  /** The exit as `Cause.pretty` renders it (what OpenTelemetry-style tracers record). */
  exitPretty: string | undefined
}

/** The tracer and what it recorded. */
export const recorder = () => {
  const spans: Array<SpanRecord> = []
  let counter = 0
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      const record: SpanRecord = { name, attributes: new Map(), events: [], exit: undefined, exitPretty: undefined }
      spans.push(record)
      counter++
      const spanId = `span${counter}`
      const traceId = Option.match(parent, { onNone: () => `trace${counter}`, onSome: (p) => p.traceId })
      let status: Tracer.SpanStatus = { _tag: "Started", startTime }
      const allLinks: Array<Tracer.SpanLink> = [...links]
      for (const [key, value] of Object.entries(options?.attributes ?? {})) record.attributes.set(key, value)
      const span: Tracer.Span = {
        _tag: "Span",
        name,
        spanId,
        traceId,
        parent,
        context: context as Context.Context<never>,
        get status() {
          return status
        },
        attributes: record.attributes,
        links: allLinks,
        sampled: true,
        kind,
        end(endTime, exit) {
          status = { _tag: "Ended", startTime, endTime, exit }
          record.exit = exit
          record.exitPretty = exit._tag === "Success" ? "success" : Cause.pretty(exit.cause, { renderErrorCause: true })
        },
        attribute(key, value) {
          record.attributes.set(key, value)
        },
        event(eventName, _time, attributes) {
          record.events.push({ name: eventName, attributes })
        },
        addLinks(more) {
          allLinks.push(...more)
        }
      }
      return span
    },
    context: (f) => f()
  })
  return { spans, tracer }
}
