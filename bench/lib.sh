# Shared helpers for the benchmark scripts: tool installation, process start/stop by PID, and
# a results table. Sourced, not run.

BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO_DIR="$(cd "$BENCH_DIR/.." && pwd)"
WORK="$(mktemp -d /tmp/switchboard-bench.XXXXXX)"
# Switchboard runs as users run it: through its launcher, on the JVM and flags it chooses.
SWITCHBOARD="$REPO_DIR/switchboard"
. "$REPO_DIR/build-bin/java.sh"
PIDS=()

need() {  # need TOOL PACKAGE: install PACKAGE with apt when TOOL is missing
  if ! command -v "$1" >/dev/null 2>&1; then
    echo "installing $2" >&2
    local sudo_cmd=""; [ "$(id -u)" -ne 0 ] && sudo_cmd="sudo"
    $sudo_cmd apt-get install -y -q "$2" >/dev/null 2>&1 \
      || { $sudo_cmd apt-get update -q >/dev/null 2>&1 && $sudo_cmd apt-get install -y -q "$2" >/dev/null; }
  fi
}

start() {  # start NAME COMMAND...: runs in the background, remembers the PID, logs to $WORK/NAME.log
  local name="$1"; shift
  "$@" >"$WORK/$name.log" 2>&1 &
  PIDS+=("$!")
  echo "$!" >"$WORK/$name.pid"
}

stop_all() {
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && { kill "$pid" 2>/dev/null || true; }  # one already gone must not stop the rest
  done
  for pid in "${PIDS[@]:-}"; do
    [ -n "$pid" ] && { wait "$pid" 2>/dev/null || true; }  # a stopped process exits 143: not a failure
  done
  PIDS=()
}

wait_port() {  # wait_port HOST PORT [SECONDS]: until something listens there (without connecting to it)
  local deadline=$((SECONDS + ${3:-60}))
  until ss -Hltn "src $1:$2" 2>/dev/null | grep -q .; do
    [ $SECONDS -ge $deadline ] && { echo "timed out waiting for a listener on $1:$2" >&2; return 1; }
    sleep 0.2
  done
}

wait_udp() {  # wait_udp HOST PORT [SECONDS]: until a UDP socket is bound there
  local deadline=$((SECONDS + ${3:-60}))
  until ss -Hlun "src $1:$2" 2>/dev/null | grep -q .; do
    [ $SECONDS -ge $deadline ] && { echo "timed out waiting for a UDP socket on $1:$2" >&2; return 1; }
    sleep 0.2
  done
}

switchboard_jar() {
  local jar="$REPO_DIR/server/target/switchboard.jar"
  if [ ! -f "$jar" ]; then
    (cd "$REPO_DIR" && ./mvnw -q -B -DskipTests -pl server -am package) >&2
  fi
  echo "$jar"
}

cpu_ms() {  # cpu_ms PID: CPU time (user + system, in ms) used so far by a process and its children (nginx's workers)
  local total=0 p ticks
  for p in "$1" $(pgrep -P "$1" || true); do
    # Fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    ticks=$(sed 's/.*) //' "/proc/$p/stat" 2>/dev/null | awk '{print $12 + $13}')
    total=$((total + ${ticks:-0}))
  done
  echo $((total * 1000 / $(getconf CLK_TCK)))
}

machine() {
  echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(uname -r), $(switchboard_runtime)"
}

switchboard_runtime() {  # the JVM the launcher runs Switchboard on, and the flags it adds for it
  choose_java
  echo "Switchboard on $("$java_bin" -version 2>&1 | head -1)${java_flags[0]:+ (${java_flags[*]})}"
}

ratio() {  # ratio A B: A/B with two decimals
  awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "-"; else printf "%.2f", a / b }'
}

# Machine-readable results, beside the printed tables: each scenario script records
# `result METRIC TARGET VALUE [UNIT]` and ends with `write_results SCENARIO TITLE`, which writes
# $RESULTS_DIR/SCENARIO.json (bench/run draws a chart of each).
RESULTS_DIR="${RESULTS_DIR:-$BENCH_DIR/results}"
RESULT_LINES=()
# The system python where there is one: apt's python3-matplotlib installs for it, not for a pyenv.
PYTHON="$(command -v /usr/bin/python3 || command -v python3)"
result() {
  RESULT_LINES+=("$1"$'\t'"$2"$'\t'"${3:--}"$'\t'"${4:-}")
}
write_results() {  # write_results SCENARIO TITLE (RESULT_SUFFIX, when set, is appended to the name)
  local name="$1${RESULT_SUFFIX:-}"
  mkdir -p "$RESULTS_DIR"
  printf '%s\n' "${RESULT_LINES[@]}" | "$PYTHON" "$BENCH_DIR/py/results.py" write "$RESULTS_DIR/$name.json" "$name" \
    "$2" "$(machine)" "${BENCH_COMMAND:-$0}"
  echo "results: $RESULTS_DIR/$name.json"
}

ms() {  # ms DURATION: a wrk duration (850.00us, 1.20ms, 2.01s) in milliseconds
  awk -v d="$1" 'BEGIN {
    if (d ~ /us$/) { sub(/us$/, "", d); printf "%.3f", d / 1000 }
    else if (d ~ /ms$/) { sub(/ms$/, "", d); printf "%.3f", d }
    else if (d ~ /s$/) { sub(/s$/, "", d); printf "%.3f", d * 1000 }
    else print "-" }'
}

udp_service() {  # udp_service SERVICE VIP PORT TARGET_PORT: a UDP Service and its slice to 127.0.0.1:TARGET_PORT
  cat <<YAML
---
apiVersion: v1
kind: Service
metadata: {name: $1, namespace: default}
spec:
  clusterIP: $2
  ports: [{name: udp, protocol: UDP, port: $3, targetPort: $4}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $1-1, namespace: default, labels: {kubernetes.io/service-name: $1}}
addressType: IPv4
ports: [{name: udp, protocol: UDP, port: $4}]
endpoints: [{addresses: [127.0.0.1]}]
YAML
}

endpoint_slices() {  # endpoint_slices SERVICE PORT_NAME PORT...: one EndpointSlice per port, each to 127.0.0.1:PORT
  local service="$1" name="$2" port; shift 2
  for port in "$@"; do
    cat <<YAML
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: $service-$port, namespace: default, labels: {kubernetes.io/service-name: $service}}
addressType: IPv4
ports: [{name: $name, port: $port}]
endpoints: [{addresses: [127.0.0.1]}]
YAML
  done
}

nginx_endpoints() {  # nginx_endpoints NAME PORT...: one nginx worker answering "ok" on each 127.0.0.1:PORT
  local dir="$WORK/$1" listens="" port; shift
  for port in "$@"; do listens+="listen 127.0.0.1:$port reuseport backlog=4096; "; done
  mkdir -p "$dir"
  cat >"$dir/nginx.conf" <<CONF
worker_processes 1;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  keepalive_requests 1000000;
  server { $listens location / { return 200 "ok\n"; } }
}
CONF
  start "$(basename "$dir")" nginx -p "$dir" -c "$dir/nginx.conf" -g "daemon off;"
}

median() {  # median VALUE...: the middle one (the upper middle of an even count)
  printf '%s\n' $* | grep . | sort -n | awk '{v[NR]=$1} END {print v[int((NR+1)/2)]}'
}
