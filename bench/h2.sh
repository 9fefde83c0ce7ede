#!/usr/bin/env bash
# HTTP/2 clients side by side, one run: h2load (nghttp2-client) with CLIENTS connections x STREAMS
# concurrent streams, over cleartext HTTP/2 with prior knowledge, through Switchboard (appProtocol
# http: each request balanced on its own), HAProxy (mode http, bind proto h2) and nginx (listen
# http2, proxy_pass with upstream keepalive), all with WORKERS threads/processes, to the same three
# HTTP/1.1 nginx endpoints. REPEAT rounds per target, alternating; medians printed. Every load is
# bounded by DURATION seconds.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

WORKERS="${WORKERS:-1}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-6}"
REPEAT="${REPEAT:-3}"
CLIENTS="${CLIENTS:-10}"
STREAMS="${STREAMS:-10}"
need haproxy haproxy; need nginx nginx; need h2load nghttp2-client
JAR="$(switchboard_jar)"

mkdir -p "$WORK/proxy" "$WORK/manifests"
nginx_endpoints endpoint 18181 18182 18183

{
  cat <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: h2-bench, namespace: default}
spec:
  clusterIP: 127.0.0.100
  ports: [{name: http, port: 8082, targetPort: http, appProtocol: http}]
YAML
  endpoint_slices h2-bench http 18181 18182 18183
} >"$WORK/manifests/h2.yaml"
start switchboard "$SWITCHBOARD" run --config "$WORK/manifests" --workers "$WORKERS" \
  --admin 127.0.0.1:19905

cat >"$WORK/haproxy.cfg" <<CONF
global
  nbthread $WORKERS
  maxconn 9000
defaults
  mode http
  option http-keep-alive
  http-reuse always
  timeout connect 2s
  timeout client 60s
  timeout server 60s
frontend web
  bind 127.0.0.101:8082 proto h2
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  http-request add-header Forwarded "for=%[src];proto=http"
  default_backend endpoints
backend endpoints
  balance roundrobin
  server e1 127.0.0.1:18181
  server e2 127.0.0.1:18182
  server e3 127.0.0.1:18183
CONF
start haproxy haproxy -f "$WORK/haproxy.cfg" -db

cat >"$WORK/proxy/nginx.conf" <<CONF
worker_processes $WORKERS;
pid $WORK/proxy/nginx.pid;
error_log $WORK/proxy/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  http2_max_requests 1000000;
  upstream endpoints { server 127.0.0.1:18181; server 127.0.0.1:18182; server 127.0.0.1:18183;
                       keepalive 200; keepalive_requests 1000000; }
  server {
    listen 127.0.0.102:8082 http2 reuseport backlog=4096;
    location / { proxy_pass http://endpoints; proxy_http_version 1.1; proxy_set_header Connection "";
                 proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto \$scheme;
                 proxy_set_header Forwarded "for=\$remote_addr;proto=\$scheme"; }
  }
}
CONF
start proxy nginx -p "$WORK/proxy" -c "$WORK/proxy/nginx.conf" -g "daemon off;"
wait_port 127.0.0.1 18181; wait_port 127.0.0.100 8082; wait_port 127.0.0.101 8082; wait_port 127.0.0.102 8082

TARGETS=(haproxy nginx switchboard)
declare -A TARGET=([haproxy]=127.0.0.101:8082 [nginx]=127.0.0.102:8082 [switchboard]=127.0.0.100:8082)
declare -A PIDFILE=([haproxy]=haproxy [nginx]=proxy [switchboard]=switchboard)
load() {  # load TARGET SECONDS: h2load's output
  h2load -c "$CLIENTS" -m "$STREAMS" -t 1 -D "$2" "http://${TARGET[$1]}/" 2>&1
}
for t in "${TARGETS[@]}"; do
  load "$t" "$WARMUP" >/dev/null || true
done
declare -A RPS FAILED CPU_US
for round in $(seq "$REPEAT"); do
  for t in "${TARGETS[@]}"; do
    pid=$(cat "$WORK/${PIDFILE[$t]}.pid")
    cpu0=$(cpu_ms "$pid")
    out=$(load "$t" "$DURATION")
    cpu1=$(cpu_ms "$pid")
    done_requests=$(awk '/^requests:/ {print $6}' <<<"$out")
    CPU_US[$t]="${CPU_US[$t]:-} $(awk -v c=$((cpu1 - cpu0)) -v n="${done_requests:-0}" 'BEGIN {printf "%.1f", (n > 0 ? c * 1000 / n : 0)}')"
    RPS[$t]="${RPS[$t]:-} $(awk '/^finished in/ {gsub(",", "", $4); printf "%.0f", $4}' <<<"$out")"
    FAILED[$t]="${FAILED[$t]:-} $(awk '/^requests:/ {print $10}' <<<"$out")"
  done
done

echo
echo "HTTP/2 clients (h2load -c$CLIENTS -m$STREAMS, h2c) through Switchboard (L7) vs HAProxy (proto h2) vs nginx (http2), 3 HTTP/1.1 nginx endpoints, one run, medians of $REPEAT"
echo "machine: $(machine); $(haproxy -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1); $(h2load --version | head -1); proxies with $WORKERS thread(s)/worker(s); ${WARMUP}s warm-up; ${DURATION}s per load"
printf "%-22s %12s %12s %12s %8s %8s\n" "metric" "haproxy" "nginx" "switchboard" "sb/hap" "sb/ngx"
h=$(median "${RPS[haproxy]}"); n=$(median "${RPS[nginx]}"); s=$(median "${RPS[switchboard]}")
printf "%-22s %12s %12s %12s %8s %8s\n" "requests/s" "$h" "$n" "$s" "$(ratio "$s" "$h")" "$(ratio "$s" "$n")"
h=$(median "${CPU_US[haproxy]}"); n=$(median "${CPU_US[nginx]}"); s=$(median "${CPU_US[switchboard]}")
printf "%-22s %12s %12s %12s %8s %8s\n" "proxy CPU us/request" "$h" "$n" "$s" "$(ratio "$s" "$h")" "$(ratio "$s" "$n")"
printf "%-22s %12s %12s %12s\n" "failed (per round)" "${FAILED[haproxy]}" "${FAILED[nginx]}" "${FAILED[switchboard]}"
printf "%-22s %12s %12s %12s\n" "rounds, req/s" "${RPS[haproxy]}" "${RPS[nginx]}" "${RPS[switchboard]}"
for t in "${TARGETS[@]}"; do
  result "requests/s (median)" "$t" "$(median "${RPS[$t]}")" "req/s"
  result "proxy CPU per request (median)" "$t" "$(median "${CPU_US[$t]}")" "us"
done
write_results h2 "HTTP/2 clients: Switchboard L7 vs HAProxy proto h2 vs nginx http2 (h2load -c$CLIENTS -m$STREAMS)"
