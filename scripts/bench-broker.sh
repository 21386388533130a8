#!/usr/bin/env bash
# The fleet broker under load on 127.0.0.1 (crates/broker/benches/fleet.rs):
# devices added and enrolled, then customers enrolled through the broker
# (create user, confirm code, user token) with many in flight, the same
# Aeropay calls made straight to the simulator for comparison, the merchant
# tokens minted for the fleet (one, or the run fails) and the broker
# process's memory. The simulator plays Aeropay; the broker runs as its own
# process. Built optimized (cargo's bench profile).
#   scripts/bench-broker.sh                      # SQLite, 10000 devices, 2000 enrollments, 200 in flight
#   scripts/bench-broker.sh --postgres           # a throwaway PostgreSQL server (needs postgresql-15)
#   DEVICES=1000 ENROLLMENTS=500 CONCURRENCY=50 scripts/bench-broker.sh
#   HTTP_ENROLL=500 scripts/bench-broker.sh      # enroll only that many of the devices over HTTP
# Any other argument goes to the bench (see its --help).
set -euo pipefail
cd "$(dirname "$0")/.."
args=(--devices "${DEVICES:-10000}" --enrollments "${ENROLLMENTS:-2000}" --concurrency "${CONCURRENCY:-200}")
if [ -n "${HTTP_ENROLL:-}" ]; then
  args+=(--http-enroll "$HTTP_ENROLL")
fi
bench=(cargo bench --locked -p aeropay-onboarding-broker --bench fleet)

"${bench[@]}" --no-run
echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
"${bench[@]}" -- "${args[@]}" "$@"
echo
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "commit $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)')"
echo "machine: $(nproc) cores, $(. /etc/os-release && echo "$PRETTY_NAME"), $(free -g | awk '/^Mem:/ {print $2}') GiB RAM, $(date -u +%Y-%m-%d)"
