#!/usr/bin/env bash
# Runs the benchmark: builds what is missing or stale (as run.sh does), starts the local stack with
# the bench's signing key and a bare Vert.x baseline beside it, runs the scenario(s) with progress
# on the terminal and writes report.json, report.md and SVG plots under target/bench/<run>/.
#   deploy/local/bench.sh idle|fanout|e2e|all [--smoke] [options]     (--help for the options)
# Exit code: 0 clean, 1 something was lost/duplicated/misrouted (see the report), 2 bad options,
# 3 the watchdog ended the run.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

BENCH_JAR="$ROOT/bench/target/bench-0.1.0-SNAPSHOT.jar"
BENCH_CP="$ROOT/bench/target/runtime-classpath.txt"
STAMP="$ROOT/target/bench/.built"

# shellcheck source=stale.sh
source "$ROOT/deploy/local/stale.sh"

if stale "$ROOT" "$STAMP" "$BENCH_JAR" "$BENCH_CP"; then
  command -v mvn >/dev/null || { echo "error: mvn (Maven 3.8+) is not on PATH" >&2; exit 1; }
  mkdir -p "$ROOT/target/bench"
  echo "[build] mvn package -pl bench -am (tests skipped); log: target/bench/build.log"
  if ! mvn -B -DskipTests -pl bench -am package >"$ROOT/target/bench/build.log" 2>&1; then
    echo "[build] failed; the errors:" >&2
    grep -E '^\[ERROR\]' "$ROOT/target/bench/build.log" | head -30 >&2
    exit 1
  fi
  touch "$STAMP"
fi

# one socket per connection in this process: the generator needs the open-files limit raised as far as it goes
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
exec java -Xmx1g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -De2echat.root="$ROOT" -cp "$BENCH_JAR:$(cat "$BENCH_CP")" org.e2echat.bench.Bench "$@"
