/**
 * scripts/test-env.sh's Debian package steps on a busy machine, with a fake `apt-get` and `id` on PATH
 * (nothing is installed): it waits for a held apt/dpkg lock (bounded, one line), keeps apt's output in
 * a log, prints one line a step and the log's end on failure, and records that `apt-get update` ran.
 */
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../scripts/test-env.sh')

/** The lock test needs what a Linux machine has: /proc/locks and util-linux's flock. */
const canHoldLocks =
  fs.existsSync('/proc/locks') && spawnSync('flock', ['--version'], { stdio: 'ignore' }).status === 0

let dir: string
let holder: ChildProcess | undefined

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'test-env-apt-'))
  const bin = path.join(dir, 'bin')
  fs.mkdirSync(bin)
  fs.mkdirSync(path.join(dir, 'lists'))
  // root, as on CI
  fs.writeFileSync(path.join(bin, 'id'), '#!/bin/sh\necho 0\n', { mode: 0o755 })
  // records each call; prints a few lines as apt does; fails a verb when FAKE_APT_FAIL names it
  fs.writeFileSync(
    path.join(bin, 'apt-get'),
    [
      '#!/bin/sh',
      'echo "$*" >>"$FAKE_APT_CALLS"',
      'echo "Reading package lists..."',
      'echo "apt-get $1 output line"',
      'case " $FAKE_APT_FAIL " in *" $1 "*) echo "E: $1 went wrong"; exit 100 ;; esac',
      '[ "$1" = update ] && touch "$FAKE_APT_LISTS/deb.example_main_binary-amd64_Packages"',
      'exit 0',
      ''
    ].join('\n'),
    { mode: 0o755 }
  )
})

/** Ends flock and the sleep it runs (their own process group), which releases the lock. */
function release(): void {
  if (holder?.pid && holder.exitCode === null && holder.signalCode === null) {
    try {
      process.kill(-holder.pid, 'SIGKILL')
    } catch {
      // already gone
    }
  }
  holder = undefined
}

afterEach(() => {
  release()
  fs.rmSync(dir, { recursive: true, force: true })
})

interface Run {
  status: number | null
  stderr: string
  calls: string[]
  log: string
}

function install(packages: string[], env: Record<string, string> = {}): Promise<Run> {
  const calls = path.join(dir, 'calls')
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, 'install', ...packages], {
      env: {
        ...process.env,
        PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`,
        ECS_DEPLOY_APT_DIR: path.join(dir, 'apt'),
        ECS_DEPLOY_APT_LISTS: path.join(dir, 'lists'),
        ECS_DEPLOY_APT_LOCKS: path.join(dir, 'lock'),
        ECS_DEPLOY_ENV_DIR: path.join(dir, 'env'),
        FAKE_APT_CALLS: calls,
        FAKE_APT_LISTS: path.join(dir, 'lists'),
        ...env
      },
      stdio: ['ignore', 'ignore', 'pipe']
    })
    let stderr = ''
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()))
    child.on('error', reject)
    child.on('close', status => {
      const read = (f: string) => (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '')
      resolve({
        status,
        stderr,
        calls: read(calls).split('\n').filter(Boolean),
        log: read(path.join(dir, 'apt', 'apt.log'))
      })
    })
  })
}

/** Holds a lock on dir/lock (as another apt would) until the test ends or release() is called. */
async function holdLock(): Promise<{ pid: number }> {
  const lock = path.join(dir, 'lock')
  fs.writeFileSync(lock, '')
  holder = spawn('flock', [lock, 'sleep', '60'], { stdio: 'ignore', detached: true })
  const ino = fs.statSync(lock).ino
  for (let i = 0; i < 100; i++) {
    if (fs.readFileSync('/proc/locks', 'utf8').includes(`:${ino} `)) return { pid: holder.pid! }
    await new Promise(r => setTimeout(r, 20))
  }
  throw new Error('flock did not take the lock')
}

const steps = (stderr: string) => stderr.split('\n').filter(l => l.startsWith('test-env: '))

describe('scripts/test-env.sh install', () => {
  test('updates once, installs, one line a step, apt output only in the log', async () => {
    const first = await install(['busybox-static', 'skopeo'])
    expect(first.status).toBe(0)
    const log = path.join(dir, 'apt', 'apt.log')
    expect(steps(first.stderr)).toEqual([
      `test-env: apt-get update (log: ${log})`,
      `test-env: installing busybox-static skopeo (log: ${log})`
    ])
    expect(first.stderr).not.toContain('Reading package lists')
    expect(first.calls).toEqual([
      'update -q -o DPkg::Lock::Timeout=120 -o Dpkg::Use-Pty=0',
      'install -y -q --no-install-recommends busybox-static skopeo -o DPkg::Lock::Timeout=120 -o Dpkg::Use-Pty=0'
    ])
    expect(first.log).toContain('apt-get install output line')
    expect(fs.existsSync(path.join(dir, 'apt', 'apt-updated'))).toBe(true)

    // The update is recorded outside the state dir: a second install (after `down`) does not repeat it.
    const second = await install(['curl'])
    expect(second.status).toBe(0)
    expect(second.calls.slice(2)).toEqual([
      'install -y -q --no-install-recommends curl -o DPkg::Lock::Timeout=120 -o Dpkg::Use-Pty=0'
    ])
  })

  test('an update older than the age limit runs again', async () => {
    await install(['curl'])
    const stamp = path.join(dir, 'apt', 'apt-updated')
    const old = new Date(Date.now() - 7 * 3600_000)
    fs.utimesSync(stamp, old, old)
    const again = await install(['curl'])
    expect(again.calls.slice(2).map(c => c.split(' ')[0])).toEqual(['update', 'install'])
    expect(fs.statSync(stamp).mtimeMs).toBeGreaterThan(old.getTime() + 3600_000)
  })

  test('a failed install with recent lists updates and tries once more, then shows the end of its output', async () => {
    await install(['curl'])
    const failed = await install(['no-such-package'], { FAKE_APT_FAIL: 'install' })
    expect(failed.status).toBe(1)
    expect(failed.calls.slice(2).map(c => c.split(' ')[0])).toEqual(['install', 'update', 'install'])
    const lines = steps(failed.stderr)
    expect(lines.at(-1)).toMatch(
      /^test-env: installing no-such-package \(after apt-get update\) failed \(exit 100\); the end of its output in /
    )
    // The end of this step's output, indented; not the earlier steps'.
    const tail = failed.stderr.slice(failed.stderr.lastIndexOf('the end of its output'))
    expect(tail).toContain('  E: install went wrong')
    expect(tail).not.toContain('apt-get update output line')
  })

  test('a failed update stops before installing', async () => {
    const failed = await install(['curl'], { FAKE_APT_FAIL: 'update' })
    expect(failed.status).toBe(1)
    expect(failed.calls.map(c => c.split(' ')[0])).toEqual(['update'])
    expect(failed.stderr).toContain('  E: update went wrong')
    expect(fs.existsSync(path.join(dir, 'apt', 'apt-updated'))).toBe(false)
  })

  const lockTest = canHoldLocks ? test : test.skip
  lockTest('waits for a held lock with one line, then goes on when it is released', async () => {
    const { pid } = await holdLock()
    const run = install(['curl'], { ECS_DEPLOY_APT_LOCK_TIMEOUT: '20' })
    await new Promise(r => setTimeout(r, 1500))
    release()
    const done = await run
    expect(done.status).toBe(0)
    const lines = steps(done.stderr)
    expect(lines[0]).toBe(
      `test-env: waiting for flock (pid ${pid}) to release ${path.join(dir, 'lock')} (up to 20s)`
    )
    expect(lines.filter(l => l.includes('waiting'))).toHaveLength(1)
    expect(done.calls.map(c => c.split(' ')[0])).toEqual(['update', 'install'])
  })

  lockTest('gives up after the timeout, naming the holder, and runs no apt-get', async () => {
    const { pid } = await holdLock()
    const done = await install(['curl'], { ECS_DEPLOY_APT_LOCK_TIMEOUT: '1' })
    expect(done.status).toBe(1)
    expect(steps(done.stderr)).toEqual([
      `test-env: waiting for flock (pid ${pid}) to release ${path.join(dir, 'lock')} (up to 1s)`,
      `test-env: gave up after 1s: flock (pid ${pid}) still holds ${path.join(dir, 'lock')} (ECS_DEPLOY_APT_LOCK_TIMEOUT=<seconds> waits longer)`
    ])
    expect(done.calls).toEqual([])
  })

  test('not root: says what is missing and installs nothing', async () => {
    fs.writeFileSync(path.join(dir, 'bin', 'id'), '#!/bin/sh\necho 1000\n', { mode: 0o755 })
    const done = await install(['skopeo'])
    expect(done.status).toBe(1)
    expect(steps(done.stderr)).toEqual([
      'test-env: missing: skopeo (install them, or run as root on Debian so this script can)'
    ])
    expect(done.calls).toEqual([])
  })
})
