/**
 * What a test needs to see what a program did, besides its result: collect a
 * stream, record every log line and every span, and search all of it (and
 * every rendering of an error) for secrets.
 *
 * ```ts
 * const logs = Capture.logs()
 * const spans = Capture.spans()
 * const ids = yield* Capture.collect(client.jobs()).pipe(Effect.provide(Layer.merge(logs.layer, spans.layer)))
 * expect(Capture.findLeaks(["my-token"], [...logs.texts(), ...spans.texts()])).toEqual([])
 * ```
 *
 * @since 0.2.0
 * @module
 */
import * as Cause from "effect/Cause"
import * as Chunk from "effect/Chunk"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import type * as Stream from "effect/Stream"
import * as StreamModule from "effect/Stream"
import * as internal from "./internal/spans.js"

/**
 * A text a secret could hide in, and where it was found.
 *
 * @since 0.2.0
 */
export interface Text {
  readonly where: string
  readonly text: string
}

/**
 * Collects a stream into an array.
 *
 * @since 0.2.0
 */
export const collect = <A, E, R>(stream: Stream.Stream<A, E, R>): Effect.Effect<ReadonlyArray<A>, E, R> =>
  Effect.map(StreamModule.runCollect(stream), Chunk.toReadonlyArray)

/**
 * One recorded log line.
 *
 * @since 0.2.0
 */
export interface LogRecord {
  readonly level: string
  /** The message (as text and as JSON), the logfmt line, every annotation and the cause. */
  readonly text: string
}

/**
 * A logger that records every line at every level: provide `layer`, then
 * read `records` (or `texts()` for `findLeaks`).
 *
 * @since 0.2.0
 */
export const logs = () => {
  const records: Array<LogRecord> = []
  const logger = Logger.make((options) => {
    const parts: Array<string> = [
      safeString(options.message),
      safeJson(options.message),
      Logger.logfmtLogger.log(options),
      safeJson(Object.fromEntries(options.annotations))
    ]
    for (const [key, value] of options.annotations) parts.push(`${key}=${safeString(value)}`)
    if (!Cause.isEmpty(options.cause)) parts.push(Cause.pretty(options.cause, { renderErrorCause: true }))
    records.push({ level: options.logLevel.label, text: parts.join("\n") })
  })
  const layer = Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.All))
  const texts = (): Array<Text> => records.map((r, i) => ({ where: `log #${i} (${r.level})`, text: r.text }))
  return {
    records,
    layer,
    /** Every record as text, each labelled with where it came from (for `findLeaks`). */
    texts
  }
}

/**
 * One recorded span.
 *
 * @since 0.2.0
 */
export type SpanRecord = internal.SpanRecord

/**
 * A tracer that records every span (name, attributes, events, exit): provide
 * `layer`, then read `spans`, `texts()` (names, attributes, events and
 * `Cause.pretty` of failed exits) or `exitJsonTexts()` (the errors spans
 * ended with, as JSON).
 *
 * @since 0.2.0
 */
export const spans = () => {
  const recorder = internal.recorder()
  const { spans } = recorder
  const texts = (): Array<Text> =>
    spans.flatMap((s) => [
      { where: `span name ${s.name}`, text: s.name },
      ...[...s.attributes].flatMap(([key, value]) => [
        { where: `span ${s.name} attribute ${key}`, text: `${key}=${safeString(value)}` },
        { where: `span ${s.name} attribute ${key} (json)`, text: safeJson(value) }
      ]),
      ...s.events.map((e) => ({ where: `span ${s.name} event ${e.name}`, text: `${e.name} ${safeJson(e.attributes)}` })),
      ...(s.exitPretty === undefined ? [] : [{ where: `span ${s.name} exit (Cause.pretty)`, text: s.exitPretty }])
    ])
  const exitJsonTexts = (): Array<Text> =>
    spans.flatMap((s) =>
      s.exit === undefined || s.exit._tag === "Success"
        ? []
        : [{ where: `span ${s.name} exit error (JSON)`, text: safeJson(Cause.squash(s.exit.cause)) }]
    )
  return {
    spans,
    tracer: recorder.tracer,
    layer: Layer.setTracer(recorder.tracer),
    /** Names, attributes, events and failed exits of every span, as labelled texts. */
    texts,
    /** The errors failed spans ended with, as JSON texts. */
    exitJsonTexts
  }
}

/**
 * `String(value)`, or a placeholder when that throws.
 *
 * @since 0.2.0
 */
export const safeString = (value: unknown): string => {
  try {
    return String(value)
  } catch {
    return "<unprintable>"
  }
}

/**
 * `JSON.stringify(value)`, or a placeholder when that throws.
 *
 * @since 0.2.0
 */
export const safeJson = (value: unknown): string => {
  try {
    return JSON.stringify(value) ?? "undefined"
  } catch {
    return "<unserializable>"
  }
}

/**
 * Every rendering of an error a program might print: its message, `String`,
 * JSON and `Cause.pretty`.
 *
 * @since 0.2.0
 */
export const errorTexts = (error: unknown): Array<Text> => [
  { where: "error.message", text: error instanceof Error ? error.message : safeString((error as { message?: unknown })?.message) },
  { where: "String(error)", text: safeString(error) },
  { where: "JSON.stringify(error)", text: safeJson(error) },
  { where: "Cause.pretty", text: Cause.pretty(Cause.fail(error), { renderErrorCause: true }) }
]

/**
 * Where any of `secrets` occurs in `texts`, one line per find (empty: no
 * leak). Secrets shorter than 4 characters are refused: they would match by
 * chance.
 *
 * @since 0.2.0
 */
export const findLeaks = (secrets: ReadonlyArray<string>, texts: ReadonlyArray<Text>): Array<string> => {
  const out: Array<string> = []
  for (const secret of secrets) {
    if (secret.length < 4) throw new Error(`secret too short to search for: ${secret}`)
    for (const { text, where } of texts) {
      const at = text.indexOf(secret)
      if (at >= 0) out.push(`${JSON.stringify(secret)} in ${where}: ${text.slice(Math.max(0, at - 400), at + 100)}`)
    }
  }
  return out
}

/**
 * What {@link audit} saw.
 *
 * @since 0.2.0
 */
export interface Audit<A> {
  readonly result: A
  /** The errors the scenario kept (see {@link keep}). */
  readonly errors: ReadonlyArray<unknown>
  readonly logs: ReturnType<typeof logs>
  readonly spans: ReturnType<typeof spans>
  /** Every text a secret could leak into: the errors (four renderings), log lines, spans and their exits. */
  readonly texts: () => Array<Text>
}

/**
 * Runs a scenario under {@link logs} and {@link spans}; the scenario pushes
 * the errors it wants audited into the array it is given.
 *
 * @since 0.2.0
 */
export const audit = <A, R>(scenario: (errors: Array<unknown>) => Effect.Effect<A, never, R>): Effect.Effect<Audit<A>, never, R> =>
  Effect.gen(function*() {
    const logged = logs()
    const traced = spans()
    const errors: Array<unknown> = []
    const result = yield* scenario(errors).pipe(Effect.provide(Layer.merge(logged.layer, traced.layer)))
    const texts = () => [...errors.flatMap(errorTexts), ...logged.texts(), ...traced.texts(), ...traced.exitJsonTexts()]
    return { result, errors, logs: logged, spans: traced, texts }
  })

/**
 * Runs an effect, keeping its error in `errors` instead of failing; returns
 * the error, or undefined on success.
 *
 * @since 0.2.0
 */
export const keep = <A, E, R>(errors: Array<unknown>, effect: Effect.Effect<A, E, R>): Effect.Effect<E | undefined, never, R> =>
  Effect.catchAll(Effect.as(effect, undefined), (error) =>
    Effect.sync(() => {
      errors.push(error)
      return error
    }))
