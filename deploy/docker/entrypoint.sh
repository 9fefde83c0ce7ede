#!/usr/bin/env bash
# The image's entrypoint: the Switchboard command line on the shaded jar, run by the JVM and flags
# that build-bin/java.sh chooses (the image's JDK 25 with compact object headers). SWITCHBOARD_JAVA_OPTS
# adds JVM flags (java.sh's heap flags hand heap a big load needed back to the node once idle; these
# size the heap for a node proxy and exit on out-of-memory so the kubelet restarts the pod rather
# than leaving it half alive; measured in docs/hardening.md and docs/benchmarks.md). SWITCHBOARD_LIB is where
# the jar and java.sh are (/opt/switchboard in the image); the image build runs this once so that
# java.sh's start cache (an AOT cache on JDK 25) is made there, beside the jar.
set -eu
lib="${SWITCHBOARD_LIB:-/opt/switchboard}"
jar="${SWITCHBOARD_JAR:-$lib/switchboard.jar}"
. "$lib/java.sh"
choose_java
start_cache "$jar" "$(dirname "$jar")"
exec "$java_bin" ${java_flags[@]+"${java_flags[@]}"} ${start_cache_flags[@]+"${start_cache_flags[@]}"} -XX:+ExitOnOutOfMemoryError -XX:MaxRAMPercentage=75 \
  ${SWITCHBOARD_JAVA_OPTS:-} -jar "$jar" "$@"
