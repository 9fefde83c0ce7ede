#!/usr/bin/env bash
# SERVICES Services (default 50,000) x ENDPOINTS endpoints (default 2) from a manifest directory,
# through the launcher (./switchboard, its JVM flags): time from start to ready and serving, resident
# memory after the load (SETTLE seconds later, past the launcher's periodic GC), then ADDS more
# Services one file each, each timed from its file written to its first connection served.
# SWITCHBOARD_ARGS adds options to `run` (e.g. --min-sync-period 10ms).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

SERVICES="${SERVICES:-50000}"
ENDPOINTS="${ENDPOINTS:-2}"
ADDS="${ADDS:-9}"
SETTLE="${SETTLE:-15}"
ADMIN=127.0.0.1:19908
JAR="$(switchboard_jar)"
start endpoint java -Xmx256m -jar "$JAR" backend --listen 127.0.10.1:18190 --name e1
"$PYTHON" "$BENCH_DIR/py/scale_manifests.py" "$WORK/m" "$SERVICES" "$ENDPOINTS"
wait_port 127.0.10.1 18190
# The endpoint is a JVM too: its first connection (90 ms, class loading) is made here, not in the
# measured one through Switchboard.
"$PYTHON" "$BENCH_DIR/py/first_connect.py" 127.0.10.1 18190 "$(date +%s%N)" 30 >/dev/null

t0=$(date +%s%N)
start switchboard "$REPO_DIR/switchboard" run -c "$WORK/m" --admin "$ADMIN" --workers 2 ${SWITCHBOARD_ARGS:-}
deadline=$((SECONDS + 300))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$ADMIN/readyz")" = 200 ]; do
  [ $SECONDS -ge $deadline ] && { echo "not ready after 300 s" >&2; exit 1; }
  sleep 0.05
done
last=$("$PYTHON" -c "import ipaddress; print(ipaddress.IPv4Address(int(ipaddress.IPv4Address('127.64.0.0')) + $SERVICES))")
ready_ms=$("$PYTHON" "$BENCH_DIR/py/first_connect.py" "$last" 18082 "$t0" 60)
sleep "$SETTLE"
rss=$(awk '/^VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$(cat "$WORK/switchboard.pid")/status")

# The syncs that applied a change, as the admin metrics count them: read around each add, they give
# that add's sync, the sync's own share of it (the rest is the file watch, the read and the first
# connection); the median of the adds is reported, as a collection during one sync moves a mean.
changed_syncs() {  # prints "SUM COUNT" of switchboard_sync_duration_seconds{changed="true"}
  curl -s "http://$ADMIN/metrics" | awk '/^switchboard_sync_duration_seconds_(sum|count)\{changed="true"\}/ {v[$1 ~ /_sum/ ? "s" : "c"] = $2}
    END {print v["s"] + 0, v["c"] + 0}'
}
ADD_MS=()
SYNC_MS=()
for k in $(seq "$ADDS"); do
  read -r sync_sum0 sync_n0 <<<"$(changed_syncs)"
  ip="127.65.0.$k"
  cat >"$WORK/m/.add-$k.tmp" <<YAML
apiVersion: v1
kind: Service
metadata: {name: added-$k, namespace: scale}
spec:
  clusterIP: $ip
  ports: [{name: tcp, port: 18082, targetPort: 18190}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: added-$k-1, namespace: scale, labels: {kubernetes.io/service-name: added-$k}}
addressType: IPv4
ports: [{name: tcp, port: 18190}]
endpoints: [{addresses: [127.0.10.1]}]
YAML
  t=$(date +%s%N)
  mv "$WORK/m/.add-$k.tmp" "$WORK/m/add-$k.yaml"
  ADD_MS+=("$("$PYTHON" "$BENCH_DIR/py/first_connect.py" "$ip" 18082 "$t" 30)")
  sleep 0.3
  # This add's sync (the mean, should a file event have made two).
  read -r sync_sum1 sync_n1 <<<"$(changed_syncs)"
  SYNC_MS+=("$(awk -v s0="$sync_sum0" -v s1="$sync_sum1" -v n0="$sync_n0" -v n1="$sync_n1" \
    'BEGIN {printf "%.1f", (n1 > n0 ? (s1 - s0) * 1000 / (n1 - n0) : 0)}')")
done
sync_ms=$(median "${SYNC_MS[@]}")
echo
echo "$SERVICES Services x $ENDPOINTS endpoints from manifests, one run"
echo "machine: $(machine); 2 worker threads; through the launcher's JVM flags"
printf "%-52s %s\n" "start to ready and serving the last Service" "$ready_ms ms"
printf "%-52s %s\n" "resident memory ${SETTLE}s after the load" "$rss MiB"
printf "%-52s %s\n" "one more Service, file written to served (median)" "$(median "${ADD_MS[@]}") ms (${ADD_MS[*]})"
printf "%-52s %s\n" "one more Service, its sync (median)" "$sync_ms ms (${SYNC_MS[*]})"
result "start to ready and serving" switchboard "$ready_ms" ms
result "one more Service, its sync (median)" switchboard "$sync_ms" ms
result "resident memory after the load" switchboard "$rss" MiB
result "one more Service, file to served (median)" switchboard "$(median "${ADD_MS[@]}")" ms
write_results scale "$SERVICES Services x $ENDPOINTS endpoints: load, memory, one more Service"
