#!/usr/bin/env bash
# A Docker engine and a registry for ecs-deploy's tests, demo and benchmarks.
#
#   scripts/test-env.sh up     start what is missing (installs Debian packages as root if needed)
#   scripts/test-env.sh env    print the shell exports to use them (eval "$(scripts/test-env.sh env)")
#   scripts/test-env.sh down   stop exactly what `up` started, by PID, and remove its temp dir
#   scripts/test-env.sh status say what is running
#   scripts/test-env.sh install PKG...  install Debian packages as `up` does (.ci/run uses it)
#
# If a Docker engine is already reachable (a developer laptop), `up` uses it and starts none.
# The engine it starts has no bridge, no iptables rules and no IP forwarding: builds and containers
# must use --network none. It never edits /etc/hosts.
set -euo pipefail

STATE_DIR=${ECS_DEPLOY_ENV_DIR:-${TMPDIR:-/tmp}/ecs-deploy-env}
REGISTRY_ADDR=${ECS_DEPLOY_REGISTRY:-127.0.0.1:5001}

log() { printf 'test-env: %s\n' "$*" >&2; }

pid_alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

read_pid() { [ -f "$1" ] && tr -d '[:space:]' <"$1" || true; }

registry_up() {
  if command -v curl >/dev/null 2>&1; then
    curl -fsS -o /dev/null --max-time 2 "http://$REGISTRY_ADDR/v2/" 2>/dev/null
  else
    node -e "fetch('http://$REGISTRY_ADDR/v2/').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
  fi
}

# --- Debian packages -------------------------------------------------------------------------------
# apt's output goes to a log file; the terminal gets one line per step, and the log's end on failure.
# The log and the "apt-get update ran" stamp live outside STATE_DIR (which `down` removes): the
# package lists are the machine's, not this run's.
APT_DIR=${ECS_DEPLOY_APT_DIR:-/var/cache/ecs-deploy}
APT_LOG=$APT_DIR/apt.log
APT_STAMP=$APT_DIR/apt-updated
# `apt-get update` again when the last one is older than this (lists that old may name versions
# the mirror no longer has; an install that fails that way updates and tries once more anyway).
APT_MAX_AGE_MIN=${ECS_DEPLOY_APT_MAX_AGE_MIN:-360}
# How long to wait for another apt/dpkg (unattended-upgrades, cloud-init on a fresh boot) to finish.
APT_LOCK_TIMEOUT=${ECS_DEPLOY_APT_LOCK_TIMEOUT:-120}
APT_LOCKS=${ECS_DEPLOY_APT_LOCKS:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock}
APT_LISTS=${ECS_DEPLOY_APT_LISTS:-/var/lib/apt/lists}

# The PID holding a lock on FILE (any kind: apt's fcntl locks, flock), from /proc/locks; nothing if
# none or if this system has no /proc/locks. Needs no fuser/lslocks (not on a minimal Debian).
lock_holder() {
  local file=$1 dev ino key
  [ -e "$file" ] && [ -r /proc/locks ] || return 0
  dev=$(stat -c %d "$file") ino=$(stat -c %i "$file") || return 0
  key=$(printf '%02x:%02x:%s' $(((dev >> 8) & 0xfff)) $(((dev & 0xff) | ((dev >> 12) & 0xfff00))) "$ino")
  awk -v key="$key" '$2 != "->" && $6 == key { print $5; exit }' /proc/locks
}

# "apt-get (pid 1234)"; an open-file-description lock has no PID in /proc/locks.
process_name() {
  if [ "$1" -gt 0 ] 2>/dev/null; then
    printf '%s (pid %s)' "$(cat "/proc/$1/comm" 2>/dev/null || echo process)" "$1"
  else
    printf 'another process'
  fi
}

# Waits (at most APT_LOCK_TIMEOUT s, one line while it does) until no one holds apt's or dpkg's locks.
wait_for_apt_locks() {
  local waited=0 said=0 f pid holder
  while :; do
    holder=""
    for f in $APT_LOCKS; do
      pid=$(lock_holder "$f")
      if [ -n "$pid" ]; then holder="$f $pid"; break; fi
    done
    [ -n "$holder" ] || return 0
    f=${holder% *} pid=${holder##* }
    if [ "$said" = 0 ]; then
      log "waiting for $(process_name "$pid") to release $f (up to ${APT_LOCK_TIMEOUT}s)"
      said=1
    fi
    if [ "$waited" -ge "$APT_LOCK_TIMEOUT" ]; then
      log "gave up after ${APT_LOCK_TIMEOUT}s: $(process_name "$pid") still holds $f (ECS_DEPLOY_APT_LOCK_TIMEOUT=<seconds> waits longer)"
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
}

# Runs one apt-get step with its output in APT_LOG: `apt_step "what it does" apt-get args...`.
apt_step() {
  local what=$1 rc=0 start
  shift
  wait_for_apt_locks || exit 1
  log "$what (log: $APT_LOG)"
  start=$(($(wc -l <"$APT_LOG") + 1))
  printf '\n=== %s: %s\n' "$(date -u +%FT%TZ)" "$*" >>"$APT_LOG"
  # apt waits for the dpkg lock itself too, should another apt take it between our look and its start.
  DEBIAN_FRONTEND=noninteractive "$@" -o DPkg::Lock::Timeout="$APT_LOCK_TIMEOUT" -o Dpkg::Use-Pty=0 \
    </dev/null >>"$APT_LOG" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    log "$what failed (exit $rc); the end of its output in $APT_LOG:"
    tail -n +"$start" "$APT_LOG" | tail -n 25 | sed 's/^/  /' >&2
  fi
  return "$rc"
}

apt_lists_fresh() {
  [ -f "$APT_STAMP" ] && [ -z "$(find "$APT_STAMP" -mmin +"$APT_MAX_AGE_MIN" 2>/dev/null)" ] &&
    compgen -G "$APT_LISTS/*_Packages*" >/dev/null
}

apt_update() {
  apt_step "apt-get update" apt-get update -q || return 1
  date -u +%FT%TZ >"$APT_STAMP"
}

# Installs Debian packages (as root): `apt_install pkg...`. Exits on failure.
apt_install() {
  [ "$#" -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing: $* (install them, or run as root on Debian so this script can)"
    exit 1
  fi
  mkdir -p "$APT_DIR"
  touch "$APT_LOG"
  local updated=0
  if ! apt_lists_fresh; then
    apt_update || exit 1
    updated=1
  fi
  local install=(apt-get install -y -q --no-install-recommends "$@")
  if ! apt_step "installing $*" "${install[@]}"; then
    # Lists from an earlier update may be stale (a version gone from the mirror): update, try once more.
    [ "$updated" = 0 ] || exit 1
    apt_update || exit 1
    apt_step "installing $* (after apt-get update)" "${install[@]}" || exit 1
  fi
}

# Packages the tests use besides the engine: a static busybox to build FROM scratch images,
# skopeo to inspect what the registry holds.
ensure_tools() {
  local need=()
  [ -x /bin/busybox ] || [ -x /usr/bin/busybox ] || need+=(busybox-static)
  command -v skopeo >/dev/null 2>&1 || need+=(skopeo)
  command -v curl >/dev/null 2>&1 || need+=(curl)
  command -v docker >/dev/null 2>&1 || need+=(docker.io)
  apt_install "${need[@]}"
}

existing_engine() {
  # An engine the user already has: DOCKER_HOST as set, or the default socket.
  if [ -f "$STATE_DIR/dockerd.pid" ]; then return 1; fi
  command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1
}

start_engine() {
  command -v dockerd >/dev/null 2>&1 || apt_install docker.io
  local root="$STATE_DIR/docker"
  mkdir -p "$root/data" "$root/exec"
  log "starting dockerd (no bridge, no iptables) under $root"
  # setsid: the daemon does not belong to the caller's process group, so a job-control kill of the
  # test run cannot leave it half-dead; we stop it by its PID.
  setsid dockerd \
    --bridge none --iptables=false --ip6tables=false --ip-forward=false --ip-masq=false \
    --data-root "$root/data" --exec-root "$root/exec" --pidfile "$root/dockerd.pid" \
    -H "unix://$root/docker.sock" --shutdown-timeout 3 \
    >"$STATE_DIR/dockerd.log" 2>&1 </dev/null &
  echo $! >"$STATE_DIR/dockerd.pid"
  echo "unix://$root/docker.sock" >"$STATE_DIR/docker_host"
  local i
  for i in $(seq 1 60); do
    if DOCKER_HOST="unix://$root/docker.sock" docker info >/dev/null 2>&1; then return 0; fi
    if ! pid_alive "$(read_pid "$STATE_DIR/dockerd.pid")"; then
      log "dockerd exited; its log:"; tail -20 "$STATE_DIR/dockerd.log" >&2; exit 1
    fi
    sleep 0.5
  done
  log "dockerd did not answer within 30s; its log:"; tail -20 "$STATE_DIR/dockerd.log" >&2
  exit 1
}

start_registry() {
  command -v docker-registry >/dev/null 2>&1 || apt_install docker-registry
  mkdir -p "$STATE_DIR/registry"
  cat >"$STATE_DIR/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $STATE_DIR/registry
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  log "starting docker-registry on $REGISTRY_ADDR"
  setsid docker-registry serve "$STATE_DIR/registry.yml" >"$STATE_DIR/registry.log" 2>&1 </dev/null &
  echo $! >"$STATE_DIR/registry.pid"
  local i
  for i in $(seq 1 40); do
    if registry_up; then return 0; fi
    if ! pid_alive "$(read_pid "$STATE_DIR/registry.pid")"; then
      log "docker-registry exited; its log:"; tail -20 "$STATE_DIR/registry.log" >&2; exit 1
    fi
    sleep 0.25
  done
  log "registry did not answer within 10s"; exit 1
}

cmd_up() {
  mkdir -p "$STATE_DIR"
  ensure_tools
  if pid_alive "$(read_pid "$STATE_DIR/dockerd.pid")"; then
    log "dockerd already started by this script (pid $(read_pid "$STATE_DIR/dockerd.pid"))"
  elif existing_engine; then
    log "using the Docker engine already reachable (${DOCKER_HOST:-default socket})"
    echo "${DOCKER_HOST:-}" >"$STATE_DIR/docker_host"
  else
    rm -f "$STATE_DIR/dockerd.pid"
    start_engine
  fi
  if pid_alive "$(read_pid "$STATE_DIR/registry.pid")"; then
    log "registry already started by this script"
  elif registry_up; then
    log "using the registry already serving on $REGISTRY_ADDR"
  else
    start_registry
  fi
  cmd_env >"$STATE_DIR/env"
  log "ready"
}

cmd_env() {
  local host=""
  [ -f "$STATE_DIR/docker_host" ] && host=$(cat "$STATE_DIR/docker_host")
  if [ -n "$host" ]; then echo "export DOCKER_HOST=$host"; fi
  echo "export ECS_DEPLOY_REGISTRY=$REGISTRY_ADDR"
  echo "export ECS_DEPLOY_ENV_DIR=$STATE_DIR"
}

stop_pid() {
  local name=$1 file=$2 pid i
  pid=$(read_pid "$file")
  if pid_alive "$pid"; then
    log "stopping $name (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 60); do pid_alive "$pid" || break; sleep 0.25; done
    if pid_alive "$pid"; then log "$name did not stop; killing"; kill -KILL "$pid" 2>/dev/null || true; fi
  fi
  rm -f "$file"
}

cmd_down() {
  [ -d "$STATE_DIR" ] || { log "nothing to stop"; return 0; }
  stop_pid docker-registry "$STATE_DIR/registry.pid"
  if [ -f "$STATE_DIR/dockerd.pid" ]; then
    stop_pid dockerd "$STATE_DIR/dockerd.pid"
    # dockerd unmounts its layers on a clean stop; anything still mounted under our root goes too.
    if command -v findmnt >/dev/null 2>&1; then
      { findmnt -rn -o TARGET | grep -F "$STATE_DIR/" | sort -r || true; } | while read -r m; do umount -l "$m" 2>/dev/null || true; done
    fi
  fi
  rm -rf "$STATE_DIR" 2>/dev/null || log "could not remove all of $STATE_DIR"
}

cmd_status() {
  local p
  p=$(read_pid "$STATE_DIR/dockerd.pid"); if pid_alive "$p"; then echo "dockerd: running (pid $p)"; else echo "dockerd: not started by this script"; fi
  p=$(read_pid "$STATE_DIR/registry.pid"); if pid_alive "$p"; then echo "registry: running (pid $p)"; else echo "registry: not started by this script"; fi
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env) cmd_env ;;
  status) cmd_status ;;
  install) shift; apt_install "$@" ;;
  *) echo "usage: $0 up|down|env|status|install PKG..." >&2; exit 2 ;;
esac
