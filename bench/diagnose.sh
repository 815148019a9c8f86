#!/usr/bin/env bash
# Benchmark: `zonemover diagnose -A -o json` against a large simulated cluster served over HTTP,
# exactly as it would talk to a real API server. Prints wall time and peak RSS per run, then cleans up.
#
#   bench/diagnose.sh [RUNS]        (default 3; env PODS CLAIMS NODES ZONES override the world's size)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
JAR="$ROOT/target/zonemover.jar"
RUNS="${1:-3}"
PODS="${PODS:-10000}" CLAIMS="${CLAIMS:-5000}" NODES="${NODES:-300}" ZONES="${ZONES:-3}"
JAVA_OPTS=(${JAVA_OPTS:-})

if [[ ! -f "$JAR" ]]; then
  echo "building $JAR ..." >&2
  (cd "$ROOT" && mvn -q -B -DskipTests package)
fi

WORK="$(mktemp -d "${TMPDIR:-/tmp}/zonemover-bench.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [[ -n "$SERVER_PID" ]] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT INT TERM

echo "world: pods=$PODS claims=$CLAIMS nodes=$NODES zones=$ZONES" >&2
t0=$(date +%s.%N)
java -jar "$JAR" sim init "$WORK/world" --scenario large \
  --set pods="$PODS" --set claims="$CLAIMS" --set nodes="$NODES" --set zones="$ZONES" >/dev/null
t1=$(date +%s.%N)
printf 'sim init: %.1f s\n' "$(echo "$t1 - $t0" | bc)"

# Serve the world in the background; its first stdout line names the endpoints.
mkfifo "$WORK/serve.out"
java -jar "$JAR" sim serve "$WORK/world" >"$WORK/serve.out" 2>"$WORK/serve.err" &
SERVER_PID=$!
exec 3<"$WORK/serve.out"
if ! read -r -t 120 FIRST <&3; then
  echo "sim serve did not start:" >&2
  cat "$WORK/serve.err" >&2
  exit 1
fi
# Keep draining the server's stdout so it never blocks on a full pipe.
cat <&3 >/dev/null &
KUBECONFIG_FILE=$(echo "$FIRST" | jq -r .kubeconfig)
EC2_URL=$(echo "$FIRST" | jq -r .ec2)
echo "serving: $FIRST" >&2

# Runs a command, writing "WALL_SECONDS PEAK_RSS_KB" to $1: GNU time when present, else VmHWM from /proc.
measure() {
  local out="$1"; shift
  if [[ -x /usr/bin/time ]]; then
    /usr/bin/time -f '%e %M' -o "$out" "$@"
    return
  fi
  local start end pid hwm=0 v
  start=$(date +%s.%N)
  "$@" & pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    v=$(awk '/VmHWM/ {print $2}' "/proc/$pid/status" 2>/dev/null || true)
    [[ -n "$v" && "$v" -gt "$hwm" ]] && hwm=$v
    sleep 0.05
  done
  wait "$pid"; local code=$?
  end=$(date +%s.%N)
  printf '%.2f %s\n' "$(echo "$end - $start" | bc)" "$hwm" >"$out"
  return $code
}

printf '%-5s %10s %14s %10s %s\n' RUN WALL_S PEAK_RSS_MB EXIT FINDINGS
for i in $(seq 1 "$RUNS"); do
  set +e
  measure "$WORK/time.$i" \
    java "${JAVA_OPTS[@]}" -jar "$JAR" diagnose -A -o json \
      --kubeconfig "$KUBECONFIG_FILE" --ec2-endpoint "$EC2_URL" >"$WORK/out.$i" 2>"$WORK/err.$i"
  code=$?
  set -e
  if [[ $code -gt 1 ]]; then
    echo "diagnose failed (exit $code):" >&2
    cat "$WORK/err.$i" >&2
    exit 1
  fi
  read -r wall rss_kb < <(tail -1 "$WORK/time.$i")
  findings=$(jq '.findings | length' "$WORK/out.$i")
  kinds=$(jq -r '[.findings[].kind] | group_by(.) | map("\(.[0])=\(length)") | join(",")' "$WORK/out.$i")
  printf '%-5s %10s %14s %10s %s %s\n' "$i" "$wall" "$((rss_kb / 1024))" "$code" "$findings" "$kinds"
done
