# Sourced (by ./switchboard, the image's entrypoint and bench/lib.sh), not run: chooses the JVM that
# runs Switchboard and the flags every start of it gets.
#
# The newest JDK on the machine runs Switchboard: on JDK 25 with compact object headers every object
# is smaller and a proxied HTTP request costs a few per cent less CPU than on 17 (docs/benchmarks.md:
# 10-13 % with java -jar side by side, less through the launcher).
# SWITCHBOARD_JAVA names a java outright; otherwise the newest of JAVA_HOME's, those under
# /usr/lib/jvm and the one on PATH, by the version in its home's release file (no JVM is started to ask).

java_major() {  # java_major JAVA: the feature version of a java binary, 0 when its home does not say
  local home v
  home="$(dirname "$(dirname "$(readlink -f "$1")")")"
  v="$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$home/release" 2>/dev/null | head -1)"
  echo "${v:-0}"
}

choose_java() {  # sets java_bin, java_feature (its feature version) and java_flags (an array)
  local best candidate v
  if [ -n "${SWITCHBOARD_JAVA:-}" ]; then
    java_bin="$SWITCHBOARD_JAVA"
  else
    java_bin="$(command -v java || echo java)"
    best="$(java_major "$java_bin")"
    for candidate in ${JAVA_HOME:+"$JAVA_HOME/bin/java"} /usr/lib/jvm/*/bin/java; do
      [ -x "$candidate" ] || continue
      v="$(java_major "$candidate")"
      if [ "$v" -gt "$best" ]; then java_bin="$candidate"; best="$v"; fi
    done
  fi
  java_feature="$(java_major "$java_bin")"
  # Heap a big load needed goes back to the system once idle (G1 keeps it otherwise; docs/hardening.md):
  # a periodic concurrent cycle after 10 s without one, after which the heap is kept within 10 % of
  # its use; that is what brings 50,000 Services under 512 MiB resident. ExplicitGCInvokesConcurrent
  # lets Switchboard ask for one cycle right after its first load (HeapTrim) instead of waiting for
  # the periodic one. The 128 MiB floor keeps that from starving a small live set under load: without
  # it a proxy with 15 MiB live shrank to a 28-36 MiB heap, crossed G1's marking threshold all the
  # time and collected every 0.2-0.45 s with pauses up to 17 ms (207 pauses in one UDP benchmark
  # against 28 with the floor, 8.1 against 6.2 us of CPU per datagram; docs/benchmarks.md).
  java_flags=(-Xms128m -XX:G1PeriodicGCInterval=10000 -XX:MinHeapFreeRatio=5 -XX:MaxHeapFreeRatio=10
    -XX:+ExplicitGCInvokesConcurrent)
  if [ "$java_feature" -ge 25 ]; then
    # Compact object headers (JEP 519, a product flag from 25): 8-byte object headers instead of 12.
    java_flags+=(-XX:+UseCompactObjectHeaders)
  fi
  if [ "$java_feature" -ge 24 ]; then
    # Netty's native transports load JNI code and its buffers use sun.misc.Unsafe, which JDK 24 and
    # later allow with a warning unless told: told, so nothing is printed and Netty keeps its fast paths.
    java_flags+=(--enable-native-access=ALL-UNNAMED --sun-misc-unsafe-memory-access=allow)
  fi
}

# start_cache JAR DIR: sets start_cache_flags to the flags that start JAR from a class cache kept in
# DIR, making the cache first when there is none newer than JAR (once per jar; a JVM that cannot use
# it starts without it, and the cache flags keep that quiet). The cache belongs to one JVM and its
# flags: one per Java version.
# - JDK 25 and later: an AOT cache (JEP 483, 514, 515), recorded from `switchboard train`, a start's
#   work on 2,000 synthetic Services, a few connections, requests and datagrams relayed on
#   127.0.0.1, and a keep-alive load whose connections close: its classes come loaded and linked and
#   its methods profiled, closing included. 50,000 Services start 0.6-0.8 s sooner than with the
#   class-data archive below and a small config 0.3 s sooner, the first relayed connection takes 51
#   instead of 96 ms, and the first burst of closes after a load rarely stalls the JIT's code
#   (docs/benchmarks.md). Making it takes about 11 s.
# - Older JDKs: a class-data archive of what validating the bundled examples loads (YAML, fabric8's
#   model, the store), about 0.3 s of each start; making it takes a second or two.
start_cache() {
  local jar="$1" dir="$2" cache tmp quiet
  start_cache_flags=()
  if [ "$java_feature" -ge 25 ]; then
    cache="$dir/switchboard-java$java_feature.aot"
    quiet=(-Xlog:aot=off -Xlog:cds=off)
  else
    cache="$dir/switchboard-java$java_feature.jsa"
    quiet=(-Xlog:cds=off -Xlog:cds+dynamic=off)
  fi
  if { [ ! -f "$cache" ] || [ "$jar" -nt "$cache" ]; } && [ -w "$dir" ]; then
    tmp="$cache.$$"
    # A run that fails leaves no cache: what it recorded may not be what a start does.
    if [ "$java_feature" -ge 25 ]; then
      "$java_bin" ${java_flags[@]+"${java_flags[@]}"} -XX:AOTCacheOutput="$tmp" "${quiet[@]}" -jar "$jar" train \
        >/dev/null 2>&1 || rm -f "$tmp"
    else
      # Validation errors do not matter here, only the classes it loaded.
      "$java_bin" ${java_flags[@]+"${java_flags[@]}"} -XX:ArchiveClassesAtExit="$tmp" "${quiet[@]}" -jar "$jar" \
        validate "$(dirname "$jar")/../../examples/demo" >/dev/null 2>&1 || true
    fi
    if [ -s "$tmp" ]; then mv -f "$tmp" "$cache"; else rm -f "$tmp" "$tmp.config"; fi
  fi
  if [ -f "$cache" ] && [ "$cache" -nt "$jar" ]; then
    if [ "$java_feature" -ge 25 ]; then
      start_cache_flags=(-XX:AOTCache="$cache" "${quiet[@]}")
    else
      start_cache_flags=(-XX:SharedArchiveFile="$cache" "${quiet[@]}")
    fi
  fi
}
