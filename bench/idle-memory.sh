#!/usr/bin/env bash
# Memory per idle relayed TCP connection, side by side in one run: CONNS connections (default
# 5,000; each proxy holds two descriptors per connection under this machine's 20,000 open-file cap)
# through HAProxy (mode tcp) and through Switchboard (L4), each with one thread, to the same demo
# endpoint. Each connection says hello and reads the endpoint's answer before it counts; then the
# proxy's resident memory (VmRSS) is read, SETTLE seconds later (the lowest of READINGS readings a
# second apart), and compared with before.
# Switchboard runs through the launcher (./switchboard) with its JVM flags, on TRANSPORT (default auto:
# --transport). Stops everything by PID.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'exec 3>&- 2>/dev/null || true; stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

CONNS="${CONNS:-5000}"
TRANSPORT="${TRANSPORT:-auto}"
SETTLE="${SETTLE:-12}"   # longer than the launcher's 10 s periodic GC
need haproxy haproxy
JAR="$(switchboard_jar)"

start endpoint java -Xmx256m -jar "$JAR" backend --listen 127.0.0.1:18190 --name e
mkdir -p "$WORK/manifests"
cat >"$WORK/manifests/idle.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: idle, namespace: default}
spec:
  clusterIP: 127.0.0.100
  ports: [{name: tcp, port: 8090, targetPort: 18190}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: idle-1, namespace: default, labels: {kubernetes.io/service-name: idle}}
addressType: IPv4
ports: [{name: tcp, port: 18190}]
endpoints: [{addresses: [127.0.0.1]}]
YAML
# Through the launcher, with the JVM flags users run it with (G1 hands back heap it no longer needs).
start switchboard "$REPO_DIR/switchboard" run --config "$WORK/manifests" --workers 1 --transport "$TRANSPORT" \
  --admin 127.0.0.1:19906 --udp-max-flows 64 --max-connections $((CONNS + 100))
cat >"$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn $((CONNS + 100))
defaults
  mode tcp
  timeout connect 2s
  timeout client 1h
  timeout server 1h
listen idle
  bind 127.0.0.101:8090
  maxconn $((CONNS + 100))
  server e 127.0.0.1:18190
CONF
start haproxy haproxy -f "$WORK/haproxy.cfg" -db
wait_port 127.0.0.1 18190; wait_port 127.0.0.100 8090; wait_port 127.0.0.101 8090
declare -A TARGET=([haproxy]=127.0.0.101 [switchboard]=127.0.0.100)
declare -A PID=([haproxy]="$(cat "$WORK/haproxy.pid")" [switchboard]="$(cat "$WORK/switchboard.pid")")
rss_kib() { awk '/^VmRSS/ {print $2}' "/proc/$1/status"; }
# The lowest of READINGS readings a second apart: a reading taken while the JVM holds heap it has not
# yet given back (before its periodic GC) would count that heap as per connection.
READINGS="${READINGS:-8}"
steady_rss_kib() {
  local low="" v i
  for i in $(seq "$READINGS"); do
    v=$(rss_kib "$1")
    if [ -z "$low" ] || [ "$v" -lt "$low" ]; then low=$v; fi
    sleep 1
  done
  echo "$low"
}

# One warm-up round per proxy, so first-use allocations (buffers, JIT) are not counted as per connection.
for t in haproxy switchboard; do
  "$PYTHON" "$BENCH_DIR/py/idle_connections.py" "${TARGET[$t]}" 8090 200 </dev/null >/dev/null
done
sleep "$SETTLE"
# Switchboard's live heap (a class histogram collects first), before and with the connections: a
# steadier figure than resident memory, which also moves as the heap's pages are first touched.
live_heap_bytes() { jcmd "$1" GC.class_histogram 2>/dev/null | awk '$1 == "Total" {print $3}'; }
LIVE_BEFORE=$(live_heap_bytes "${PID[switchboard]}")
sleep 2
declare -A BEFORE AFTER
for t in haproxy switchboard; do
  BEFORE[$t]=$(steady_rss_kib "${PID[$t]}")
  fifo="$WORK/hold-$t"; mkfifo "$fifo"
  "$PYTHON" "$BENCH_DIR/py/idle_connections.py" "${TARGET[$t]}" 8090 "$CONNS" <"$fifo" >"$WORK/clients-$t.out" &
  client=$!
  exec 3>"$fifo"
  deadline=$((SECONDS + 120))
  until grep -q "^open" "$WORK/clients-$t.out" 2>/dev/null; do
    kill -0 "$client" 2>/dev/null || { echo "clients through $t failed" >&2; exit 1; }
    [ $SECONDS -ge $deadline ] && { echo "clients through $t not all open after 120 s" >&2; exit 1; }
    sleep 0.5
  done
  sleep "$SETTLE"
  AFTER[$t]=$(steady_rss_kib "${PID[$t]}")
  [ "$t" = switchboard ] && LIVE_WITH=$(live_heap_bytes "${PID[$t]}")
  exec 3>&-
  wait "$client"
  sleep "$SETTLE"
done

echo
echo "Memory of $CONNS idle relayed TCP connections: Switchboard (L4) vs HAProxy (mode tcp), one run"
echo "machine: $(machine); $(haproxy -v | head -1 | cut -d' ' -f1-3); one thread each; resident memory (VmRSS) before and with the connections open"
printf "%-26s %12s %12s %14s\n" "proxy" "before, MiB" "with, MiB" "KiB/connection"
for t in haproxy switchboard; do
  per=$(awk -v a="${AFTER[$t]}" -v b="${BEFORE[$t]}" -v n="$CONNS" 'BEGIN {printf "%.1f", (a - b) / n}')
  printf "%-26s %12s %12s %14s\n" "$t" "$(awk -v k="${BEFORE[$t]}" 'BEGIN {printf "%.1f", k / 1024}')" \
    "$(awk -v k="${AFTER[$t]}" 'BEGIN {printf "%.1f", k / 1024}')" "$per"
  result "resident memory per idle connection" "$t" "$per" "KiB"
done
if [ -n "${LIVE_BEFORE:-}" ] && [ -n "${LIVE_WITH:-}" ]; then
  echo "switchboard live heap: $(awk -v b="$LIVE_BEFORE" 'BEGIN {printf "%.1f", b / 1048576}') MiB before, $(awk -v a="$LIVE_WITH" 'BEGIN {printf "%.1f", a / 1048576}') MiB with, $(awk -v a="$LIVE_WITH" -v b="$LIVE_BEFORE" -v n="$CONNS" 'BEGIN {printf "%.2f", (a - b) / n / 1024}') KiB per connection (class histogram; buffers are off-heap and not in it)"
fi
write_results idle-memory "Memory per idle relayed TCP connection ($CONNS): Switchboard vs HAProxy"
