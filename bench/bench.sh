#!/usr/bin/env bash
# `just bench`: release build, then every benchmark on this machine (PostgreSQL + Redis, nginx and
# wrk on loopback), figures to BENCHMARKS.md and raw outputs to bench/results/. Not part of .ci/run.
# The console section drives Debian's Chromium with Playwright from web/node_modules (npm ci if missing).
# Knobs (environment): BENCH_ONLY=redirect,conversion,reports,graphql,embedded,console (a subset: only
# those sections of BENCHMARKS.md are rewritten), BENCH_BUILD=warm (reuse the target directory instead
# of a cold build), and the per-benchmark ones named at the top of each bench/*.py.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=tests/services.sh
source tests/services.sh
gv_services
for tool in wrk nginx openssl psql chromium; do
    if ! command -v "$tool" >/dev/null 2>&1; then
        package=$tool
        [[ $tool == psql ]] && package=postgresql-client
        gv_apt_install "$package" || gv_die "$tool is needed for the benchmark and could not be installed"
    fi
done
exec python3 bench/run.py
