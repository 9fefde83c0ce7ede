#!/usr/bin/env bash
# System calls per relayed L4 connection, one run: strace -c counts every call a proxy makes while
# wrk opens CONNECTIONS connections with one request each (-H "Connection: close") through it, for
# Switchboard on epoll, Switchboard on io_uring and HAProxy (mode tcp), all with one worker thread
# in front of the same nginx endpoint. strace slows what it traces, so the rates here are not
# throughput figures; the counts per connection are what a connection costs the kernel interface.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

SECONDS_TRACED="${SECONDS_TRACED:-3}"
need haproxy haproxy; need nginx nginx; need wrk wrk; need strace strace
JAR="$(switchboard_jar)"
mkdir -p "$WORK/manifests"
nginx_endpoints endpoint 18181
for t in epoll io_uring; do
  vip=127.0.0.100; [ "$t" = io_uring ] && vip=127.0.0.103
  cat >"$WORK/manifests/$t.yaml" <<YAML
apiVersion: v1
kind: Service
metadata: {name: l4-$t, namespace: default}
spec:
  clusterIP: $vip
  ports: [{name: tcp, port: 8080, targetPort: 18181}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: l4-$t-1, namespace: default, labels: {kubernetes.io/service-name: l4-$t}}
addressType: IPv4
ports: [{name: tcp, port: 18181}]
endpoints: [{addresses: [127.0.0.1]}]
YAML
done
# Each instance serves both Services; the load goes to one address per instance.
start sb-epoll "$SWITCHBOARD" run --config "$WORK/manifests" --workers 1 --transport epoll --admin 127.0.0.1:19931
cat >"$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 9000
defaults
  mode tcp
  timeout connect 2s
  timeout client 60s
  timeout server 60s
frontend f
  bind 127.0.0.101:8080
  default_backend b
backend b
  server e1 127.0.0.1:18181
CONF
start haproxy haproxy -f "$WORK/haproxy.cfg" -db
wait_port 127.0.0.1 18181; wait_port 127.0.0.100 8080; wait_port 127.0.0.101 8080

declare -A TOTAL CALLS
trace() {  # trace NAME PIDFILE TARGET: per-connection counts of the traced proxy
  local name="$1" pid target="$3" spid out n
  pid=$(cat "$WORK/$2.pid")
  wrk -t1 -c20 -d3s -H "Connection: close" "http://$target:8080/" >/dev/null  # warm-up, untraced
  strace -f -c -o "$WORK/$name.strace" -p "$pid" 2>/dev/null &
  spid=$!
  sleep 1
  out=$(wrk -t1 -c20 -d"${SECONDS_TRACED}s" -H "Connection: close" "http://$target:8080/")
  sleep 0.5
  kill -INT "$spid"; wait "$spid" || true
  n=$(awk '/requests in/ {print $1}' <<<"$out")
  TOTAL[$name]=$(awk -v n="$n" 'NR > 2 && $NF != "total" && $4 ~ /^[0-9]+$/ {c += $4} END {printf "%.1f", c / n}' \
    "$WORK/$name.strace")
  CALLS[$name]=$(awk -v n="$n" 'NR > 2 && $NF != "total" && $4 ~ /^[0-9]+$/ && $4 / n >= 0.05 {printf "%s %.2f, ", $NF, $4 / n}' \
    "$WORK/$name.strace" | sed 's/, $//')
  echo "$name: $n connections traced" >&2
}
trace switchboard-epoll sb-epoll 127.0.0.100
kill "$(cat "$WORK/sb-epoll.pid")"; wait "$(cat "$WORK/sb-epoll.pid")" 2>/dev/null || true
start sb-io_uring "$SWITCHBOARD" run --config "$WORK/manifests" --workers 1 --transport io_uring --admin 127.0.0.1:19932
wait_port 127.0.0.103 8080
trace switchboard-io_uring sb-io_uring 127.0.0.103
trace haproxy haproxy 127.0.0.101

echo
echo "System calls per relayed L4 connection (strace -c -f over ${SECONDS_TRACED}s of wrk -c20 -H 'Connection: close'), one run"
echo "machine: $(machine); $(haproxy -v | head -1 | cut -d' ' -f1-3); one worker thread each"
for name in switchboard-epoll switchboard-io_uring haproxy; do
  printf "%-22s %6s per connection: %s\n" "$name" "${TOTAL[$name]}" "${CALLS[$name]}"
  result "system calls per connection" "$name" "${TOTAL[$name]}" "calls"
done
write_results syscalls "System calls per relayed L4 connection: Switchboard epoll and io_uring vs HAProxy"
