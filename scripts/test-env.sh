#!/usr/bin/env bash
# A Docker engine and a registry for ecs-deploy's tests, demo and benchmarks.
#
#   scripts/test-env.sh up     start what is missing (installs Debian packages as root if needed)
#   scripts/test-env.sh env    print the shell exports to use them (eval "$(scripts/test-env.sh env)")
#   scripts/test-env.sh down   stop exactly what `up` started, by PID, and remove its temp dir
#   scripts/test-env.sh status say what is running
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

apt_install() {
  [ "$#" -gt 0 ] || return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    log "missing: $* (install them, or run as root on Debian so this script can)"
    exit 1
  fi
  log "installing Debian packages: $*"
  if [ ! -f "$STATE_DIR/.apt-updated" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
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
  *) echo "usage: $0 up|down|env|status" >&2; exit 2 ;;
esac
