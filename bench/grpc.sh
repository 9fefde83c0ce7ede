#!/usr/bin/env bash
# gRPC unary calls side by side, one run: through Switchboard (appProtocol grpc: each call balanced on
# its own over HTTP/2 upstream streams), HAProxy (mode http, bind and server proto h2) and nginx
# (listen http2, grpc_pass with upstream keepalive), all with WORKERS threads/processes, and direct to
# one endpoint, to the same three grpc-java endpoints (GrpcBench serve: one JVM, ENDPOINT_THREADS
# event loop threads). Two loads per target and round, both CLIENTS connections x STREAMS calls in
# flight: h2load (nghttp2-client, one thread, a 5-byte gRPC request frame), which compares the
# proxies' throughput, and grpc-java's own client (GrpcBench load, CLIENT_THREADS event loop
# threads), which checks every call: one counts only when it ends with grpc-status 0 and a reply,
# every other ending is a failure by status code. On 2 cores the grpc-java client, not the proxy, is
# its own bottleneck, so its calls/s and latencies are the client's more than the proxy's. REPEAT
# rounds per target, alternating; medians printed. Every load is bounded by DURATION seconds.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

WORKERS="${WORKERS:-1}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-10}"
REPEAT="${REPEAT:-3}"
CLIENTS="${CLIENTS:-10}"
STREAMS="${STREAMS:-10}"
CLIENT_THREADS="${CLIENT_THREADS:-1}"
CLIENT_WARMUP="${CLIENT_WARMUP:-2}"   # uncounted seconds inside each grpc-java client run (its own JIT)
ENDPOINT_THREADS="${ENDPOINT_THREADS:-1}"
need haproxy haproxy; need nginx nginx; need h2load nghttp2-client
JAR="$(switchboard_jar)"
BENCH_JAR="$REPO_DIR/bench/target/microbenchmarks.jar"
if [ ! -f "$BENCH_JAR" ]; then
  (cd "$REPO_DIR" && ./mvnw -q -B -DskipTests -pl bench -am package) >&2
fi
GRPC=(java -cp "$BENCH_JAR" io.switchboard.bench.GrpcBench)
GRPC_VERSION="$("${GRPC[@]}" version 2>/dev/null)"

mkdir -p "$WORK/proxy" "$WORK/manifests"
PORTS=(19281 19282 19283)
start endpoints "${GRPC[@]}" serve "$ENDPOINT_THREADS" e1=127.0.0.1:19281 e2=127.0.0.1:19282 e3=127.0.0.1:19283

{
  cat <<'YAML'
apiVersion: v1
kind: Service
metadata: {name: grpc-bench, namespace: default}
spec:
  clusterIP: 127.0.0.100
  ports: [{name: grpc, port: 8084, targetPort: grpc, appProtocol: grpc}]
YAML
  endpoint_slices grpc-bench grpc "${PORTS[@]}"
} >"$WORK/manifests/grpc.yaml"
start switchboard "$SWITCHBOARD" run --config "$WORK/manifests" --workers "$WORKERS" \
  --admin 127.0.0.1:19907

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
frontend grpc
  bind 127.0.0.101:8084 proto h2
  option forwardfor
  http-request set-header X-Forwarded-Proto http
  http-request add-header Forwarded "for=%[src];proto=http"
  default_backend endpoints
backend endpoints
  balance roundrobin
  server e1 127.0.0.1:19281 proto h2
  server e2 127.0.0.1:19282 proto h2
  server e3 127.0.0.1:19283 proto h2
CONF
start haproxy haproxy -f "$WORK/haproxy.cfg" -db

# grpc_pass sends one call at a time on an upstream connection: with fewer idle ones kept than calls
# in flight (CLIENTS x STREAMS), nginx opens and closes HTTP/2 connections all the time (keepalive 64
# against 100 calls: 11k calls/s; 256: 34k on this machine).
KEEPALIVE=$(( CLIENTS * STREAMS > 64 ? CLIENTS * STREAMS * 2 : 128 ))
cat >"$WORK/proxy/nginx.conf" <<CONF
worker_processes $WORKERS;
pid $WORK/proxy/nginx.pid;
error_log $WORK/proxy/error.log warn;
events { worker_connections 8192; }
http {
  access_log off;
  keepalive_requests 1000000;
  http2_max_requests 1000000;
  upstream endpoints { server 127.0.0.1:19281; server 127.0.0.1:19282; server 127.0.0.1:19283;
                       keepalive $KEEPALIVE; keepalive_requests 1000000; }
  server {
    listen 127.0.0.102:8084 http2 reuseport backlog=4096;
    location / { grpc_pass grpc://endpoints;
                 grpc_set_header X-Forwarded-For \$proxy_add_x_forwarded_for; grpc_set_header X-Forwarded-Proto \$scheme;
                 grpc_set_header Forwarded "for=\$remote_addr;proto=\$scheme"; }
  }
}
CONF
start proxy nginx -p "$WORK/proxy" -c "$WORK/proxy/nginx.conf" -g "daemon off;"
for p in "${PORTS[@]}"; do wait_port 127.0.0.1 "$p"; done
wait_port 127.0.0.100 8084; wait_port 127.0.0.101 8084; wait_port 127.0.0.102 8084

TARGETS=(direct haproxy nginx switchboard)
declare -A TARGET=([direct]=127.0.0.1:19281 [haproxy]=127.0.0.101:8084 [nginx]=127.0.0.102:8084
  [switchboard]=127.0.0.100:8084)
printf '\0\0\0\0\0' >"$WORK/request.bin"  # one gRPC message frame: uncompressed, length 0 (an empty request)
java_load() {  # java_load TARGET SECONDS: GrpcBench's one line of key=value pairs
  "${GRPC[@]}" load "${TARGET[$1]}" "$CLIENTS" "$STREAMS" "$2" "$CLIENT_WARMUP" "$CLIENT_THREADS" 2>/dev/null
}
h2load_load() {  # h2load_load TARGET SECONDS: h2load's output
  h2load -c "$CLIENTS" -m "$STREAMS" -t 1 -D "$2" -d "$WORK/request.bin" \
    -H 'content-type: application/grpc' -H 'te: trailers' "http://${TARGET[$1]}/bench.Echo/Name" 2>&1
}
field() {  # field NAME LINE: the value of NAME=... in GrpcBench's line
  tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k {print $2}'
}
for t in "${TARGETS[@]}"; do
  java_load "$t" "$WARMUP" >/dev/null || true
done
declare -A CPS P50 P99 FAILED ENDPOINTS H2RPS H2FAILED
for round in $(seq "$REPEAT"); do
  for t in "${TARGETS[@]}"; do
    out=$(java_load "$t" "$DURATION") || true
    echo "$t round $round: $out" >&2
    CPS[$t]="${CPS[$t]:-} $(field calls_per_s "$out")"
    P50[$t]="${P50[$t]:-} $(field p50_ms "$out")"
    P99[$t]="${P99[$t]:-} $(field p99_ms "$out")"
    f=$(field failed "$out"); u=$(field unfinished "$out")
    FAILED[$t]="${FAILED[$t]:-} $(( ${f:-0} + ${u:-0} ))"
    ENDPOINTS[$t]="$(field endpoints "$out")"  # the last round's split
    [ "$(field statuses "$out")" = "-" ] || echo "$t round $round: failures by status: $(field statuses "$out")" >&2
    out=$(h2load_load "$t" "$DURATION")
    H2RPS[$t]="${H2RPS[$t]:-} $(awk '/^finished in/ {gsub(",", "", $4); printf "%.0f", $4}' <<<"$out")"
    # failed streams plus answers that were not HTTP 2xx (h2load counts those as succeeded)
    H2FAILED[$t]="${H2FAILED[$t]:-} $(awk '/^requests:/ {f = $10} /^status codes:/ {n = $5 + $7 + $9}
      END {if (f == "") print "-"; else print f + n}' <<<"$out")"
  done
done

echo
echo "gRPC unary calls through Switchboard (appProtocol grpc) vs HAProxy (proto h2) vs nginx (grpc_pass) vs direct, 3 grpc-java endpoints, one run, medians of $REPEAT"
echo "machine: $(machine); grpc-java $GRPC_VERSION; $(haproxy -v | head -1 | cut -d' ' -f1-3); $(nginx -v 2>&1); $(h2load --version | head -1); proxies with $WORKERS thread(s)/worker(s); endpoints one JVM, $ENDPOINT_THREADS thread(s); grpc-java client $CLIENTS channels x $STREAMS calls, $CLIENT_THREADS thread(s); h2load -c$CLIENTS -m$STREAMS -t1; ${WARMUP}s warm-up; ${DURATION}s per load"
row() { printf "%-24s %12s %12s %12s %12s %8s %8s\n" "$@"; }
row "metric" "direct" "haproxy" "nginx" "switchboard" "sb/hap" "sb/ngx"
declare -A M
for t in "${TARGETS[@]}"; do M[$t]=$(median "${H2RPS[$t]}"); done
row "h2load calls/s" "${M[direct]}" "${M[haproxy]}" "${M[nginx]}" "${M[switchboard]}" \
  "$(ratio "${M[switchboard]}" "${M[haproxy]}")" "$(ratio "${M[switchboard]}" "${M[nginx]}")"
for t in "${TARGETS[@]}"; do result "h2load calls/s (median)" "$t" "${M[$t]}" "calls/s"; done
for t in "${TARGETS[@]}"; do M[$t]=$(median "${CPS[$t]}"); done
row "grpc-java calls/s" "${M[direct]}" "${M[haproxy]}" "${M[nginx]}" "${M[switchboard]}" \
  "$(ratio "${M[switchboard]}" "${M[haproxy]}")" "$(ratio "${M[switchboard]}" "${M[nginx]}")"
for t in "${TARGETS[@]}"; do result "grpc-java calls/s (median)" "$t" "${M[$t]}" "calls/s"; done
for t in "${TARGETS[@]}"; do M[$t]=$(median "${P50[$t]}"); done
row "grpc-java p50 ms" "${M[direct]}" "${M[haproxy]}" "${M[nginx]}" "${M[switchboard]}" \
  "$(ratio "${M[switchboard]}" "${M[haproxy]}")" "$(ratio "${M[switchboard]}" "${M[nginx]}")"
for t in "${TARGETS[@]}"; do M[$t]=$(median "${P99[$t]}"); done
row "grpc-java p99 ms" "${M[direct]}" "${M[haproxy]}" "${M[nginx]}" "${M[switchboard]}" \
  "$(ratio "${M[switchboard]}" "${M[haproxy]}")" "$(ratio "${M[switchboard]}" "${M[nginx]}")"
for t in "${TARGETS[@]}"; do result "grpc-java p99 latency (median)" "$t" "${M[$t]}" "ms"; done
row "grpc-java failed/round" "${FAILED[direct]# }" "${FAILED[haproxy]# }" "${FAILED[nginx]# }" "${FAILED[switchboard]# }"
row "h2load failed/round" "${H2FAILED[direct]# }" "${H2FAILED[haproxy]# }" "${H2FAILED[nginx]# }" "${H2FAILED[switchboard]# }"
echo "grpc-java calls/s per round: direct${CPS[direct]}; haproxy${CPS[haproxy]}; nginx${CPS[nginx]}; switchboard${CPS[switchboard]}"
echo "h2load calls/s per round:    direct${H2RPS[direct]}; haproxy${H2RPS[haproxy]}; nginx${H2RPS[nginx]}; switchboard${H2RPS[switchboard]}"
echo "calls per endpoint, last grpc-java round: haproxy ${ENDPOINTS[haproxy]}; nginx ${ENDPOINTS[nginx]}; switchboard ${ENDPOINTS[switchboard]}"
echo "h2load reads HTTP statuses, not grpc-status: the grpc-java client is the correctness check (a call counts only with"
echo "grpc-status 0 and a reply). It spends about 3x h2load's CPU per call, which on 2 cores comes out of the proxy's"
echo "share: its calls/s and latencies are bounded by the client as much as by the proxy; h2load's calls/s compare the proxies."
write_results grpc "gRPC unary calls: Switchboard appProtocol grpc vs HAProxy proto h2 vs nginx grpc_pass vs direct"
