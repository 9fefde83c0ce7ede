#!/usr/bin/env bash
# Seed 002, long-lived imbalance: three nginx endpoints (each answering its own name), CLIENTS
# clients (default 3) that each hold ONE keep-alive connection and send REQUESTS requests on it
# (default 500), REPS repetitions (default 20) with fresh connections each, after one uncounted
# repetition. Per target it reports how the requests spread over the endpoints: the busiest
# endpoint's share (median and worst over the repetitions; 0.33 is even, 1.00 all on one), the
# coefficient of variation of the per-endpoint counts (median), the repetitions in which an
# endpoint got nothing, and the endpoints one connection reached (1.00 = pinned). Then the same with
# uneven clients (UNEVEN requests per connection, default 150,350,1000: one busy client), where
# even a perfect connection-level split leaves the busy client's endpoint with its whole load. Targets:
#   switchboard-l4         plain Service port, default scheduler rr (connection-level balancing)
#   switchboard-l4-random  the same with switchboard.io/scheduler: random (kube-proxy iptables)
#   switchboard-l7         appProtocol: http (per-request balancing)
#   haproxy-tcp            HAProxy mode tcp, balance roundrobin
#   haproxy-http           HAProxy mode http, balance roundrobin, keep-alive both sides
#   nginx-stream           nginx stream proxy_pass (round robin)
#   nginx-http             nginx proxy_pass with upstream keepalive (round robin)
# Each target's client run is bounded by TIMEOUT seconds (default 60).
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

CLIENTS="${CLIENTS:-3}"
REQUESTS="${REQUESTS:-500}"
UNEVEN="${UNEVEN-150,350,1000}"
REPS="${REPS:-20}"
TIMEOUT="${TIMEOUT:-60}"
need haproxy haproxy; need nginx nginx
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || need /usr/lib/nginx/modules/ngx_stream_module.so libnginx-mod-stream
JAR="$(switchboard_jar)"

# Endpoints: one nginx worker, e1 e2 e3 on 127.0.12.1-3:18301, each answering its name.
mkdir -p "$WORK/endpoints" "$WORK/proxy" "$WORK/manifests"
cat >"$WORK/endpoints/nginx.conf" <<CONF
worker_processes 1;
pid $WORK/endpoints/nginx.pid;
error_log $WORK/endpoints/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  keepalive_requests 1000000;
  keepalive_timeout 60s;
  server { listen 127.0.12.1:18301; location / { return 200 "e1\n"; } }
  server { listen 127.0.12.2:18301; location / { return 200 "e2\n"; } }
  server { listen 127.0.12.3:18301; location / { return 200 "e3\n"; } }
}
CONF
start endpoints nginx -p "$WORK/endpoints" -c "$WORK/endpoints/nginx.conf" -g "daemon off;"

# Switchboard: three Services over the same three endpoints.
service() {  # service NAME VIP ANNOTATIONS APP_PROTOCOL
  cat <<YAML
---
apiVersion: v1
kind: Service
metadata: {name: $1, namespace: bench, annotations: {$3}}
spec:
  clusterIP: $2
  ports: [{name: http, port: 8080, targetPort: 18301$4}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $1-1, namespace: bench, labels: {kubernetes.io/service-name: $1}}
addressType: IPv4
ports: [{name: http, port: 18301}]
endpoints: [{addresses: [127.0.12.1]}, {addresses: [127.0.12.2]}, {addresses: [127.0.12.3]}]
YAML
}
{
  service l4 127.0.12.10 "" ""
  service l4-random 127.0.12.11 "switchboard.io/scheduler: random" ""
  service l7 127.0.12.12 "" ", appProtocol: http"
} >"$WORK/manifests/imbalance.yaml"
start switchboard "$SWITCHBOARD" run --config "$WORK/manifests" --workers 1 \
  --admin 127.0.0.1:19907

cat >"$WORK/haproxy.cfg" <<CONF
global
  nbthread 1
  maxconn 1000
defaults
  timeout connect 2s
  timeout client 60s
  timeout server 60s
listen tcp
  mode tcp
  bind 127.0.12.20:8080
  balance roundrobin
  server e1 127.0.12.1:18301
  server e2 127.0.12.2:18301
  server e3 127.0.12.3:18301
listen http
  mode http
  option http-keep-alive
  bind 127.0.12.21:8080
  balance roundrobin
  server e1 127.0.12.1:18301
  server e2 127.0.12.2:18301
  server e3 127.0.12.3:18301
CONF
start haproxy haproxy -f "$WORK/haproxy.cfg" -db

cat >"$WORK/proxy/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1;
pid $WORK/proxy/nginx.pid;
error_log $WORK/proxy/error.log warn;
events { worker_connections 1024; }
stream {
  upstream endpoints { server 127.0.12.1:18301; server 127.0.12.2:18301; server 127.0.12.3:18301; }
  server { listen 127.0.12.30:8080; proxy_pass endpoints; }
}
http {
  access_log off;
  keepalive_requests 1000000;
  upstream endpoints { server 127.0.12.1:18301; server 127.0.12.2:18301; server 127.0.12.3:18301; keepalive 16; }
  server {
    listen 127.0.12.31:8080;
    location / { proxy_pass http://endpoints; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
start proxy nginx -p "$WORK/proxy" -c "$WORK/proxy/nginx.conf" -g "daemon off;"

TARGETS=(switchboard-l4 switchboard-l4-random switchboard-l7 haproxy-tcp haproxy-http nginx-stream nginx-http)
declare -A ADDR=([switchboard-l4]=127.0.12.10:8080 [switchboard-l4-random]=127.0.12.11:8080
  [switchboard-l7]=127.0.12.12:8080 [haproxy-tcp]=127.0.12.20:8080 [haproxy-http]=127.0.12.21:8080
  [nginx-stream]=127.0.12.30:8080 [nginx-http]=127.0.12.31:8080)
for e in 1 2 3; do wait_port "127.0.12.$e" 18301; done
for t in "${TARGETS[@]}"; do wait_port "${ADDR[$t]%:*}" "${ADDR[$t]#*:}"; done

# Two phases: even clients (REQUESTS each), then uneven ones (UNEVEN, one count per client: one
# busy client and two light ones; UNEVEN="" skips it).
PHASES=(even); [ -n "$UNEVEN" ] && PHASES+=(uneven)
declare -A LOAD=([even]="$REQUESTS" [uneven]="$UNEVEN")
declare -A ROW
for phase in "${PHASES[@]}"; do
  for t in "${TARGETS[@]}"; do
    if timeout "$TIMEOUT" "$PYTHON" "$BENCH_DIR/py/imbalance_client.py" "${ADDR[$t]}" "$CLIENTS" "${LOAD[$phase]}" "$REPS" \
        >"$WORK/$phase-$t.json"; then
      ROW[$phase/$t]=$("$PYTHON" -c '
import json, sys
s = json.load(open(sys.argv[1]))["summary"]
f = lambda v, p="%.2f": "-" if v is None else p % v
t = s["totals"]
print(f(s["max_share_median"]), f(s["max_share_worst"]), f(s["cv_median"]), s["idle_reps"], f(s["per_conn"]),
      "%d/%d/%d" % (t["e1"], t["e2"], t["e3"]), s["errors"] + s["reconnects"] + s["unknown"])' "$WORK/$phase-$t.json")
    else
      echo "warning: $phase $t: the client run failed or timed out after ${TIMEOUT}s" >&2
      ROW[$phase/$t]="- - - - - - -"
    fi
  done
done

echo
echo "Long-lived imbalance (seed 002): $CLIENTS clients x 1 keep-alive connection, $REPS repetitions (fresh connections each), 3 endpoints"
echo "machine: $(machine); $(haproxy -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1); proxies with 1 thread/worker"
for phase in "${PHASES[@]}"; do
  echo
  if [ "$phase" = even ]; then
    echo "even clients: $REQUESTS requests per connection"
  else
    echo "uneven clients: $UNEVEN requests on the three connections"
  fi
  printf "%-22s %10s %8s %7s %10s %9s %18s %7s\n" "target" "max share" "worst" "CV" "idle reps" "eps/conn" "requests e1/e2/e3" "errors"
  for t in "${TARGETS[@]}"; do
    read -r share worst cv idle per totals errors <<<"${ROW[$phase/$t]}"
    printf "%-22s %10s %8s %7s %10s %9s %18s %7s\n" "$t" "$share" "$worst" "$cv" "$idle/$REPS" "$per" "$totals" "$errors"
    result "$phase: busiest endpoint's share (median)" "$t" "$share"
    result "$phase: CV of requests per endpoint (median)" "$t" "$cv"
    if [ "$phase" = even ]; then
      result "$phase: repetitions with an idle endpoint (of $REPS)" "$t" "$idle"
      result "$phase: endpoints reached per connection" "$t" "$per"
    fi
  done
done
echo
echo "max share: the busiest endpoint's share of a repetition's requests, median and worst over the repetitions; 0.33 is even, 1.00 all on one"
echo "CV: coefficient of variation of the requests per endpoint, median; idle reps: repetitions in which an endpoint answered nothing"
echo "eps/conn: endpoints one connection's requests reached, mean (1.00 = pinned); errors: failed requests, reconnects, unknown answers"
write_results imbalance "Long-lived keep-alive imbalance (seed 002): $CLIENTS clients, one connection each, $REPS repetitions"
