#!/usr/bin/env bash
# JMH microbenchmarks, one command: every scheduler's pick (each algorithm over 3, 100 and 1,000
# endpoints), the ClientIP affinity table and the UDP flow table. Builds the bench module, runs the
# uber-jar, prints JMH's table and writes JSON to bench/results/micro.json.
#
#   bench/micro.sh                          # the full set, about 6 minutes on 2 cores (5 min 27 s measured)
#   bench/micro.sh SchedulerPick -p endpoints=1000
#   bench/micro.sh -f 3 -i 10 UdpFlowTable  # longer runs: later arguments override the defaults
#
# Arguments go to JMH after the defaults, so any JMH option (-h lists them) or benchmark regexp works.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"
./mvnw -q -B -DskipTests -pl bench -am package >&2
mkdir -p bench/results
# Short but not noise: one fork, 2 x 1 s warm-up (enough for C2 to settle on these small methods), 3 x 1 s
# measured; 60 benchmark runs then take under 6 minutes. -rf/-rff keep JSON beside the table.
exec java -jar bench/target/microbenchmarks.jar -f 1 -wi 2 -w 1s -i 3 -r 1s \
    -rf json -rff bench/results/micro.json "$@"
