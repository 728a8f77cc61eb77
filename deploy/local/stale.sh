# Sourced by run.sh and bench.sh: stale ROOT STAMP FILE... succeeds (returns 0) when a build is
# needed: a FILE or a packaged service is missing, or a source or build file is newer than STAMP.
stale() {
  local root="$1" stamp="$2"
  shift 2
  for f in "$@" "$stamp"; do
    [[ -f "$f" ]] || return 0
  done
  for svc in user-service session-service message-service gateway; do
    [[ -f "$root/$svc/target/quarkus-app/quarkus-run.jar" ]] || return 0
  done
  [[ -z "$(find "$root" -path "$root/.git" -prune -o -path '*/target' -prune -o \
      \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$stamp" -print -quit)" ]] && return 1
  return 0
}
