#!/usr/bin/env bash
# THE test command (`just test`, and all that .ci/run runs): checks formatting, lints and the
# dependency policy in deny.toml (without arguments; cargo-deny is installed when missing), installs
# and starts PostgreSQL, Redis and the SMTP test server's Python package when missing, builds the
# binaries, then runs
#   1. every test of the workspace on PostgreSQL + Redis (the production backends), and
#   2. the end-to-end tests again on the embedded default (SQLite + SQLite-backed queue).
# Extra arguments go to both `cargo test` runs, e.g. `bash tests/run.sh conversion -- --nocapture`.
# A pre-set CARGO_TARGET_DIR is honoured; without one, builds go to ~/.cache/grapevine/target, shared by
# every clone on the machine (a fresh clone's run is then incremental). Without a terminal each test phase has a
# deadline (GRAPEVINE_TEST_PHASE_TIMEOUT seconds, default 1800) so a hung test fails the run instead of
# eating the CI budget.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
if ! command -v cargo >/dev/null 2>&1 && [[ -x ${CARGO_HOME:-$HOME/.cargo}/bin/cargo ]]; then
    PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/grapevine/target}"
mkdir -p "$CARGO_TARGET_DIR"

banner() {
    printf '\n==> [%s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

# Runs a test phase under the deadline. Without a terminal (CI), SIGKILL goes to timeout's whole process
# group, test binaries included (an app under test may trap SIGTERM; and killing only cargo would
# orphan a hung test). At a terminal there is no deadline: Ctrl-C stops the run.
run_phase() {
    local limit=${GRAPEVINE_TEST_PHASE_TIMEOUT:-1800} status=0
    if [[ -t 0 ]]; then
        "$@"
        return
    fi
    timeout -s KILL "$limit" "$@" || status=$?
    if ((status == 124 || status == 137)); then
        printf '\nERROR: timed out after %ss (a test hung? see the last "Running" line above): %s\n' "$limit" "$*" >&2
    fi
    return "$status"
}

# shellcheck source=tests/services.sh
source tests/services.sh

# With a test filter the run is a developer's quick check; the full run also holds the code to
# the project's format and lints, and the dependencies to deny.toml (licences, bans, sources:
# offline; advisories are a manual step, see docs/development.md), as CI does.
if (($# == 0)); then
    banner "0/5 cargo fmt --all -- --check; cargo clippy --workspace --all-targets -- -D warnings"
    cargo fmt --all -- --check
    cargo clippy --workspace --all-targets -- -D warnings
    banner "0/5 cargo deny --offline --locked check licenses bans sources (deny.toml)"
    gv_cargo_deny_install
    # deny.toml's target: fetches only crates clippy did not need (usually none: no network then).
    cargo fetch --locked --target x86_64-unknown-linux-gnu
    "$GV_CARGO_DENY" --offline --locked check --hide-inclusion-graph --show-stats licenses bans sources
fi

banner "1/5 services: PostgreSQL, Redis, aiosmtpd, Chromium, Node.js"
gv_services

# The console (web/): its packages from the lock file, then (on a full run) its own checks, and a
# fresh build that must equal the committed web/dist the binary embeds (as schema.graphql is
# checked against the schema).
banner "2/5 console: npm ci; npm run lint, typecheck, test, build; web/dist as committed"
gv_web_install
if (($# == 0)); then
    (cd web && npm run --silent lint && npm run --silent typecheck && npm test --silent && npm run --silent build)
    if [[ -n $(git status --porcelain -- web/dist web/src/graphql/generated) ]]; then
        git status --short -- web/dist web/src/graphql/generated >&2
        printf '\nERROR: web/dist or the generated GraphQL types differ from a fresh `npm run build` in web/: commit them\n' >&2
        exit 1
    fi
fi

banner "3/5 build: cargo build --workspace --bins"
cargo build --workspace --bins

failed=()

banner "4/5 tests on PostgreSQL + Redis: GRAPEVINE_TEST_BACKEND=postgres cargo test --workspace $*"
if ! GRAPEVINE_TEST_BACKEND=postgres run_phase cargo test --workspace --no-fail-fast "$@"; then
    failed+=("PostgreSQL + Redis")
fi

banner "5/5 end-to-end tests on SQLite: GRAPEVINE_TEST_BACKEND=sqlite cargo test -p grapevine-tests $*"
if ! GRAPEVINE_TEST_BACKEND=sqlite run_phase cargo test -p grapevine-tests --no-fail-fast "$@"; then
    failed+=("SQLite")
fi

if ((${#failed[@]} > 0)); then
    banner "FAILED on: ${failed[*]}"
    exit 1
fi
banner "all tests passed on PostgreSQL + Redis and on SQLite (${SECONDS}s)"
