#!/bin/sh
# The image's entrypoint: the Switchboard command line on the shaded jar. SWITCHBOARD_JAVA_OPTS adds
# JVM flags (the defaults size the heap for a node proxy and exit on out-of-memory so the kubelet
# restarts the pod rather than leaving it half alive; the G1 flags hand heap a big load needed back to
# the node once it is idle again, and ExplicitGCInvokesConcurrent lets it ask for that right after
# its first load; measured in docs/hardening.md and docs/benchmarks.md).
set -eu
jar="${SWITCHBOARD_JAR:-/opt/switchboard/switchboard.jar}"
exec java -XX:+ExitOnOutOfMemoryError -XX:MaxRAMPercentage=75 -XX:G1PeriodicGCInterval=10000 \
  -XX:MinHeapFreeRatio=5 -XX:MaxHeapFreeRatio=10 -XX:+ExplicitGCInvokesConcurrent \
  ${SWITCHBOARD_JAVA_OPTS:-} -jar "$jar" "$@"
