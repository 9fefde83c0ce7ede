#!/usr/bin/env bash
# Issue 11, case 12, measured: a manifest directory with one file of DOCS small documents
# (ConfigMaps, which Switchboard ignores) beside one Service file. Prints the time to ready, the
# resident memory after the load, how long a change to the small file takes to be served while the
# big file is being read again, and the resident memory once the proxy is idle again.
# Runs the launcher's JVM flags (bench/../switchboard) so the memory it hands back is measured.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

DOCS="${DOCS:-100000}"
IDLE="${IDLE:-30}"
ADMIN=127.0.0.1:19931
need curl curl; need python3 python3
switchboard_jar >/dev/null
mkdir -p "$WORK/m"
python3 - "$WORK/m/many.yaml" "$DOCS" <<'PY'
import sys
with open(sys.argv[1], 'w') as f:
    for i in range(int(sys.argv[2])):
        f.write(f"---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm-{i}\n  namespace: default\ndata:\n  k: v{i}\n")
PY
small() {
  cat >"$WORK/m/svc.yaml" <<YAML
apiVersion: v1
kind: Service
metadata: {name: small, namespace: default}
spec:
  clusterIP: $1
  ports: [{port: 18080}]
YAML
}
small 127.0.9.1
rss() { echo "$(( $(ps -o rss= -p "$PID") / 1024 )) MiB"; }
t0=$(date +%s%N)
start switchboard "$BENCH_DIR/../switchboard" run -c "$WORK/m" --admin "$ADMIN"
PID=$(cat "$WORK/switchboard.pid")
for _ in $(seq 1 1200); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "http://$ADMIN/readyz")" = 200 ] && break; sleep 0.1
done
echo "machine: $(machine)"
echo "$DOCS documents in $(du -h "$WORK/m/many.yaml" | cut -f1) + one Service: ready after $(( ($(date +%s%N) - t0) / 1000000 )) ms, RSS $(rss)"
touch "$WORK/m/many.yaml"
sleep 0.05
small 127.0.9.2
t1=$(date +%s%N)
for _ in $(seq 1 1200); do
  grep -q 'listening listener="127.0.9.2' "$WORK/switchboard.log" && break; sleep 0.02
done
echo "a change to the small file served $(( ($(date +%s%N) - t1) / 1000000 )) ms after it was written, while the big file was read again; RSS $(rss)"
sleep "$IDLE"
echo "RSS after ${IDLE}s idle: $(rss)"
