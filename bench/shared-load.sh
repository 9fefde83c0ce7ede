#!/usr/bin/env bash
# Seed 002, measured: least-connection balancing across a fleet. Three endpoints count their
# concurrent connections; CLIENTS clients (client k through instance k % N) loop over long-held
# (2-5 s, probability LONG_P) and short (20-100 ms) connections for DURATION seconds, sampled every
# 50 ms at the endpoints. Modes, in one run, each with fresh instances on one etcd:
#   single       one Switchboard takes all the traffic (the goal: one node's view of the load);
#   fleet-off    three Switchboards, each counting only its own connections (kube-proxy IPVS lc);
#   fleet-500ms  three, with switchboard.io/shared-load and the default 500 ms publish interval;
#   fleet-100ms  the same, publishing every 100 ms.
# Instances are separate processes, each on its own node-port address on loopback (127.0.0.7x).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

DURATION="${DURATION:-20}"
CLIENTS="${CLIENTS:-30}"
LONG_P="${LONG_P:-0.25}"
SEED="${SEED:-2}"
need etcd etcd-server; need python3 python3
JAR="$(switchboard_jar)"
ETCD="http://127.0.0.1:23791"
start etcd etcd --name bench --data-dir "$WORK/etcd" --listen-client-urls "$ETCD" --advertise-client-urls "$ETCD" \
  --listen-peer-urls http://127.0.0.1:23801 --initial-advertise-peer-urls http://127.0.0.1:23801 \
  --initial-cluster bench=http://127.0.0.1:23801
wait_port 127.0.0.1 23791

manifests() {  # manifests SHARED: the Service and its endpoints, into $WORK/m
  mkdir -p "$WORK/m"
  cat >"$WORK/m/svc.yaml" <<YAML
apiVersion: v1
kind: Service
metadata:
  name: seed
  namespace: bench
  annotations: {switchboard.io/scheduler: lc, switchboard.io/shared-load: "$1"}
spec:
  type: NodePort
  clusterIP: 127.0.6.100
  ports: [{port: 80, targetPort: 9100, nodePort: 31100}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: seed-1, namespace: bench, labels: {kubernetes.io/service-name: seed}}
addressType: IPv4
ports: [{port: 9100}]
endpoints:
- addresses: [127.0.8.61]
- addresses: [127.0.8.62]
- addresses: [127.0.8.63]
YAML
  java -jar "$JAR" etcd put "$WORK/m" --etcd "$ETCD" >/dev/null
}

run_mode() {  # run_mode NAME INSTANCES SHARED INTERVAL
  local name="$1" n="$2" shared="$3" interval="$4" addrs="" i
  manifests "$shared"
  for i in $(seq 1 "$n"); do addrs="${addrs:+$addrs,}127.0.0.7$i:31100"; done
  python3 "$BENCH_DIR/py/shared_load_driver.py" "$addrs" "$DURATION" "$CLIENTS" "$LONG_P" "$SEED" \
    >"$WORK/$name.json" 2>"$WORK/$name-driver.log" &
  local driver=$!
  wait_port 127.0.8.63 9100
  local pids=()
  for i in $(seq 1 "$n"); do
    SWITCHBOARD_JAVA_OPTS=-Xmx256m "$SWITCHBOARD" run --etcd "$ETCD" --shared-load-interval "$interval" --fleet-ttl 5 \
      --node-name "node-$i" --admin "127.0.0.1:1995$i" --nodeport-addresses "127.0.0.7$i" --workers 1 \
      >"$WORK/$name-node-$i.log" 2>&1 &
    pids+=("$!")
  done
  wait "$driver"
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
}

run_mode single 1 false 500ms
run_mode fleet-off 3 false 500ms
run_mode fleet-500ms 3 true 500ms
run_mode fleet-100ms 3 true 100ms

echo "machine: $(machine)"
echo "load: $CLIENTS clients for ${DURATION}s, long-held (2-5 s) with probability $LONG_P, else 20-100 ms; lc; seed $SEED"
printf '%-12s %10s %10s %11s %11s %8s %s\n' mode "mean max/min" "peak max/min" "mean spread" "peak spread" failures "connections per endpoint"
for m in single fleet-off fleet-500ms fleet-100ms; do
  python3 - "$WORK/$m.json" "$m" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))
print(f"{sys.argv[2]:<12} {r['mean_ratio']:>12} {r['peak_ratio']:>12} {r['mean_spread']:>11} {r['peak_spread']:>11} {r['failures']:>8} {r['connections']}")
PY
done
