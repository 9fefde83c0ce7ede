#!/usr/bin/env bash
# HTTP side by side, one run: keep-alive requests per second and latency (wrk --latency) through
# Switchboard (appProtocol http: per-request balancing), HAProxy in mode http and nginx proxy_pass
# with upstream keepalive, all with WORKERS threads/processes, against the same nginx endpoints
# (ENDPOINTS of them), and direct to one endpoint. Every load is bounded by DURATION seconds.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

WORKERS="${WORKERS:-1}"
DURATION="${DURATION:-10}"
CONNS="${CONNS:-32}"
WARMUP="${WARMUP:-15}"
need haproxy haproxy; need nginx nginx; need wrk wrk
JAR="$(switchboard_jar)"

# Endpoints: one nginx worker answering a small body on 127.0.0.1:18181 and :18182.
mkdir -p "$WORK/proxy" "$WORK/manifests"
nginx_endpoints endpoint 18181 18182

cat >"$WORK/manifests/http.yaml" <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: http-bench, namespace: default}
spec:
  clusterIP: 127.0.0.100
  ports: [{name: http, port: 8080, targetPort: http, appProtocol: http}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: http-bench-1, namespace: default, labels: {kubernetes.io/service-name: http-bench}}
addressType: IPv4
ports: [{name: http, port: 18181}]
endpoints: [{addresses: [127.0.0.1]}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: http-bench-2, namespace: default, labels: {kubernetes.io/service-name: http-bench}}
addressType: IPv4
ports: [{name: http, port: 18182}]
endpoints: [{addresses: [127.0.0.1]}]
YAML
start switchboard java ${SWITCHBOARD_JAVA_OPTS:-} -jar "$JAR" run --config "$WORK/manifests" --workers "$WORKERS" \
  --admin 127.0.0.1:19903

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
  bind 127.0.0.101:8080
  default_backend endpoints
backend endpoints
  balance roundrobin
  server e1 127.0.0.1:18181
  server e2 127.0.0.1:18182
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
  upstream endpoints { server 127.0.0.1:18181; server 127.0.0.1:18182; keepalive 64; keepalive_requests 1000000; }
  server {
    listen 127.0.0.102:8080 reuseport backlog=4096;
    location / { proxy_pass http://endpoints; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
CONF
start proxy nginx -p "$WORK/proxy" -c "$WORK/proxy/nginx.conf" -g "daemon off;"
wait_port 127.0.0.1 18181; wait_port 127.0.0.100 8080; wait_port 127.0.0.101 8080; wait_port 127.0.0.102 8080

declare -A TARGET=([direct]=127.0.0.1:18181 [haproxy]=127.0.0.101:8080 [nginx]=127.0.0.102:8080 [switchboard]=127.0.0.100:8080)
declare -A RPS P50 P99
for t in direct haproxy nginx switchboard; do
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://${TARGET[$t]}/" >/dev/null 2>&1 || true
done
for t in direct haproxy nginx switchboard; do
  out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "http://${TARGET[$t]}/")
  RPS[$t]=$(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")
  P50[$t]=$(awk '$1 == "50%" {print $2}' <<<"$out")
  P99[$t]=$(awk '$1 == "99%" {print $2}' <<<"$out")
  if grep -q "Non-2xx" <<<"$out"; then echo "warning: $t answered non-2xx: $(grep Non-2xx <<<"$out")" >&2; fi
done

echo
echo "HTTP keep-alive through Switchboard (L7) vs HAProxy (mode http) vs nginx (proxy_pass, upstream keepalive) vs direct, one run"
echo "machine: $(machine); $(haproxy -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1); proxies with $WORKERS thread(s)/worker(s); 2 endpoints (nginx); ${WARMUP}s warm-up; ${DURATION}s per load; $CONNS connections"
printf "%-26s %12s %12s %12s %12s %8s %8s\n" "metric" "direct" "haproxy" "nginx" "switchboard" "sb/hap" "sb/ngx"
printf "%-26s %12s %12s %12s %12s %8s %8s\n" "requests/s" "${RPS[direct]}" "${RPS[haproxy]}" "${RPS[nginx]}" \
  "${RPS[switchboard]}" "$(ratio "${RPS[switchboard]}" "${RPS[haproxy]}")" "$(ratio "${RPS[switchboard]}" "${RPS[nginx]}")"
printf "%-26s %12s %12s %12s %12s\n" "latency p50" "${P50[direct]}" "${P50[haproxy]}" "${P50[nginx]}" "${P50[switchboard]}"
printf "%-26s %12s %12s %12s %12s\n" "latency p99" "${P99[direct]}" "${P99[haproxy]}" "${P99[nginx]}" "${P99[switchboard]}"
for t in direct haproxy nginx switchboard; do
  result "keep-alive requests/s" "$t" "${RPS[$t]}" "req/s"
  result "latency p50" "$t" "$(ms "${P50[$t]}")" "ms"
  result "latency p99" "$t" "$(ms "${P99[$t]}")" "ms"
done
write_results http "HTTP/1.1 keep-alive: Switchboard L7 vs HAProxy vs nginx vs direct"
