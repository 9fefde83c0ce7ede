#!/usr/bin/env bash
# TCP side by side, one run: iperf3 throughput, connections per second (wrk, one request per
# connection) and keep-alive requests per second with latency (wrk --latency), each through
# Switchboard, through HAProxy in mode tcp, and direct to the endpoint. Both proxies get the same
# number of threads (WORKERS, default 1). REPEAT (default 3) alternating rounds, each load bounded by
# DURATION seconds (default 4); the table shows medians and every round.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

WORKERS="${WORKERS:-1}"
DURATION="${DURATION:-4}"
REPEAT="${REPEAT:-3}"
CONNS="${CONNS:-32}"
need haproxy haproxy; need nginx nginx; need wrk wrk; need iperf3 iperf3
JAR="$(switchboard_jar)"

# The endpoint: nginx answering a tiny response, and an iperf3 server.
nginx_endpoints nginx 18181
start iperf3 iperf3 -s -B 127.0.0.1 -p 15201
wait_port 127.0.0.1 18181; wait_port 127.0.0.1 15201

# Switchboard: 127.0.0.100 serves both.
mkdir -p "$WORK/manifests"
cat >"$WORK/manifests/bench.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: bench, namespace: default}
spec:
  clusterIP: 127.0.0.100
  ports:
  - {name: http, port: 8080, targetPort: 18181}
  - {name: iperf, port: 5201, targetPort: 15201}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: bench-1, namespace: default, labels: {kubernetes.io/service-name: bench}}
addressType: IPv4
ports: [{name: http, port: 18181}, {name: iperf, port: 15201}]
endpoints: [{addresses: [127.0.0.1]}]
YAML
start switchboard "$SWITCHBOARD" run --config "$WORK/manifests" --workers "$WORKERS" \
  --admin 127.0.0.1:19901
# HAProxy: 127.0.0.101 serves both.
cat >"$WORK/haproxy.cfg" <<CONF
global
  nbthread $WORKERS
  maxconn 9000
defaults
  mode tcp
  timeout connect 2s
  timeout client 1h
  timeout server 1h
listen http
  bind 127.0.0.101:8080
  server s1 127.0.0.1:18181
listen iperf
  bind 127.0.0.101:5201
  server s1 127.0.0.1:15201
CONF
start haproxy haproxy -f "$WORK/haproxy.cfg" -db
wait_port 127.0.0.100 8080; wait_port 127.0.0.101 8080

declare -A TARGET_HTTP=([direct]=127.0.0.1:18181 [haproxy]=127.0.0.101:8080 [switchboard]=127.0.0.100:8080)
declare -A TARGET_IPERF=([direct]="127.0.0.1 15201" [haproxy]="127.0.0.101 5201" [switchboard]="127.0.0.100 5201")
declare -A GBPS CPS RPS P50 P99

# Warm-up, the same for every target (the JVM compiles its hot paths in the first seconds of load):
# WARMUP seconds of each load shape, bounded.
WARMUP="${WARMUP:-8}"
for t in direct haproxy switchboard; do
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" -H "Connection: close" "http://${TARGET_HTTP[$t]}/" >/dev/null 2>&1 || true
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://${TARGET_HTTP[$t]}/" >/dev/null 2>&1 || true
done

add() { eval "$1[\$2]+=\" \$3\""; }   # add ARRAY TARGET VALUE: one more round
ORDER=(direct haproxy switchboard)
for round in $(seq "$REPEAT"); do
  # Each round starts one target later: every connection-rate load leaves tens of thousands of
  # TIME_WAIT sockets on loopback for 60 s, which make the next target's connect() search longer for
  # a free port, so a fixed order would always slow the same target.
  for i in 0 1 2; do
    t=${ORDER[$(( (i + round - 1) % 3 ))]}
    read -r host port <<<"${TARGET_IPERF[$t]}"
    add GBPS "$t" "$(iperf3 -c "$host" -p "$port" -t "$DURATION" -J | python3 -c '
import json, sys
d = json.load(sys.stdin)
if "error" in d:
    print("iperf3: " + d["error"], file=sys.stderr); print("-")
else:
    print("%.2f" % (d["end"]["sum_received"]["bits_per_second"] / 1e9))')"
    out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" -H "Connection: close" "http://${TARGET_HTTP[$t]}/")
    add CPS "$t" "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")"
    out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "http://${TARGET_HTTP[$t]}/")
    add RPS "$t" "$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")"
    add P50 "$t" "$(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
    add P99 "$t" "$(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
  done
done
declare -A MGBPS MCPS MRPS MP50 MP99
for t in direct haproxy switchboard; do
  MGBPS[$t]=$(median ${GBPS[$t]}); MCPS[$t]=$(median ${CPS[$t]}); MRPS[$t]=$(median ${RPS[$t]})
  MP50[$t]=$(median ${P50[$t]}); MP99[$t]=$(median ${P99[$t]})
done

echo
echo "TCP through Switchboard vs HAProxy (mode tcp) vs direct, one run, medians of $REPEAT alternating rounds"
echo "machine: $(machine); $(haproxy -v | head -1 | cut -d' ' -f1-3); proxies with $WORKERS thread(s); ${WARMUP}s warm-up per load shape; ${DURATION}s per load; $CONNS connections"
printf "%-34s %12s %12s %12s %10s %10s\n" "metric" "direct" "haproxy" "switchboard" "sb/direct" "sb/haproxy"
row() { printf "%-34s %12s %12s %12s %10s %10s\n" "$1" "$2" "$3" "$4" "$(ratio "$4" "$2")" "$(ratio "$4" "$3")"; }
row "throughput, Gbit/s (iperf3)" "${MGBPS[direct]}" "${MGBPS[haproxy]}" "${MGBPS[switchboard]}"
row "connections/s (wrk, close)" "${MCPS[direct]}" "${MCPS[haproxy]}" "${MCPS[switchboard]}"
row "keep-alive requests/s (wrk)" "${MRPS[direct]}" "${MRPS[haproxy]}" "${MRPS[switchboard]}"
printf "%-34s %12s %12s %12s\n" "keep-alive latency p50, ms" "${MP50[direct]}" "${MP50[haproxy]}" "${MP50[switchboard]}"
printf "%-34s %12s %12s %12s\n" "keep-alive latency p99, ms" "${MP99[direct]}" "${MP99[haproxy]}" "${MP99[switchboard]}"
for m in GBPS CPS RPS P99; do
  eval "direct_r=\${$m[direct]}; haproxy_r=\${$m[haproxy]}; sb_r=\${$m[switchboard]}"
  printf "%-34s %s |%s |%s\n" "rounds, $m (direct | haproxy | sb)" "$direct_r" "$haproxy_r" "$sb_r"
done
for t in direct haproxy switchboard; do
  result "throughput (iperf3)" "$t" "${MGBPS[$t]}" "Gbit/s"
  result "new connections/s" "$t" "${MCPS[$t]}" "conn/s"
  result "keep-alive requests/s" "$t" "${MRPS[$t]}" "req/s"
  result "keep-alive latency p99" "$t" "${MP99[$t]}" "ms"
done
write_results tcp "TCP (L4): Switchboard vs HAProxy mode tcp vs direct"
