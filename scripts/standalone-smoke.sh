#!/usr/bin/env bash
# Starts the built standalone on a fresh data directory, runs the microservices example against it
# (scripts/seed-demo.sh) and checks deliveries with the official Standard Webhooks library
# (scripts/standard-webhooks-check.sh), then stops it with SIGTERM and checks that it shut down cleanly. Run after the build.
set -euo pipefail
cd "$(dirname "$0")/.."

JAR=standalone/target/amebo-standalone.jar
[[ -f "$JAR" ]] || { echo "build first: ./mvnw -B verify (or install -DskipTests)" >&2; exit 1; }
DATA="$(mktemp -d)"
LOG="$DATA/standalone.log"
export SERVER_PORT="${SERVER_PORT:-33310}" AMEBO_KAFKA_PORT="${AMEBO_KAFKA_PORT:-39092}"
export AMEBO_KAFKA_CONTROLLER_PORT="${AMEBO_KAFKA_CONTROLLER_PORT:-39093}" AMEBO_POSTGRES_PORT="${AMEBO_POSTGRES_PORT:-35432}"
export AMEBO_DATA_DIR="$DATA"

java -jar "$JAR" > "$LOG" 2>&1 &
PID=$!
trap 'kill "$PID" 2>/dev/null || true; rm -rf "$DATA"' EXIT

started=$(date +%s)
until curl -fsS "http://localhost:$SERVER_PORT/health/ready" > /dev/null 2>&1; do
  if ! kill -0 "$PID" 2>/dev/null; then cat "$LOG" >&2; echo "the standalone died while starting" >&2; exit 1; fi
  if (( $(date +%s) - started > 90 )); then cat "$LOG" >&2; echo "the standalone was not ready in 90 s" >&2; exit 1; fi
  sleep 0.5
done
echo "standalone ready in $(( $(date +%s) - started )) s"

AMEBO_URL="http://localhost:$SERVER_PORT" AMEBO_ADMIN_TOKEN="$(cat "$DATA/admin-token")" scripts/seed-demo.sh
AMEBO_URL="http://localhost:$SERVER_PORT" AMEBO_ADMIN_TOKEN="$(cat "$DATA/admin-token")" scripts/standard-webhooks-check.sh

kill -TERM "$PID"
wait "$PID" || true
grep -q "Amebo is ready" "$LOG"
echo "standalone smoke test passed"
