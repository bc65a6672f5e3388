#!/usr/bin/env bash
# Installs (when missing) and starts the services the tests use: PostgreSQL and Redis on loopback, and
# Python's aiosmtpd for the SMTP test server. Exports GRAPEVINE_TEST_DATABASE_URL (an admin URL that
# works with this machine's PostgreSQL authentication) and GRAPEVINE_TEST_REDIS_URL.
#
# Sourced by tests/run.sh (call gv_services), or run alone (`bash tests/services.sh`, `just services`),
# which prints the exports to paste into a shell.
#
# A pre-set GRAPEVINE_TEST_DATABASE_URL / GRAPEVINE_TEST_REDIS_URL is checked and used as is.
set -euo pipefail

# Overridable to exercise this script against a second cluster or Redis without touching the usual ones.
GV_PG_HOST=127.0.0.1
GV_PG_PORT=${GV_PG_PORT:-5432}
GV_PG_CLUSTER=${GV_PG_CLUSTER:-main}
GV_PG_SOCKET_DIR=/var/run/postgresql
GV_REDIS_HOST=127.0.0.1
GV_REDIS_PORT=${GV_REDIS_PORT:-6379}
GV_SERVICE_DEADLINE=${GV_SERVICE_DEADLINE:-60}
GV_APT_UPDATED=${GV_APT_UPDATED:-no}

gv_say() { printf '    %s\n' "$*" >&2; }
gv_die() {
    printf '\nERROR: %s\n' "$*" >&2
    exit 1
}

# Runs a command as root (directly, or through sudo when we are not root).
gv_as_root() {
    if [[ $(id -u) -eq 0 ]]; then
        "$@"
    elif command -v sudo >/dev/null 2>&1; then
        sudo -n "$@"
    else
        return 1
    fi
}

# Runs a shell command line as the postgres OS user (peer authentication on the socket).
gv_as_postgres() {
    if [[ $(id -u) -eq 0 ]]; then
        su postgres -s /bin/sh -c "$1"
    else
        sudo -n -u postgres sh -c "$1"
    fi
}

gv_apt_update() {
    if [[ $GV_APT_UPDATED != yes ]]; then
        gv_say "apt-get update"
        gv_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2
        GV_APT_UPDATED=yes
    fi
}

# apt-get install, updating the package lists first only when they are empty or the install fails.
gv_apt_install() {
    gv_say "apt-get install -y $*"
    if ! compgen -G '/var/lib/apt/lists/*_Packages*' >/dev/null; then
        gv_apt_update
    fi
    if ! gv_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2; then
        [[ $GV_APT_UPDATED == yes ]] && return 1
        gv_apt_update
        gv_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
    fi
}

gv_have() { command -v "$1" >/dev/null 2>&1; }

gv_install_missing() {
    if ! gv_have psql || ! gv_have pg_isready || ! gv_have pg_ctlcluster \
        || ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
        gv_apt_install postgresql || gv_die "PostgreSQL is missing and \`apt-get install -y postgresql\` failed"
    fi
    if ! gv_have redis-server || ! gv_have redis-cli; then
        gv_apt_install redis-server || gv_die "Redis is missing and \`apt-get install -y redis-server\` failed"
    fi
    if ! gv_have python3; then
        gv_apt_install python3 python3-pip || gv_die "python3 (for the aiosmtpd SMTP test server) could not be installed"
    fi
    if ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
        if ! python3 -m pip --version >/dev/null 2>&1; then
            gv_apt_install python3-pip || true
        fi
        gv_say "pip install aiosmtpd"
        export PIP_ROOT_USER_ACTION=ignore
        python3 -m pip install --quiet aiosmtpd >&2 2>/dev/null \
            || python3 -m pip install --quiet --break-system-packages aiosmtpd >&2 \
            || gv_apt_install python3-aiosmtpd \
            || true
        python3 -c 'import aiosmtpd' >/dev/null 2>&1 \
            || gv_die "aiosmtpd (the SMTP test server) could not be installed for $(command -v python3)"
    fi
    # Chromium for the widget's browser tests (Debian's package; a test tool's own download fails here).
    if ! gv_have chromium; then
        gv_apt_install chromium || gv_die "chromium (for the widget tests) is missing and \`apt-get install -y chromium\` failed"
    fi
    # Node.js for the console's checks and browser tests (the binary itself embeds the built
    # console and needs no Node.js). Vite 8 needs Node.js >= 20.19; Debian 12's own is older.
    if ! gv_have node || ! gv_have npm; then
        gv_apt_install nodejs npm || gv_die "Node.js (for the console's tests) is missing and \`apt-get install -y nodejs npm\` failed"
    fi
    if ! node -e 'const [a, b] = process.versions.node.split(".").map(Number); process.exit(a > 20 || (a === 20 && b >= 19) ? 0 : 1)'; then
        gv_die "Node.js $(node --version) is too old for the console (web/): install Node.js 20.19 or newer"
    fi
    # localstripe: Stripe's API on loopback, one instance per test (started by the tests).
    if ! python3 -c 'import localstripe' >/dev/null 2>&1; then
        gv_say "pip install localstripe"
        export PIP_ROOT_USER_ACTION=ignore
        python3 -m pip install --quiet localstripe >&2 2>/dev/null \
            || python3 -m pip install --quiet --break-system-packages localstripe >&2 \
            || true
        python3 -c 'import localstripe' >/dev/null 2>&1 \
            || gv_die "localstripe (the Stripe stand-in for tests) could not be installed for $(command -v python3)"
    fi
}

# Polls a command until it succeeds or the deadline passes.
gv_wait_for() {
    local what=$1
    shift
    local deadline=$((SECONDS + GV_SERVICE_DEADLINE))
    until "$@" >/dev/null 2>&1; do
        if ((SECONDS >= deadline)); then
            gv_say "$what did not come up within ${GV_SERVICE_DEADLINE}s"
            return 1
        fi
        sleep 0.2
    done
}

gv_pg_ready() { pg_isready -q -h "$GV_PG_HOST" -p "$GV_PG_PORT"; }

gv_start_postgres() {
    if gv_pg_ready; then
        return 0
    fi
    local version
    # shellcheck disable=SC2012 # version directories have plain numeric names
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1 || true)
    if [[ -z $version || ! -d /etc/postgresql/$version/$GV_PG_CLUSTER ]]; then
        # shellcheck disable=SC2012
        version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
        gv_say "creating PostgreSQL $version cluster $GV_PG_CLUSTER"
        gv_as_root pg_createcluster --port "$GV_PG_PORT" "$version" "$GV_PG_CLUSTER" >&2 \
            || gv_die "PostgreSQL: pg_createcluster $version $GV_PG_CLUSTER failed"
    fi
    gv_say "starting PostgreSQL $version/$GV_PG_CLUSTER"
    gv_as_root pg_ctlcluster --skip-systemctl-redirect "$version" "$GV_PG_CLUSTER" start >&2 || true
    if ! gv_wait_for PostgreSQL gv_pg_ready; then
        tail -n 20 "/var/log/postgresql/postgresql-$version-$GV_PG_CLUSTER.log" >&2 2>/dev/null || true
        gv_die "PostgreSQL could not be started on $GV_PG_HOST:$GV_PG_PORT (pg_ctlcluster --skip-systemctl-redirect $version $GV_PG_CLUSTER start)"
    fi
}

gv_redis_ready() { [[ $(redis-cli -h "$GV_REDIS_HOST" -p "$GV_REDIS_PORT" ping 2>/dev/null) == PONG ]]; }

gv_start_redis() {
    if gv_redis_ready; then
        return 0
    fi
    gv_say "starting Redis"
    redis-server --daemonize yes --bind "$GV_REDIS_HOST" --port "$GV_REDIS_PORT" --save "" --appendonly no >&2 || true
    gv_wait_for Redis gv_redis_ready \
        || gv_die "Redis could not be started on $GV_REDIS_HOST:$GV_REDIS_PORT (redis-server --daemonize yes --bind $GV_REDIS_HOST --port $GV_REDIS_PORT --save \"\" --appendonly no)"
}

gv_psql_ok() { PGCONNECT_TIMEOUT=5 psql -w -X -q -At -d "$1" -c 'select 1' >/dev/null 2>&1; }

# Picks an admin URL our user can use: TCP first (this project's machines trust loopback), else
# create a superuser role named after us and use peer authentication over the Unix socket
# (stock Debian: peer on the socket, passwords on TCP).
gv_postgres_url() {
    local user tcp socket
    user=$(id -un)
    tcp="postgres://$user@$GV_PG_HOST:$GV_PG_PORT/postgres"
    # sqlx rejects `postgres://user@/db` (empty host): pass the socket and user as parameters.
    socket="postgres:///postgres?host=$GV_PG_SOCKET_DIR&port=$GV_PG_PORT&user=$user"
    if gv_psql_ok "$tcp"; then
        GRAPEVINE_TEST_DATABASE_URL=$tcp
        return 0
    fi
    if ! gv_as_postgres "psql -p $GV_PG_PORT -X -Atqc \"select 1 from pg_roles where rolname = '$user'\"" 2>/dev/null | grep -q 1; then
        gv_say "creating PostgreSQL superuser role $user"
        gv_as_postgres "createuser -p $GV_PG_PORT -s '$user'" >&2 \
            || gv_die "PostgreSQL: could not create role $user (su postgres -c \"createuser -s $user\")"
    fi
    if gv_psql_ok "$tcp"; then
        GRAPEVINE_TEST_DATABASE_URL=$tcp
    elif gv_psql_ok "$socket"; then
        GRAPEVINE_TEST_DATABASE_URL=$socket
    else
        gv_die "PostgreSQL is running but neither $tcp nor $socket accepts role $user"
    fi
}

# Installs, starts and checks everything; exports the URLs the tests read.
# The console's packages (web/node_modules) from web/package-lock.json, reinstalled only when the
# lock file changed since the last install (npm's download cache is kept in ~/.npm).
gv_web_install() {
    local stamp=web/node_modules/.grapevine-installed-lock
    if [[ -f $stamp ]] && cmp -s "$stamp" web/package-lock.json; then
        return
    fi
    gv_say "npm ci (web/)"
    (cd web && npm ci --no-audit --no-fund --loglevel=error >&2)
    cp web/package-lock.json "$stamp"
}

# cargo-deny (the dependency policy in deny.toml), pinned: a cargo-deny of exactly this version on
# PATH is used as is; otherwise it is built once into the cache (bin in grapevine/tools, build
# files in grapevine/target-tools, both reused by every clone; ~8 min on 2 cores) without touching
# ~/.cargo/bin. Sets GV_CARGO_DENY to the binary.
GV_CARGO_DENY_VERSION=0.20.2
# shellcheck disable=SC2034 # GV_CARGO_DENY is read by tests/run.sh
gv_cargo_deny_install() {
    local cache=${XDG_CACHE_HOME:-$HOME/.cache}/grapevine candidate
    for candidate in "$(command -v cargo-deny || true)" "$cache/tools/bin/cargo-deny"; do
        if [[ -x $candidate && $("$candidate" --version 2>/dev/null) == "cargo-deny $GV_CARGO_DENY_VERSION" ]]; then
            GV_CARGO_DENY=$candidate
            return
        fi
    done
    gv_say "cargo install --locked cargo-deny@$GV_CARGO_DENY_VERSION (once, into $cache/tools)"
    CARGO_TARGET_DIR=$cache/target-tools cargo install --locked --root "$cache/tools" \
        "cargo-deny@$GV_CARGO_DENY_VERSION" >&2 \
        || gv_die "cargo-deny $GV_CARGO_DENY_VERSION could not be installed (cargo install --locked cargo-deny@$GV_CARGO_DENY_VERSION)"
    GV_CARGO_DENY=$cache/tools/bin/cargo-deny
}

gv_services() {
    gv_install_missing
    if [[ -n ${GRAPEVINE_TEST_DATABASE_URL:-} ]]; then
        gv_psql_ok "$GRAPEVINE_TEST_DATABASE_URL" \
            || gv_die "PostgreSQL: GRAPEVINE_TEST_DATABASE_URL=$GRAPEVINE_TEST_DATABASE_URL does not accept connections"
    else
        gv_start_postgres
        gv_postgres_url
    fi
    if [[ -n ${GRAPEVINE_TEST_REDIS_URL:-} ]]; then
        [[ $(redis-cli -u "$GRAPEVINE_TEST_REDIS_URL" ping 2>/dev/null) == PONG ]] \
            || gv_die "Redis: GRAPEVINE_TEST_REDIS_URL=$GRAPEVINE_TEST_REDIS_URL does not answer PING"
    else
        gv_start_redis
        GRAPEVINE_TEST_REDIS_URL="redis://$GV_REDIS_HOST:$GV_REDIS_PORT"
    fi
    export GRAPEVINE_TEST_DATABASE_URL GRAPEVINE_TEST_REDIS_URL
    gv_say "PostgreSQL: $GRAPEVINE_TEST_DATABASE_URL"
    gv_say "Redis:      $GRAPEVINE_TEST_REDIS_URL"
    gv_say "SMTP:       $(command -v python3) -m aiosmtpd (started per test)"
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
    gv_services
    printf 'export GRAPEVINE_TEST_DATABASE_URL=%q\n' "$GRAPEVINE_TEST_DATABASE_URL"
    printf 'export GRAPEVINE_TEST_REDIS_URL=%q\n' "$GRAPEVINE_TEST_REDIS_URL"
fi
