#!/usr/bin/env bash
# JMH microbenchmarks, one command: every scheduler's pick (each algorithm over 3, 100 and 1,000
# endpoints), the ClientIP affinity table and the UDP flow table. Builds the bench module, runs the
# uber-jar, prints JMH's table and writes JSON to bench/results/micro.json.
#
#   bench/micro.sh                          # the full set, about 6 minutes on 2 cores (5 min 27 s measured)
#   bench/micro.sh SchedulerPick -p endpoints=1000
#   bench/micro.sh -f 3 -i 10 UdpFlowTable  # longer runs: options given replace the defaults
#
# Arguments go to JMH; an option given replaces its default. Any JMH option (-h lists them) or
# benchmark regexp works.
set -euo pipefail
REPO_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_DIR"
./mvnw -q -B -DskipTests -pl bench -am package >&2
mkdir -p bench/results
# Short but not noise: one fork, 2 x 1 s warm-up (enough for C2 to settle on these small methods), 3 x 1 s
# measured; 60 benchmark runs then take under 6 minutes. -rf/-rff keep JSON beside the table.
# JMH refuses an option given twice, so a default is left out where the arguments give their own.
defaults=(-f 1 -wi 2 -w 1s -i 3 -r 1s -rf json -rff bench/results/micro.json)
args=()
for ((k = 0; k < ${#defaults[@]}; k += 2)); do
  opt="${defaults[k]}"
  given=false
  for a in "$@"; do [ "$a" = "$opt" ] && given=true; done
  $given || args+=("$opt" "${defaults[k + 1]}")
done
exec java -jar bench/target/microbenchmarks.jar "${args[@]}" "$@"
