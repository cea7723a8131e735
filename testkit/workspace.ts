/**
 * A temporary workspace for a run of the action (its GITHUB_WORKSPACE and build context): the example
 * app (examples/app with Debian's static busybox copied in) and/or files of the caller's, optionally
 * committed to git so the action can read the commit from HEAD when GITHUB_SHA is not set.
 */
import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { repoRoot } from '../scripts/run-action.js'

/** The files of examples/app a workspace gets with `app: true`. */
export const EXAMPLE_APP_FILES = ['Dockerfile', 'app.sh', 'task-definition.json'] as const

export interface WorkspaceOptions {
  /** Copy examples/app's files in (default true). */
  app?: boolean
  /** Copy the static busybox in, which the example app's Dockerfile needs (default: as `app`). */
  busybox?: boolean
  /** Written into the workspace (path inside it → content); parent folders are created. */
  files?: Record<string, string | Buffer>
  /** `git init` and commit everything; the workspace's `commit` is the sha. */
  git?: boolean
  /** Create exactly this folder (it must not exist yet) instead of a new temporary one. */
  at?: string
  /** The temporary folder's name prefix (default `ecs-deploy-ws-`). */
  prefix?: string
}

export interface Workspace {
  dir: string
  /** The commit of HEAD with `git: true`. */
  commit?: string
  /** Removes the folder and everything in it. */
  remove(): void
}

export function busyboxPath(): string {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) if (fs.existsSync(p)) return p
  throw new Error('busybox not found: install busybox-static (scripts/test-env.sh up does)')
}

/** A commit sha as GITHUB_SHA holds one (40 hex digits), random. */
export function randomSha(): string {
  return randomBytes(20).toString('hex')
}

function git(dir: string, ...args: string[]): string {
  const out = spawnSync('git', args, {
    cwd: dir,
    encoding: 'utf8',
    env: {
      PATH: process.env.PATH,
      HOME: dir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'ecs-deploy testkit',
      GIT_AUTHOR_EMAIL: 'testkit@example.com',
      GIT_COMMITTER_NAME: 'ecs-deploy testkit',
      GIT_COMMITTER_EMAIL: 'testkit@example.com'
    }
  })
  if (out.status !== 0) throw new Error(`git ${args.join(' ')} in ${dir} failed: ${out.stderr || out.error}`)
  return out.stdout.trim()
}

export function createWorkspace(options: WorkspaceOptions = {}): Workspace {
  let dir: string
  if (options.at) {
    fs.mkdirSync(path.dirname(options.at), { recursive: true })
    fs.mkdirSync(options.at)
    dir = options.at
  } else {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), options.prefix ?? 'ecs-deploy-ws-'))
  }
  const remove = () => fs.rmSync(dir, { recursive: true, force: true })
  try {
    const app = options.app !== false
    if (app)
      for (const f of EXAMPLE_APP_FILES)
        fs.copyFileSync(path.join(repoRoot, 'examples/app', f), path.join(dir, f))
    if (options.busybox ?? app) fs.copyFileSync(busyboxPath(), path.join(dir, 'busybox'))
    for (const [name, content] of Object.entries(options.files ?? {})) {
      const file = path.join(dir, name)
      fs.mkdirSync(path.dirname(file), { recursive: true })
      fs.writeFileSync(file, content)
    }
    let commit: string | undefined
    if (options.git) {
      git(dir, 'init', '--quiet', '--initial-branch', 'main')
      git(dir, 'add', '--all')
      git(dir, 'commit', '--quiet', '--no-gpg-sign', '--message', 'testkit workspace')
      commit = git(dir, 'rev-parse', 'HEAD')
    }
    return { dir, commit, remove }
  } catch (error) {
    remove()
    throw error
  }
}
