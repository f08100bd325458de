#!/usr/bin/env node
/**
 * The `jobstream` executable.
 *
 * A closed stdout (`jobstream list | head`) is not an error: the program is
 * interrupted — so its finalizers run and the ICWS session is logged out —
 * and exits 0 without writing anything more. SIGINT/SIGTERM interrupt it the
 * same way and exit 130 (see `Cli.runMain`).
 *
 * @since 0.1.0
 */
import * as Cli from "./Cli.js"

Cli.runMain(Cli.run(process.argv))
