#!/usr/bin/env bash
# Runs the whole system locally: builds what is missing or stale, starts the embedded
# MongoDB-wire server, the Kafka broker and the four services (--replicas N of each, behind a
# round-robin balancer on the service's port) as separate processes, waits until each is ready
# and prints where everything is. A process that exits is restarted; Ctrl-C stops everything.
#   deploy/local/run.sh --help     for the options (infra only, file-backed store, replicas, ports)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"

build=auto
args=()
for arg in "$@"; do
  case "$arg" in
    --rebuild) build=always ;;
    --no-build) build=never ;;
    -h|--help) build=never; args+=("$arg") ;;
    *) args+=("$arg") ;;
  esac
done

command -v java >/dev/null || { echo "error: java (JDK 17+) is not on PATH" >&2; exit 1; }

INFRA_JAR="$ROOT/platform/infra/target/infra-0.1.0-SNAPSHOT.jar"
INFRA_CP="$ROOT/platform/infra/target/runtime-classpath.txt"
STAMP="$ROOT/target/local-stack/.built"

# shellcheck source=stale.sh
source "$ROOT/deploy/local/stale.sh"
needs_build() { stale "$ROOT" "$STAMP" "$INFRA_JAR" "$INFRA_CP"; }

if [[ "$build" == always ]] || { [[ "$build" == auto ]] && needs_build; }; then
  command -v mvn >/dev/null || { echo "error: mvn (Maven 3.8+) is not on PATH" >&2; exit 1; }
  mkdir -p "$ROOT/target/local-stack"
  echo "[build] building the services (mvn package, tests skipped); full log: target/local-stack/build.log"
  started=$SECONDS
  mvn -B -DskipTests package >"$ROOT/target/local-stack/build.log" 2>&1 &
  mvn_pid=$!
  trap 'kill "$mvn_pid" 2>/dev/null; exit 130' INT TERM
  # progress: one line per module as Maven reaches it
  tail -n +1 -f "$ROOT/target/local-stack/build.log" --pid="$mvn_pid" 2>/dev/null \
    | grep --line-buffered -E '^\[INFO\] Building .*\[[0-9]+\/[0-9]+\]|BUILD (SUCCESS|FAILURE)' \
    | sed -u -e 's/^\[INFO\] Building \([a-z0-9-]*\).*\(\[[0-9]*\/[0-9]*\]\).*/[build] \2 \1/' -e 's/^\[INFO\] /[build] /' || true
  if ! wait "$mvn_pid"; then
    echo "[build] failed; the errors:" >&2
    grep -E '^\[ERROR\]' "$ROOT/target/local-stack/build.log" | head -30 >&2
    exit 1
  fi
  trap - INT TERM
  touch "$STAMP"
  echo "[build] done in $((SECONDS - started)) s"
elif [[ "$build" == never ]] && [[ ! -f "$INFRA_JAR" || ! -f "$INFRA_CP" ]]; then
  echo "error: nothing is built yet; run without --no-build" >&2
  exit 1
fi

exec java -Xmx128m -De2echat.root="$ROOT" -cp "$INFRA_JAR:$(cat "$INFRA_CP")" \
  org.e2echat.infra.stack.LocalStack "${args[@]+"${args[@]}"}"
