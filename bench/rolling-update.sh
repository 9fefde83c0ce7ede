#!/usr/bin/env bash
# Restarting Switchboard under load, two ways, in one run:
#   restart: SIGTERM the running instance, then start a new one (a DaemonSet with maxUnavailable 1);
#   rolling: start a new one with --takeover, wait until it is ready, then SIGTERM the old one, which
#            drains (the shipped DaemonSet: maxSurge 1, maxUnavailable 0).
# Load during each, bounded by DURATION seconds: wrk (-t2 -c$CONNS) through an L7 port
# (appProtocol http) to two nginx endpoints, and a pool of POOL long L4 connections (each lives 2-6 s,
# one echo round trip every 100 ms) through an L4 port to Switchboard's demo backend. Everything runs
# in a network namespace this script makes (so net.ipv4.tcp_migrate_req, which --takeover sets,
# stays in it), with WORKERS event loops. Needs root.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
NS="sb-bench-$$"
trap 'stop_all; ip netns pids "$NS" 2>/dev/null | xargs -r kill 2>/dev/null; ip netns del "$NS" 2>/dev/null; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

WORKERS="${WORKERS:-1}"
DURATION="${DURATION:-20}"
CONNS="${CONNS:-50}"
POOL="${POOL:-20}"
DRAIN="${DRAIN:-20s}"
[ "$(id -u)" -eq 0 ] || { echo "needs root (it makes a network namespace)" >&2; exit 1; }
need nginx nginx; need wrk wrk; need python3 python3
JAR="$(switchboard_jar)"
ip netns add "$NS"
ip netns exec "$NS" ip link set lo up
in_ns() { ip netns exec "$NS" "$@"; }

mkdir -p "$WORK/endpoint" "$WORK/manifests"
cat >"$WORK/endpoint/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/endpoint/nginx.pid;
error_log $WORK/endpoint/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:18181 reuseport backlog=4096; location / { return 200 "ok\n"; } }
  server { listen 127.0.0.1:18182 reuseport backlog=4096; location / { return 200 "ok\n"; } }
}
CONF
start endpoint ip netns exec "$NS" nginx -p "$WORK/endpoint" -c "$WORK/endpoint/nginx.conf" -g "daemon off;"
start echo ip netns exec "$NS" java -Xmx128m -jar "$JAR" backend --listen 127.0.0.1:18190 --name a

cat >"$WORK/manifests/svc.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: web, namespace: default}
spec:
  clusterIP: 127.0.0.100
  ports: [{name: http, port: 8080, targetPort: http, appProtocol: http}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 18181}]
endpoints: [{addresses: [127.0.0.1]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-2, namespace: default, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: 18182}]
endpoints: [{addresses: [127.0.0.1]}]
---
apiVersion: v1
kind: Service
metadata: {name: l4, namespace: default}
spec:
  clusterIP: 127.0.0.101
  ports: [{name: tcp, port: 9000, targetPort: 18190}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: l4-1, namespace: default, labels: {kubernetes.io/service-name: l4}}
addressType: IPv4
ports: [{port: 18190}]
endpoints: [{addresses: [127.0.0.1]}]
YAML

cat >"$WORK/pool.py" <<'PY'
# A pool of long L4 connections: each lives 2-6 s with an echo round trip every 100 ms, then the next
# one opens. Prints: connections that ended as planned, connections cut, connects refused.
import random, socket, sys, threading, time
host, port, threads, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
end = time.time() + seconds
ok = cut = refused = 0
lock = threading.Lock()
def worker():
    global ok, cut, refused
    while time.time() < end:
        life = time.time() + random.uniform(2, 6)
        try:
            s = socket.create_connection((host, port), timeout=2)
        except OSError:
            with lock: refused += 1
            time.sleep(0.1); continue
        s.settimeout(5)
        f = s.makefile("rwb")
        try:
            i = 0
            while time.time() < life:
                f.write(b"m%d\n" % i); f.flush()
                line = f.readline()
                if i == 0 and line == b"a\n":
                    line = f.readline()
                if line != b"m%d\n" % i:
                    raise OSError("got %r" % line)
                i += 1
                time.sleep(0.1)
            with lock: ok += 1
        except OSError:
            with lock: cut += 1
        finally:
            s.close()
ts = [threading.Thread(target=worker) for _ in range(threads)]
for t in ts: t.start()
for t in ts: t.join()
print(ok, cut, refused)
PY

run_switchboard() {  # run_switchboard NAME [FLAGS...]: prints the PID
  local name="$1"; shift
  ip netns exec "$NS" "$SWITCHBOARD" run --config "$WORK/manifests" \
    --workers "$WORKERS" --admin 127.0.0.1:19904 --drain-timeout "$DRAIN" "$@" >"$WORK/$name.log" 2>&1 &
  echo $!
}
await_ready() {  # await_ready PID: until that process answers /readyz on the admin address
  local deadline=$((SECONDS + 60))
  until [ "$(in_ns python3 -c 'import json,urllib.request as u
try:
  i=json.load(u.urlopen("http://127.0.0.1:19904/api/v1/instance",timeout=1)); r=u.urlopen("http://127.0.0.1:19904/readyz",timeout=1).status
  print(i["pid"] if r==200 else 0)
except Exception: print(0)')" = "$1" ]; do
    [ $SECONDS -ge $deadline ] && { echo "instance $1 not ready in 60 s" >&2; return 1; }
    sleep 0.1
  done
}

await_exit() {  # await_exit PID: until that process is gone (it is not this shell's child)
  while kill -0 "$1" 2>/dev/null; do sleep 0.05; done
}

declare -A ERR RPS OK CUT REFUSED GAP
for mode in restart rolling; do
  old=$(run_switchboard "$mode-old")
  await_ready "$old"
  in_ns wrk -t2 -c"$CONNS" -d5s http://127.0.0.100:8080/ >/dev/null 2>&1 || true   # warm-up
  in_ns wrk -t2 -c"$CONNS" -d"${DURATION}s" http://127.0.0.100:8080/ >"$WORK/$mode-wrk.txt" 2>&1 &
  wrk_pid=$!
  in_ns python3 "$WORK/pool.py" 127.0.0.101 9000 "$POOL" "$DURATION" >"$WORK/$mode-pool.txt" &
  pool_pid=$!
  sleep $((DURATION / 4))
  t0=$(date +%s%N)
  if [ "$mode" = restart ]; then
    kill -TERM "$old"; await_exit "$old"
    new=$(run_switchboard "$mode-new"); await_ready "$new"
  else
    new=$(run_switchboard "$mode-new" --takeover); await_ready "$new"
    kill -TERM "$old"; await_exit "$old"
  fi
  GAP[$mode]=$(( ($(date +%s%N) - t0) / 1000000 ))
  wait "$wrk_pid" || true; wait "$pool_pid" || true
  kill -TERM "$new"; await_exit "$new"
  w="$WORK/$mode-wrk.txt"
  RPS[$mode]=$(awk '/Requests\/sec/ {printf "%.0f", $2}' "$w")
  sock=$(awk '/Socket errors/ {gsub(",", ""); print $4 + $6 + $8 + $10}' "$w"); sock=${sock:-0}
  non2xx=$(awk '/Non-2xx/ {print $5}' "$w"); non2xx=${non2xx:-0}
  ERR[$mode]=$((sock + non2xx))
  read -r OK[$mode] CUT[$mode] REFUSED[$mode] <"$WORK/$mode-pool.txt"
done

echo
echo "Machine: $(machine)"
echo "wrk -t2 -c$CONNS -d${DURATION}s through L7; $POOL long L4 connections; $WORKERS worker(s); drain timeout $DRAIN"
echo
echo "| update | HTTP req/s over the run | failed HTTP requests (wrk errors + non-2xx) | long L4 connections ended as planned | cut | refused connects | SIGTERM or start to done, ms |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for mode in restart rolling; do
  echo "| $mode | ${RPS[$mode]} | ${ERR[$mode]} | ${OK[$mode]} | ${CUT[$mode]} | ${REFUSED[$mode]} | ${GAP[$mode]} |"
done
