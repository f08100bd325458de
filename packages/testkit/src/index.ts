/**
 * @jobstream/testkit — simulators of the InsideView, GreenArrow and ICWS APIs
 * (real HTTP servers on 127.0.0.1 with latency and faults), each paired with
 * its provider's descriptor (`Registry`), and the helpers tests need to see
 * what a program did (`Capture`).
 *
 * @since 0.1.0
 * @module @jobstream/testkit
 */
export * as Server from "./Server.js"
export * as Faults from "./Faults.js"
export * as Seed from "./Seed.js"
export * as GenericSimulator from "./GenericSimulator.js"
export * as InsideViewSimulator from "./InsideViewSimulator.js"
export * as GreenArrowSimulator from "./GreenArrowSimulator.js"
export * as IcwsSimulator from "./IcwsSimulator.js"
export * as SimulatorEnv from "./SimulatorEnv.js"
export * as Mutations from "./Mutations.js"
export * as Tls from "./Tls.js"
export * as Hostile from "./Hostile.js"
export * as Capture from "./Capture.js"
export * as Harness from "./Harness.js"
export * as InsideViewHarness from "./InsideViewHarness.js"
export * as GreenArrowHarness from "./GreenArrowHarness.js"
export * as IcwsHarness from "./IcwsHarness.js"
export * as Registry from "./Registry.js"
export * as Arbitraries from "./Arbitraries.js"
