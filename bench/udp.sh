#!/usr/bin/env bash
# UDP side by side, one run: small datagrams through Switchboard, through nginx's stream UDP proxy,
# and direct to the same echo endpoint. Two loads per target: closed loop (WINDOW datagrams in
# flight per client: the packet rate each path sustains, and loss), REPEAT (default 3) alternating
# rounds of ROUND_DURATION seconds (default 5), medians; and open loop at RATE datagrams/s for
# DURATION seconds (loss at a fixed offered load). Both proxies get one thread
# (nginx: one worker process). TRANSPORT (default auto) is Switchboard's --transport.
set -euo pipefail
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
trap 'stop_all; [ -n "${KEEP_WORK:-}" ] || rm -rf "$WORK"' EXIT

DURATION="${DURATION:-10}"
ROUND_DURATION="${ROUND_DURATION:-5}"
REPEAT="${REPEAT:-3}"
CLIENTS="${CLIENTS:-16}"
PAYLOAD="${PAYLOAD:-64}"
WINDOW="${WINDOW:-8}"
RATE="${RATE:-30000}"
WORKERS="${WORKERS:-1}"
TRANSPORT="${TRANSPORT:-auto}"
need nginx nginx
[ -f /usr/lib/nginx/modules/ngx_stream_module.so ] || need /usr/lib/nginx/modules/ngx_stream_module.so libnginx-mod-stream
JAR="$(switchboard_jar)"
(cd "$REPO_DIR" && ./mvnw -q -B -DskipTests -pl bench -am package) >&2
LOAD=(java -cp "$REPO_DIR/bench/target/classes" io.switchboard.bench.UdpLoad)

start echo "${LOAD[@]}" echo 127.0.0.1:15400
wait_udp 127.0.0.1 15400

mkdir -p "$WORK/manifests" "$WORK/nginx"
udp_service udp-bench 127.0.0.100 5400 15400 >"$WORK/manifests/udp.yaml"
start switchboard "$SWITCHBOARD" run --config "$WORK/manifests" --workers "$WORKERS" \
  --transport "$TRANSPORT" --admin 127.0.0.1:19902
cat >"$WORK/nginx/nginx.conf" <<CONF
load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes $WORKERS;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 8192; }
stream {
  server {
    listen 127.0.0.102:5400 udp reuseport;
    proxy_pass 127.0.0.1:15400;
    proxy_timeout 20s;
  }
}
CONF
start nginx nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" -g "daemon off;"
wait_udp 127.0.0.100 5400; wait_udp 127.0.0.102 5400

declare -A TARGET=([direct]=127.0.0.1:15400 [nginx]=127.0.0.102:5400 [switchboard]=127.0.0.100:5400)
declare -A PPS LOSSW LOSSR CPU_US PID=([nginx]="$(cat "$WORK/nginx.pid")" [switchboard]="$(cat "$WORK/switchboard.pid")")
for t in direct nginx switchboard; do
  "${LOAD[@]}" window "${TARGET[$t]}" "$CLIENTS" 5 "$PAYLOAD" "$WINDOW" >/dev/null   # warm-up
done
declare -A RPPS RCPU RLOSS   # one value per round
for round in $(seq "$REPEAT"); do
  for t in direct nginx switchboard; do
    cpu0=0; [ -n "${PID[$t]:-}" ] && cpu0=$(cpu_ms "${PID[$t]}")
    out=$("${LOAD[@]}" window "${TARGET[$t]}" "$CLIENTS" "$ROUND_DURATION" "$PAYLOAD" "$WINDOW")
    RPPS[$t]+=" $(sed -E 's/.*received_pps=([0-9]+).*/\1/' <<<"$out")"
    # Proxy CPU (its process and children) per echoed datagram, which it relayed twice: there and back.
    if [ -n "${PID[$t]:-}" ]; then
      received=$(sed -E 's/.*received=([0-9]+).*/\1/' <<<"$out")
      RCPU[$t]+=" $(awk -v c=$(($(cpu_ms "${PID[$t]}") - cpu0)) -v n="$received" 'BEGIN {printf "%.2f", (n > 0 ? c * 1000 / n : 0)}')"
    fi
    RLOSS[$t]+=" $(sed -E 's/.*loss=([0-9.]+)%.*/\1/' <<<"$out")"
  done
done
for t in direct nginx switchboard; do
  PPS[$t]=$(median ${RPPS[$t]})
  CPU_US[$t]=$([ -n "${RCPU[$t]:-}" ] && median ${RCPU[$t]} || echo -)
  LOSSW[$t]=$(median ${RLOSS[$t]})
  out=$("${LOAD[@]}" rate "${TARGET[$t]}" "$CLIENTS" "$DURATION" "$PAYLOAD" "$RATE")
  LOSSR[$t]=$(sed -E 's/.*loss=([0-9.]+)%.*/\1/' <<<"$out")
done

echo
echo "UDP through Switchboard vs nginx stream (udp) vs direct, one run; closed loop: medians of $REPEAT alternating rounds"
echo "machine: $(machine); $(nginx -v 2>&1); proxies with $WORKERS thread/worker; Switchboard --transport $TRANSPORT; $CLIENTS client sockets; ${PAYLOAD}-byte datagrams; closed loop ${ROUND_DURATION}s per round, open loop ${DURATION}s"
printf "%-44s %12s %12s %12s %10s %10s\n" "metric" "direct" "nginx" "switchboard" "sb/direct" "sb/nginx"
printf "%-44s %12s %12s %12s %10s %10s\n" "echoed datagrams/s (window $WINDOW per client)" "${PPS[direct]}" "${PPS[nginx]}" \
  "${PPS[switchboard]}" "$(ratio "${PPS[switchboard]}" "${PPS[direct]}")" "$(ratio "${PPS[switchboard]}" "${PPS[nginx]}")"
printf "%-44s %12s %12s %12s %10s %10s\n" "proxy CPU us per echoed datagram" "-" "${CPU_US[nginx]}" "${CPU_US[switchboard]}" \
  "" "$(ratio "${CPU_US[switchboard]}" "${CPU_US[nginx]}")"
printf "%-44s %11s%% %11s%% %11s%%\n" "loss, closed loop" "${LOSSW[direct]}" "${LOSSW[nginx]}" "${LOSSW[switchboard]}"
printf "%-44s %s |%s |%s\n" "rounds, echoed datagrams/s (direct | nginx | sb)" "${RPPS[direct]}" "${RPPS[nginx]}" "${RPPS[switchboard]}"
printf "%-44s %s |%s\n" "rounds, CPU us per datagram (nginx | sb)" "${RCPU[nginx]}" "${RCPU[switchboard]}"
printf "%-44s %11s%% %11s%% %11s%%\n" "loss at $RATE datagrams/s offered" "${LOSSR[direct]}" "${LOSSR[nginx]}" "${LOSSR[switchboard]}"
for t in direct nginx switchboard; do
  result "echoed datagrams/s (closed loop)" "$t" "${PPS[$t]}" "datagrams/s"
  [ "$t" = direct ] || result "proxy CPU per echoed datagram (closed loop)" "$t" "${CPU_US[$t]}" "us"
  result "loss, closed loop" "$t" "${LOSSW[$t]}" "%"
  result "loss at $RATE/s offered" "$t" "${LOSSR[$t]}" "%"
done
write_results udp "UDP: Switchboard vs nginx stream vs direct"
