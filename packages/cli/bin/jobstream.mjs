#!/usr/bin/env node
// The `jobstream` executable: runs the built CLI (build first with `pnpm build`).
import "../dist/bin.js"
