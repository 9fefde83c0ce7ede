#!/usr/bin/env bash
# Switchboard's transports side by side, one run: the same build serving the same Services once on
# epoll and once on io_uring (--transport), each with WORKERS event loops, against the same endpoints
# (one nginx worker for HTTP, one UDP echo). Per transport, REPEAT rounds of: new TCP connections/s
# (L4, wrk with Connection: close), keep-alive requests/s through L4 and through L7 (appProtocol
# http), and UDP 64-byte datagrams in a closed loop; medians printed with io_uring's ratio to epoll.
# Rounds alternate between the transports so drift on the machine hits both alike. Every load is
# bounded by DURATION seconds.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

WORKERS="${WORKERS:-1}"
DURATION="${DURATION:-5}"
REPEAT="${REPEAT:-3}"
CONNS="${CONNS:-32}"
WARMUP="${WARMUP:-6}"
need nginx nginx; need wrk wrk
JAR="$(switchboard_jar)"
(cd "$REPO_DIR" && ./mvnw -q -B -DskipTests -pl bench -am package) >&2
LOAD=(java -cp "$REPO_DIR/bench/target/classes" io.switchboard.bench.UdpLoad)

nginx_endpoints endpoint 18181
start echo "${LOAD[@]}" echo 127.0.0.1:15400

TRANSPORTS=(epoll io_uring)
declare -A VIP=([epoll]=127.0.0.100 [io_uring]=127.0.0.110)
declare -A ADMIN=([epoll]=127.0.0.1:19903 [io_uring]=127.0.0.1:19904)
for t in "${TRANSPORTS[@]}"; do
  mkdir -p "$WORK/$t"
  cat >"$WORK/$t/bench.yaml" <<YAML
apiVersion: v1
kind: Service
metadata: {name: bench, namespace: default}
spec:
  clusterIP: ${VIP[$t]}
  ports:
  - {name: tcp, port: 8080, targetPort: 18181}
  - {name: http, port: 8081, targetPort: 18181, appProtocol: http}
  - {name: udp, protocol: UDP, port: 5400, targetPort: 15400}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: bench-1, namespace: default, labels: {kubernetes.io/service-name: bench}}
addressType: IPv4
ports: [{name: tcp, port: 18181}, {name: http, port: 18181}, {name: udp, protocol: UDP, port: 15400}]
endpoints: [{addresses: [127.0.0.1]}]
YAML
  start "switchboard-$t" "$SWITCHBOARD" run --config "$WORK/$t" --workers "$WORKERS" \
    --transport "$t" --admin "${ADMIN[$t]}"
done
wait_port 127.0.0.1 18181; wait_udp 127.0.0.1 15400
for t in "${TRANSPORTS[@]}"; do
  wait_port "${VIP[$t]}" 8080; wait_port "${VIP[$t]}" 8081; wait_udp "${VIP[$t]}" 5400
  curl -sf "http://${ADMIN[$t]}/api/v1/instance" | grep -q "\"transport\" : \"$t\"" \
    || { echo "switchboard-$t does not run on $t" >&2; exit 1; }
done

for t in "${TRANSPORTS[@]}"; do   # warm-up, the same for both
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" -H "Connection: close" "http://${VIP[$t]}:8080/" >/dev/null 2>&1 || true
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://${VIP[$t]}:8080/" >/dev/null 2>&1 || true
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://${VIP[$t]}:8081/" >/dev/null 2>&1 || true
  "${LOAD[@]}" window "${VIP[$t]}:5400" 16 5 64 8 >/dev/null
done

declare -A RESULTS   # RESULTS[transport/metric] = space-separated values, one per round
add() { RESULTS[$1/$2]="${RESULTS[$1/$2]:-} $3"; }
rps() { awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$1"; }
for round in $(seq "$REPEAT"); do
  # Alternate which goes first: a connection-rate load leaves TIME_WAIT sockets that slow the next
  # one's connect() (see bench/tcp.sh).
  order=("${TRANSPORTS[@]}"); [ $((round % 2)) -eq 0 ] && order=("${TRANSPORTS[1]}" "${TRANSPORTS[0]}")
  for t in "${order[@]}"; do
    add "$t" cps "$(rps "$(wrk -t1 -c"$CONNS" -d"${DURATION}s" -H "Connection: close" "http://${VIP[$t]}:8080/")")"
    add "$t" l4 "$(rps "$(wrk -t1 -c"$CONNS" -d"${DURATION}s" "http://${VIP[$t]}:8080/")")"
    add "$t" l7 "$(rps "$(wrk -t1 -c"$CONNS" -d"${DURATION}s" "http://${VIP[$t]}:8081/")")"
    out=$("${LOAD[@]}" window "${VIP[$t]}:5400" 16 "$DURATION" 64 8)
    add "$t" udp "$(sed -E 's/.*received_pps=([0-9]+).*/\1/' <<<"$out")"
  done
done

echo
echo "Switchboard on epoll vs io_uring, one run, medians of $REPEAT"
echo "machine: $(machine); $WORKERS worker thread(s) each; ${WARMUP}s warm-up per load; ${DURATION}s per load; wrk -t1 -c$CONNS; UDP 16 clients x 8 in flight, 64 bytes"
printf "%-38s %12s %12s %14s   %s\n" "metric" "epoll" "io_uring" "io_uring/epoll" "rounds (epoll | io_uring)"
for m in cps l4 l7 udp; do
  case $m in
    cps) label="new TCP connections/s (L4)";; l4) label="keep-alive requests/s (L4)";;
    l7) label="keep-alive requests/s (L7, http)";; udp) label="UDP echoed datagrams/s";;
  esac
  e=$(median "${RESULTS[epoll/$m]}"); u=$(median "${RESULTS[io_uring/$m]}")
  printf "%-38s %12s %12s %14s   %s |%s\n" "$label" "$e" "$u" "$(ratio "$u" "$e")" "${RESULTS[epoll/$m]}" "${RESULTS[io_uring/$m]}"
  result "$label" "switchboard epoll" "$e"
  result "$label" "switchboard io_uring" "$u"
done
write_results transports "Switchboard on epoll vs io_uring (medians of $REPEAT)"
