#!/usr/bin/env bash
# Starts a local grapevine for the console's development and browser tests, on a fresh SQLite
# database in a temporary folder, with one tenant ("console"), the five staff users (one per role)
# and a secret API key. Prints the environment for `npm run e2e` (also written to $DIR/e2e.env)
# and keeps the server in the foreground until Ctrl-C.
#
#   GRAPEVINE_BIN       the binary (default $HOME/.cache/grapevine/target/debug/grapevine; built
#                       once with `cd /work/main && CARGO_TARGET_DIR=$HOME/.cache/grapevine/target
#                       cargo build --bin grapevine` when missing)
#   GRAPEVINE_PORT      its port (default 8080; the Vite proxy's GRAPEVINE_API must match)
#   CONSOLE_URL         where the console is served (default http://127.0.0.1:4173, vite preview)
#   GRAPEVINE_PASSWORD  the staff password (default: a random one, printed)
#
# Typical use:  scripts/dev-backend.sh &   then   npm run build && npx vite preview --port 4173
#               and   set -a; . /tmp/grapevine-console.*/e2e.env; set +a; npm run e2e
# Against the binary's own serving of the web/dist it embeds (as CI does: the session cookie's
# Path=/graphql and same-origin rules then hold for real), rebuild the binary after `npm run
# build` and point the console at it:   CONSOLE_URL=http://127.0.0.1:8080 scripts/dev-backend.sh
set -euo pipefail

BIN="${GRAPEVINE_BIN:-$HOME/.cache/grapevine/target/debug/grapevine}"
PORT="${GRAPEVINE_PORT:-8080}"
CONSOLE_URL="${CONSOLE_URL:-http://127.0.0.1:4173}"
PASSWORD="${GRAPEVINE_PASSWORD:-console-$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')}"
REPO="$(cd "$(dirname "$0")/../.." && pwd)"
# The binary reads every GRAPEVINE_* variable as configuration and refuses unknown keys: the
# console's own variables must not reach it.
unset GRAPEVINE_PASSWORD GRAPEVINE_URL GRAPEVINE_SECRET_KEY GRAPEVINE_API GRAPEVINE_BIN GRAPEVINE_PORT

if [[ ! -x "$BIN" ]]; then
  echo "building grapevine (once) into $HOME/.cache/grapevine/target …" >&2
  (cd "$REPO" && CARGO_TARGET_DIR="$HOME/.cache/grapevine/target" cargo build --bin grapevine)
  BIN="$HOME/.cache/grapevine/target/debug/grapevine"
fi

DIR="$(mktemp -d /tmp/grapevine-console.XXXXXX)"
cd "$DIR"
export GRAPEVINE_DATABASE_URL="sqlite://$DIR/grapevine.db?mode=rwc"
export GRAPEVINE_QUEUE__URL="sqlite://$DIR/queue.db?mode=rwc"
export GRAPEVINE_KEYS_FILE="$DIR/grapevine.keys"
export GRAPEVINE_LISTEN="127.0.0.1:$PORT"
export GRAPEVINE_PUBLIC_URL="$CONSOLE_URL"
export GRAPEVINE_ANALYTICS__ROLLUP_INTERVAL_SECS=1
export GRAPEVINE_LOG__FORMAT="${GRAPEVINE_LOG__FORMAT:-pretty}"
API="http://127.0.0.1:$PORT"

"$BIN" migrate >"$DIR/migrate.log" 2>&1
GRAPEVINE_ADMIN_PASSWORD="$PASSWORD" "$BIN" tenant create --slug console --name Console \
  --admin-email admin@console.test >"$DIR/tenant.log" 2>&1

"$BIN" all >"$DIR/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true' EXIT INT TERM

for _ in $(seq 1 100); do
  curl -fsS "$API/healthz" >/dev/null 2>&1 && break
  sleep 0.2
done

gql() { # gql TOKEN JSON-BODY → response body
  curl -fsS "$API/graphql" -H 'content-type: application/json' \
    ${1:+-H "authorization: Bearer $1"} -d "$2"
}
json_field() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

TOKEN="$(gql '' "{\"query\":\"mutation(\$e:String!,\$p:String!){login(email:\$e,password:\$p){token}}\",\"variables\":{\"e\":\"admin@console.test\",\"p\":\"$PASSWORD\"}}" |
  json_field "d['data']['login']['token']")"

for pair in marketing:MARKETING_MANAGER sales:SALES finance:FINANCE ops:OPS; do
  name="${pair%%:*}" role="${pair##*:}"
  gql "$TOKEN" "{\"query\":\"mutation(\$i:CreateUserInput!){createUser(input:\$i){id}}\",\"variables\":{\"i\":{\"email\":\"$name@console.test\",\"name\":\"${name^} User\",\"role\":\"$role\",\"password\":\"$PASSWORD\"}}}" >/dev/null
done

SECRET="$(gql "$TOKEN" '{"query":"mutation{createApiKey(kind:SECRET,name:\"e2e shop\"){key}}"}' |
  json_field "d['data']['createApiKey']['key']")"

cat >"$DIR/e2e.env" <<ENV
GRAPEVINE_URL=$CONSOLE_URL
GRAPEVINE_API=$API
GRAPEVINE_PASSWORD=$PASSWORD
GRAPEVINE_SECRET_KEY=$SECRET
ENV
echo "grapevine on $API (data and logs in $DIR); for npm run e2e:"
sed 's/^/export /' "$DIR/e2e.env"
wait "$SERVER"
