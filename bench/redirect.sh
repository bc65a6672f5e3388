#!/usr/bin/env bash
# `just bench-redirect`: GET /r/{code} throughput and latency on PostgreSQL + Redis, beside nginx
# answering `return 302` for the same paths in the same run, and clicks stored vs requests sent.
# A benchmark, not a test: it is not part of .ci/run. Figures go to BENCHMARKS.md, raw wrk output
# to bench/results/. Knobs: BENCH_CODES (1000), BENCH_DURATION (10s), BENCH_CONNECTIONS (64),
# BENCH_RUNS (3; the median is reported).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=tests/services.sh
source tests/services.sh
gv_services
for tool in wrk nginx openssl; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        gv_apt_install "$tool" || gv_die "$tool is needed for the benchmark and could not be installed"
    fi
done

echo "==> cargo build --release --bin grapevine" >&2
cargo build --release --bin grapevine
target="${CARGO_TARGET_DIR:-target}"
export GRAPEVINE_BENCH_BIN="$target/release/grapevine"
exec python3 bench/redirect.py
