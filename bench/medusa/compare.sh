#!/usr/bin/env bash
# Medusa beside ordersmith on the same PostgreSQL (issue 8's "30x Medusa"
# target): installs Medusa v2 (the versions package.json pins) from the npm
# registry into a work directory, gives it a database of its own on the
# server of --url, migrates, builds and starts it in production mode (one
# process, its default in-memory event bus, cache, workflow engine and
# locking), seeds it through its Admin API (seed.mjs), then, interleaved
# for --rounds rounds: Medusa's storefront flow with --buyers concurrent
# buyers (load.mjs: create a cart with 3 items, add a shipping method,
# create a payment collection and a session with pp_system_default,
# complete the cart: 5 requests an order), then ours on the same server
# with as many callers, through omshttp (sidebyside -http: one POST
# /orders an order) and in process (sidebyside: one PlaceOrder an order).
# It prints each round's orders per second and the ratios, and at the end
# stops Medusa and drops its database.
#
# Usage: bench/medusa/compare.sh [--url URL] [--buyers 8] [--seconds 60] [--warmup 10]
#                                [--ours-seconds 20] [--rounds 2] [--work DIR]
# The URL defaults to $OMS_TEST_POSTGRES_URL. --work keeps the install in
# DIR for the next run (default: a new temporary directory, removed at the
# end). Needs Node.js 20.19 or later, npm, psql and Go; Medusa listens on
# port 9000.
set -euo pipefail

url=${OMS_TEST_POSTGRES_URL:-} buyers=8 seconds=60 warmup=10 ours=20 rounds=2 work= keep=
while [[ $# -gt 0 ]]; do
	case $1 in
	--url) url=$2; shift 2 ;;
	--buyers) buyers=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--warmup) warmup=$2; shift 2 ;;
	--ours-seconds) ours=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--work) work=$2; keep=yes; shift 2 ;;
	-h|--help) sed -n '2,22p' "$0"; exit 0 ;;
	*) echo "compare.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
if [[ -z $url ]]; then
	echo "compare.sh: set OMS_TEST_POSTGRES_URL or pass --url" >&2
	exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
[[ -n $work ]] || work=$(mktemp -d)
mkdir -p "$work"
db=medusa_bench_$$
# The same server and options, Medusa's own database.
medusa_url=$(sed -E "s#^(postgres(ql)?://[^/?]*)(/[^?]*)?#\1/$db#" <<<"$url")
server=
cleanup() {
	if [[ -n $server ]]; then kill -- "-$server" 2>/dev/null || true; sleep 1; fi
	psql -qX "$url" -c "DROP DATABASE IF EXISTS $db" >/dev/null 2>&1 || true
	[[ -n $keep ]] || rm -rf "$work"
}
trap cleanup EXIT

echo "installing Medusa in $work" >&2
cp "$here"/{package.json,medusa-config.ts,tsconfig.json,seed.mjs,load.mjs} "$work"/
cd "$work"
[[ -d node_modules/@medusajs/medusa ]] || npm install --no-audit --no-fund --loglevel=error >&2
cat >.env <<ENV
DATABASE_URL=$medusa_url
JWT_SECRET=bench-only
COOKIE_SECRET=bench-only
MEDUSA_DISABLE_TELEMETRY=true
ENV
psql -qX -v ON_ERROR_STOP=1 "$url" -c "CREATE DATABASE $db" >/dev/null
npx medusa db:migrate >"$work/migrate.log" 2>&1
npx medusa user -e admin@example.com -p supersecret >"$work/user.log" 2>&1
npx medusa build >"$work/build.log" 2>&1
ln -sfn ../../node_modules .medusa/server/node_modules
cp .env .medusa/server/.env
cp .env .medusa/server/.env.production
(cd .medusa/server && set -a && . ./.env && set +a &&
	NODE_ENV=production exec setsid node "$work/node_modules/@medusajs/cli/cli.js" start >"$work/server.log" 2>&1) &
server=$!
for _ in $(seq 120); do
	curl -fs localhost:9000/health >/dev/null 2>&1 && break
	sleep 1
done
curl -fs localhost:9000/health >/dev/null || { echo "compare.sh: Medusa did not start; see $work/server.log" >&2; exit 1; }
node seed.mjs >"$work/seed.log"
(cd "$root" && go build -o "$work/sidebyside" ./bench/cmd/sidebyside)

rate() { awk '/^orders\/s / { print $2 }'; }
echo "Medusa $(node -p "require('@medusajs/medusa/package.json').version"), $(nproc) CPUs, $buyers buyers, Medusa ${seconds} s after ${warmup} s warm-up, ours ${ours} s"
for r in $(seq "$rounds"); do
	m=$(node load.mjs "$buyers" "$seconds" "$warmup" | tee "$work/medusa-$r.json" | node -e '
		let s = ""; process.stdin.on("data", d => s += d).on("end", () => {
			const j = JSON.parse(s.slice(s.indexOf("{")));
			if (j.errors > 0) console.error("medusa: " + j.errors + " failed orders: " + JSON.stringify(j.error_kinds));
			console.log(j.orders_per_s) })')
	h=$("$work/sidebyside" -mode engine-postgres -url "$url" -callers "$buyers" -seconds "$ours" -http | rate)
	p=$("$work/sidebyside" -mode engine-postgres -url "$url" -callers "$buyers" -seconds "$ours" | rate)
	awk -v r="$r" -v m="$m" -v h="$h" -v p="$p" 'BEGIN {
		printf "round %d: Medusa %.2f orders/s; ours over HTTP %.1f (%.0fx), in process %.1f (%.0fx)\n", r, m, h, h / m, p, p / m }'
done
