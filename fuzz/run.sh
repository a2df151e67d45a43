#!/usr/bin/env bash
# Runs every fuzz target for a bounded time (default 30 s each), starting from the seeds.
# Usage: fuzz/run.sh [seconds]   (needs the nightly toolchain and cargo-fuzz)
set -euo pipefail
cd "$(dirname "$0")"
seconds="${1:-30}"
for target in engine_packets socketio_packets upgrade_requests; do
  mkdir -p "corpus/$target"
  cargo +nightly fuzz run "$target" "corpus/$target" "seeds/$target" -- \
    -max_total_time="$seconds" -print_final_stats=1 2>&1 | grep -E "^Done|stat::number_of_executed_units|ERROR|panicked" || true
  # A crash leaves an artifact and a non-zero exit: fail loudly.
  if compgen -G "artifacts/$target/crash-*" > /dev/null; then
    echo "fuzz target $target crashed: see fuzz/artifacts/$target" >&2
    exit 1
  fi
done
