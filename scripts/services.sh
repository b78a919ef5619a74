#!/usr/bin/env bash
# Make sure the services the tests use are running: PostgreSQL, Redis and an S3 server (started if not).
set -euo pipefail

if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if command -v pg_ctlcluster >/dev/null; then
    echo "services: starting PostgreSQL"
    pg_ctlcluster --skip-systemctl-redirect "$(ls /etc/postgresql | head -n 1)" main start
  else
    echo "services: PostgreSQL is not running and not installed (apt-get install postgresql)" >&2
    exit 1
  fi
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  if command -v redis-server >/dev/null; then
    echo "services: starting Redis"
    mkdir -p /var/lib/redis /var/log/redis
    redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
      --dir /var/lib/redis --logfile /var/log/redis/ci.log
  else
    echo "services: Redis is not running and not installed (apt-get install redis-server)" >&2
    exit 1
  fi
fi

# An S3-compatible HTTP server for the object-store tests (moto's standalone server, from the venv).
S3_PORT=${UNSEALED_TEST_S3_PORT:-5055}
s3_up() { (exec 3<>"/dev/tcp/127.0.0.1/${S3_PORT}") 2>/dev/null; }
if ! s3_up; then
  PYTHON=${PYTHON:-.venv/bin/python}
  [ -x "$PYTHON" ] || PYTHON=python3
  echo "services: starting the S3 server (moto) on 127.0.0.1:${S3_PORT}"
  mkdir -p /tmp/unsealed-services
  nohup "$PYTHON" -m moto.server -H 127.0.0.1 -p "$S3_PORT" >/tmp/unsealed-services/moto.log 2>&1 &
  for _ in $(seq 1 30); do s3_up && break; sleep 0.5; done
fi
