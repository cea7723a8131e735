#!/usr/bin/env node
// `npx ecs-sim --port <p> [--tasks docker|scripted] …`: the simulator's CLI (main.ts), run from its
// TypeScript source in this one process (tsx's loader registered here), so signals reach it directly.
import { register } from 'tsx/esm/api'

register()
await import('../main.ts')
