/** Builds tiny FROM-scratch busybox images and pushes them to the local registry (no network needed). */
import { execFileSync } from 'node:child_process'
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const REGISTRY = process.env.ECS_DEPLOY_REGISTRY || '127.0.0.1:5001'

function busybox(): string {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) if (existsSync(p)) return p
  throw new Error('a static busybox is needed (Debian package busybox-static)')
}

/**
 * Builds `<registry>/<repo>:<tag>` whose main process runs `script` with /bin/sh, and pushes it.
 * Returns the image reference. The local copy is removed so the simulator really pulls it.
 */
export function buildImage(repo: string, tag: string, script: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'sim-image-'))
  try {
    copyFileSync(busybox(), join(dir, 'busybox'))
    writeFileSync(
      join(dir, 'Dockerfile'),
      [
        'FROM scratch',
        'COPY busybox /bin/busybox',
        'RUN ["/bin/busybox","--install","-s","/bin"]',
        `LABEL sim.tag=${JSON.stringify(`${repo}:${tag}`)}`,
        `CMD ${JSON.stringify(['sh', '-c', script])}`,
        ''
      ].join('\n')
    )
    const ref = `${REGISTRY}/${repo}:${tag}`
    execFileSync('docker', ['build', '--network', 'none', '-q', '-t', ref, dir], { stdio: 'pipe' })
    execFileSync('docker', ['push', '-q', ref], { stdio: 'pipe' })
    execFileSync('docker', ['rmi', ref], { stdio: 'pipe' })
    return ref
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** A long-running server-like process that says which version it is and exits cleanly on SIGTERM. */
export function serverScript(version: string): string {
  return `echo "app ${version} starting"; trap 'echo "app ${version} stopping"; exit 0' TERM; while true; do sleep 1 & wait $!; done`
}

/** Containers of one simulator instance (others may share the engine). */
export function simContainers(instance: string): string[] {
  return execFileSync('docker', ['ps', '-aq', '--filter', `label=ecs-sim=${instance}`], { encoding: 'utf8' })
    .split('\n')
    .filter(Boolean)
}

export function runningImages(label: string): string[] {
  return execFileSync('docker', ['ps', '--filter', `label=ecs-sim=${label}`, '--format', '{{.Image}}'], {
    encoding: 'utf8'
  })
    .split('\n')
    .filter(Boolean)
}
