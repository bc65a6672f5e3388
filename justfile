# Grapevine tasks. `just --list` shows them.

set shell := ["bash", "-euo", "pipefail", "-c"]

# Run Grapevine optimised (embedded defaults: SQLite, log-only SMTP, dry-run payouts)
run *ARGS:
    cargo run --release -- {{ARGS}}

# Run Grapevine in debug mode
dev *ARGS:
    cargo run -- {{ARGS}}

# Every test on PostgreSQL + Redis, then the end-to-end tests on SQLite (args go to cargo test)
test *ARGS:
    bash tests/run.sh {{ARGS}}

# What CI runs: the test command (fmt check, clippy, then the tests)
ci:
    bash .ci/run

# Install (if missing) and start PostgreSQL and Redis, install aiosmtpd; prints the test URLs
services:
    bash tests/services.sh

# Regenerate schema.graphql from the GraphQL schema
schema:
    cargo run --quiet -- schema --out schema.graphql

# Every benchmark (not part of CI): release build, redirect vs nginx, conversion → reward, reports, GraphQL list, console budgets → BENCHMARKS.md
bench:
    bash bench/bench.sh

# Crash-safety soak (not part of CI): the crash harness for longer on PostgreSQL + Redis; prints the
# totals. ORDERS and KILLS size the run; SEED picks the kill moments.
soak ORDERS="400" KILLS="30" SEED="7":
    bash tests/services.sh
    cargo build --workspace --bins
    CRASH_ORDERS={{ORDERS}} CRASH_KILLS={{KILLS}} CRASH_SEED={{SEED}} GRAPEVINE_TEST_BACKEND=postgres \
        cargo test -p grapevine-tests --test crash_safety -- --nocapture

# One benchmark of `just bench` (redirect, conversion, reports, graphql, embedded or console): rewrites its section of BENCHMARKS.md
bench-only NAME:
    BENCH_ONLY={{NAME}} BENCH_BUILD=warm bash bench/bench.sh

# What one conversion costs PostgreSQL, statement by statement, split by API and worker (a probe,
# not a benchmark; needs PostgreSQL's log readable): bench/results/statements.txt
statements:
    bash tests/services.sh
    cargo build --release --bins
    python3 bench/statements.py

# campaignReport on 1 M and 10 M bulk-loaded clicks beside the naive aggregate: rewrites that section of BENCHMARKS.md
bench-report:
    BENCH_ONLY=reports BENCH_BUILD=warm bash bench/bench.sh
