#!/usr/bin/env bash
# HTTP side by side, one run: keep-alive requests per second through Switchboard (appProtocol http:
# per-request balancing), HAProxy in mode http and nginx proxy_pass with upstream keepalive, all with
# WORKERS threads/processes, against the same nginx endpoints (2 of them), and direct to one endpoint.
# TRANSPORT (default auto) is Switchboard's --transport. Every proxy adds X-Forwarded-For, X-Forwarded-Proto and Forwarded, as Switchboard does, so each does the same work.
#
# 1. Throughput: wrk -t1 -c$CONNS, REPEAT rounds of DURATION seconds per target, alternating; medians
#    printed with each round's value, and each proxy's CPU time per request (its process and children,
#    over the round, divided by wrk's request count). wrk's own latency is taken at saturation, closed
#    loop (a slow response delays the next request on its connection); wrk 4 then estimates the requests
#    a stall kept from being sent (stats_correct: extra samples at the mean per-connection interval).
# 2. Latency at a fixed rate below saturation: FixedRateHttpLoad (bench module) sends RATE requests/s
#    in total over CONNS keep-alive connections for RATE_WARMUP + RATE_DURATION seconds, and counts each
#    request's latency from its intended send time (start + i/RATE), not from when it went out.
#    The default, RATE=auto, is a third of the slowest proxy's median from step 1 (rounded down to
#    1,000/s), so that it stays below saturation on a machine that runs at half the speed of another
#    (or of itself another day: 62,000 and 34,700 req/s for HAProxy on the same VM on 2026-12-06 and
#    -07, when the former default of 20,000/s saturated every proxy). The script warns when RATE is
#    above 70 % of the slowest proxy's median, which is no longer "below saturation". Each target's
#    StallTimeline (slowest request and generator timer lateness per 10 ms, by wall clock) goes to
#    $RESULTS_DIR/http-timeline-TARGET.csv, to put a slow stretch beside the target's own logs.
# Every load is bounded by its seconds.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

WORKERS="${WORKERS:-1}"
DURATION="${DURATION:-6}"
REPEAT="${REPEAT:-3}"
CONNS="${CONNS:-32}"
WARMUP="${WARMUP:-5}"
RATE="${RATE:-auto}"
RATE_DURATION="${RATE_DURATION:-8}"
RATE_WARMUP="${RATE_WARMUP:-2}"
need haproxy haproxy; need nginx nginx; need wrk wrk
JAR="$(switchboard_jar)"
LOAD_JAR="$REPO_DIR/bench/target/microbenchmarks.jar"  # the bench module with Netty: FixedRateHttpLoad
[ -f "$LOAD_JAR" ] || (cd "$REPO_DIR" && ./mvnw -q -B -ntp -DskipTests -pl bench -am package) >&2

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
start switchboard "$SWITCHBOARD" run --config "$WORK/manifests" --workers "$WORKERS" \
  --transport "${TRANSPORT:-auto}" \
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
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  http-request add-header Forwarded "for=%[src];proto=http"
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
    location / { proxy_pass http://endpoints; proxy_http_version 1.1; proxy_set_header Connection "";
                 proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; proxy_set_header X-Forwarded-Proto \$scheme;
                 proxy_set_header Forwarded "for=\$remote_addr;proto=\$scheme"; }
  }
}
CONF
start proxy nginx -p "$WORK/proxy" -c "$WORK/proxy/nginx.conf" -g "daemon off;"
wait_port 127.0.0.1 18181; wait_port 127.0.0.100 8080; wait_port 127.0.0.101 8080; wait_port 127.0.0.102 8080

TARGETS=(direct haproxy nginx switchboard)
PROXIES=(haproxy nginx switchboard)
declare -A TARGET=([direct]=127.0.0.1:18181 [haproxy]=127.0.0.101:8080 [nginx]=127.0.0.102:8080 [switchboard]=127.0.0.100:8080)
declare -A PIDFILE=([direct]=endpoint [haproxy]=haproxy [nginx]=proxy [switchboard]=switchboard)
for t in "${TARGETS[@]}"; do
  wrk -t1 -c"$CONNS" -d"${WARMUP}s" "http://${TARGET[$t]}/" >/dev/null 2>&1 || true
done

# 1. Throughput, REPEAT alternating rounds.
declare -A RPS P50 P99 CPU_US NON2XX
for round in $(seq "$REPEAT"); do
  for t in "${TARGETS[@]}"; do
    pid=$(cat "$WORK/${PIDFILE[$t]}.pid")
    cpu0=$(cpu_ms "$pid")
    out=$(wrk -t1 -c"$CONNS" -d"${DURATION}s" --latency "http://${TARGET[$t]}/")
    cpu1=$(cpu_ms "$pid")
    n=$(awk '/requests in/ {print $1}' <<<"$out")
    CPU_US[$t]="${CPU_US[$t]:-} $(awk -v c=$((cpu1 - cpu0)) -v n="${n:-0}" 'BEGIN {printf "%.1f", (n > 0 ? c * 1000 / n : 0)}')"
    RPS[$t]="${RPS[$t]:-} $(awk '/Requests\/sec/ {printf "%.0f", $2}' <<<"$out")"
    P50[$t]="${P50[$t]:-} $(ms "$(awk '$1 == "50%" {print $2}' <<<"$out")")"
    P99[$t]="${P99[$t]:-} $(ms "$(awk '$1 == "99%" {print $2}' <<<"$out")")"
    NON2XX[$t]="${NON2XX[$t]:-} $(awk '/Non-2xx/ {print $NF; found=1} END {if (!found) print 0}' <<<"$out")"
  done
done

# 2. Latency at RATE requests/s, open loop, one run per target (after the rounds, so all are warm).
slowest=$(for t in "${PROXIES[@]}"; do median "${RPS[$t]}"; done | sort -n | head -1)
if [ "$RATE" = auto ]; then
  RATE=$(( ${slowest:-3000} / 3 / 1000 * 1000 )); [ "$RATE" -ge 1000 ] || RATE=1000
fi
declare -A LAT
mkdir -p "$RESULTS_DIR"
for t in "${TARGETS[@]}"; do
  pid=$(cat "$WORK/${PIDFILE[$t]}.pid")
  cpu0=$(cpu_ms "$pid")
  LAT[$t]=$(java -Xms256m -Xmx256m -Dtimeline="$RESULTS_DIR/http${RESULT_SUFFIX:-}-timeline-$t.csv" \
    -cp "$LOAD_JAR" io.switchboard.bench.FixedRateHttpLoad "${TARGET[$t]}" "$CONNS" \
    "$RATE" "$RATE_DURATION" "$RATE_WARMUP" 2>>"$WORK/fixed-rate.log" | grep '^rate=') \
    || { echo "FixedRateHttpLoad failed against $t:" >&2; tail -3 "$WORK/fixed-rate.log" >&2; LAT[$t]="rate=-"; }
  cpu1=$(cpu_ms "$pid")
  LAT[$t]+=" cpu_us=$(awk -v c=$((cpu1 - cpu0)) -v n=$((RATE * (RATE_DURATION + RATE_WARMUP))) 'BEGIN {printf "%.1f", (n > 0 ? c * 1000 / n : 0)}')"
done
lat() {  # lat TARGET KEY: one field of that target's FixedRateHttpLoad line
  awk -v k="$2" '{for (i = 1; i <= NF; i++) {split($i, kv, "="); if (kv[1] == k) {print kv[2]; exit}} print "-"}' <<<"${LAT[$1]}"
}
for t in "${TARGETS[@]}"; do
  if [ "$(lat "$t" errors)" != 0 ] || [ "$(lat "$t" incomplete)" != 0 ]; then
    echo "warning: $t at $RATE/s: ${LAT[$t]}" >&2
  fi
done

if [ "${slowest:-0}" -gt 0 ] && [ $((RATE * 10)) -gt $((slowest * 7)) ]; then
  echo "warning: RATE=$RATE is above 70 % of the slowest proxy's median throughput ($slowest/s): not below saturation" >&2
fi

row() {  # row LABEL ARRAY [ratios]: the medians of ARRAY's rounds per target
  local -n a="$2"; local d h n s
  d=$(median "${a[direct]}"); h=$(median "${a[haproxy]}"); n=$(median "${a[nginx]}"); s=$(median "${a[switchboard]}")
  if [ -n "${3:-}" ]; then
    printf "%-26s %12s %12s %12s %12s %8s %8s\n" "$1" "$d" "$h" "$n" "$s" "$(ratio "$s" "$h")" "$(ratio "$s" "$n")"
  else
    printf "%-26s %12s %12s %12s %12s\n" "$1" "$d" "$h" "$n" "$s"
  fi
}
echo
echo "HTTP keep-alive through Switchboard (L7) vs HAProxy (mode http) vs nginx (proxy_pass, upstream keepalive) vs direct, one run"
echo "machine: $(machine); $(haproxy -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1); $(wrk -v 2>&1 | head -1 | cut -d' ' -f1-2); proxies with $WORKERS thread(s)/worker(s); 2 endpoints (nginx)"
echo "throughput: wrk -t1 -c$CONNS, ${WARMUP}s warm-up per target, medians of $REPEAT alternating rounds of ${DURATION}s"
printf "%-26s %12s %12s %12s %12s %8s %8s\n" "metric" "direct" "haproxy" "nginx" "switchboard" "sb/hap" "sb/ngx"
row "requests/s" RPS ratios
CPU_US[direct]="-"
row "proxy CPU us/request" CPU_US ratios
row "wrk p50 ms (saturated)" P50
row "wrk p99 ms (saturated)" P99
printf "%-26s %12s %12s %12s %12s\n" "rounds, req/s" "${RPS[direct]}" "${RPS[haproxy]}" "${RPS[nginx]}" "${RPS[switchboard]}"
printf "%-26s %12s %12s %12s %12s\n" "rounds, CPU us/request" "-" "${CPU_US[haproxy]}" "${CPU_US[nginx]}" "${CPU_US[switchboard]}"
printf "%-26s %12s %12s %12s %12s\n" "rounds, wrk p99 ms" "${P99[direct]}" "${P99[haproxy]}" "${P99[nginx]}" "${P99[switchboard]}"
printf "%-26s %12s %12s %12s %12s\n" "rounds, non-2xx" "${NON2XX[direct]}" "${NON2XX[haproxy]}" "${NON2XX[nginx]}" "${NON2XX[switchboard]}"
echo
echo "latency at a fixed $RATE requests/s (open loop, from each request's intended send time: no coordinated omission)"
echo "FixedRateHttpLoad, one event loop, $CONNS keep-alive connections, ${RATE_WARMUP}s unrecorded then ${RATE_DURATION}s recorded per target"
printf "%-26s %12s %12s %12s %12s\n" "metric" "direct" "haproxy" "nginx" "switchboard"
for k in p50_ms p90_ms p99_ms p999_ms max_ms send_lag_max_ms completed errors; do
  printf "%-26s %12s %12s %12s %12s\n" "$k" "$(lat direct $k)" "$(lat haproxy $k)" "$(lat nginx $k)" "$(lat switchboard $k)"
done
printf "%-26s %12s %12s %12s %12s\n" "proxy CPU us/request" "-" "$(lat haproxy cpu_us)" "$(lat nginx cpu_us)" "$(lat switchboard cpu_us)"

for t in "${TARGETS[@]}"; do
  result "keep-alive requests/s (median of $REPEAT)" "$t" "$(median "${RPS[$t]}")" "req/s"
done
for t in "${PROXIES[@]}"; do
  result "proxy CPU per request, wrk (median)" "$t" "$(median "${CPU_US[$t]}")" "us"
done
for k in p50 p99 p999; do
  for t in "${TARGETS[@]}"; do
    result "latency ${k/p999/p99.9} at $RATE req/s (open loop)" "$t" "$(lat "$t" "${k}_ms")" "ms"
  done
done
write_results http "HTTP/1.1 keep-alive: Switchboard L7 vs HAProxy vs nginx vs direct"
