#!/usr/bin/env bash
# 10,000 Services x 3 endpoints from the Kubernetes API (fabric8's mock server in CRUD mode): time to
# ready, heap after GC, and one EndpointSlice change to traffic following it. Prints the numbers that
# docs/benchmarks.md records.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
./mvnw -B -q -ntp install -DskipTests
cd server
../mvnw -B -ntp verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -Dit.test=KubernetesScaleIT \
  -Dit.excludedGroups=none 2>&1 | grep -E "created|Services x|Tests run:|FAIL" 
