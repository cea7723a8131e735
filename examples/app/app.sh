#!/bin/sh
# APP_MODE=ok: start and keep serving. APP_MODE=crash: fail on start with exit code 3, like an app
# whose configuration is missing. While /tmp/burn exists the app burns one CPU, like an app under load
# (the demo's scaling act turns it on with `docker exec <container> touch /tmp/burn`).
trap 'echo "app: stopping"; exit 0' TERM INT
echo "app: starting (mode ${APP_MODE:-ok}, version ${APP_VERSION:-dev})"
if [ "${APP_MODE:-ok}" = "crash" ]; then
  echo "app: reading configuration from /etc/app/config.yml"
  echo "app: FATAL: /etc/app/config.yml: no such file or directory"
  exit 3
fi
echo "app: ready"
while true; do
  if [ -e /tmp/burn ]; then
    echo "app: under load (/tmp/burn), burning CPU"
    while [ -e /tmp/burn ]; do :; done
    echo "app: load gone"
  fi
  sleep 1 &
  wait $!
done
