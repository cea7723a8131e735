#!/bin/sh
# APP_MODE=ok: start and keep serving. APP_MODE=crash: fail on start with exit code 3, like an app
# whose configuration is missing.
trap 'echo "app: stopping"; exit 0' TERM INT
echo "app: starting (mode ${APP_MODE:-ok}, version ${APP_VERSION:-dev})"
if [ "${APP_MODE:-ok}" = "crash" ]; then
  echo "app: reading configuration from /etc/app/config.yml"
  echo "app: FATAL: /etc/app/config.yml: no such file or directory"
  exit 3
fi
echo "app: ready"
while true; do
  sleep 1 &
  wait $!
done
