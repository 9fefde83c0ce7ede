#!/usr/bin/env bash
# Where Switchboard's event loop spends its time under a load, as a flame graph: runs Switchboard
# (one worker) with a JFR recording sampling every millisecond, drives LOADS (default: http h2
# connrate udp) against it one after another for DURATION seconds each after a WARMUP, and draws each
# recording with bench/py/flamegraph.py into $RESULTS_DIR/flame-LOAD.png (bench/run copies charts
# to docs/bench/). http: wrk -c50 keep-alive through an appProtocol: http Service; h2: h2load -c10
# -m10 (h2c) through the same Service; connrate: wrk -c20 with Connection: close through a plain
# (L4) Service; udp: bench's UdpLoad, 16 clients with 8 64-byte datagrams in flight each, through a
# UDP Service to UdpLoad's echo endpoint. Endpoints: one nginx worker (and the UDP echo).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

LOADS="${LOADS:-http h2 connrate udp}"
DURATION="${DURATION:-15}"
WARMUP="${WARMUP:-10}"
need nginx nginx; need wrk wrk; need h2load nghttp2-client
JAR="$(switchboard_jar)"
mkdir -p "$WORK/manifests" "$RESULTS_DIR"
nginx_endpoints endpoint 18181 18182
cat >"$WORK/manifests/profile.yaml" <<YAML
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  clusterIP: 127.0.0.100
  ports: [{name: http, port: 8080, targetPort: 18181, appProtocol: http}]
---
apiVersion: v1
kind: Service
metadata: {name: l4, namespace: default}
spec:
  clusterIP: 127.0.0.101
  ports: [{name: tcp, port: 8080, targetPort: 18181}]
YAML
{ endpoint_slices web http 18181 18182; endpoint_slices l4 tcp 18181 18182; udp_service udp 127.0.0.102 5400 15400; } \
  >>"$WORK/manifests/profile.yaml"
UDP_LOAD=(java -cp "$REPO_DIR/bench/target/classes" io.switchboard.bench.UdpLoad)
if [[ " $LOADS " == *" udp "* ]]; then
  (cd "$REPO_DIR" && ./mvnw -q -B -DskipTests -pl bench -am package) >&2
  start udp-echo "${UDP_LOAD[@]}" echo 127.0.0.1:15400
  wait_udp 127.0.0.1 15400
fi
# JDK 17's profile settings sample Java stacks every 10 or 20 ms; every millisecond gives a picture
# worth reading from one short load.
# jcmd and jfr (flamegraph.py) come from the JDK that runs Switchboard: a recording's format is its JDK's.
choose_java
jdk_home="$(dirname "$(dirname "$(readlink -f "$java_bin")")")"
export PATH="$jdk_home/bin:$PATH"
sed 's|<setting name="period" control="method-sampling-java-interval">[^<]*<|<setting name="period" control="method-sampling-java-interval">1 ms<|' \
  "$jdk_home/lib/jfr/profile.jfc" >"$WORK/dense.jfc"

run_load() {  # run_load LOAD SECONDS
  case "$1" in
    http) wrk -t1 -c50 -d"$2s" http://127.0.0.100:8080/ ;;
    h2) h2load -c10 -m10 -t1 -D "$2" http://127.0.0.100:8080/ ;;
    connrate) wrk -t1 -c20 -d"$2s" -H "Connection: close" http://127.0.0.101:8080/ ;;
    udp) "${UDP_LOAD[@]}" window 127.0.0.102:5400 16 "$2" 64 8 ;;
    *) echo "unknown load '$1': expected http, h2, connrate or udp" >&2; return 2 ;;
  esac
}
for load in $LOADS; do
  start "switchboard-$load" "$SWITCHBOARD" run --config "$WORK/manifests" --workers 1 --admin 127.0.0.1:19941
  wait_port 127.0.0.1 18181; wait_port 127.0.0.100 8080; wait_port 127.0.0.101 8080
  if [ "$load" = udp ]; then wait_udp 127.0.0.102 5400; fi
  run_load "$load" "$WARMUP" >/dev/null
  pid=$(cat "$WORK/switchboard-$load.pid")
  # Recorded after the warm-up, so the JIT's compilation of it does not blur the picture.
  jcmd "$pid" JFR.start name=profile settings="$WORK/dense.jfc" >/dev/null
  out=$(run_load "$load" "$DURATION")
  jcmd "$pid" JFR.stop name=profile filename="$WORK/$load.jfr" >/dev/null
  kill "$pid"; wait "$pid" 2>/dev/null || true
  echo
  echo "== $load: $(grep -E 'Requests/sec|finished in|received_pps' <<<"$out" | head -1)"
  "$PYTHON" "$BENCH_DIR/py/flamegraph.py" "$WORK/$load.jfr" "$RESULTS_DIR/flame-$load.png" \
    "Switchboard event loop under $load ($(date -u +%F), 1 worker, JFR 1 ms sampling, ${DURATION}s)"
done
