#!/usr/bin/env bash
# CPU per order on PostgreSQL: runs the engine's load
# (bench/cmd/sidebyside -mode engine-postgres) and prints, per round, the
# orders per second and the CPU each order cost the server (every postgres
# process's utime and stime, with their children's, from /proc, before and
# after the run, setup included) and the client (the load program's user
# and system time). The server must run on this machine, and nothing else
# should use it meanwhile. Compare two commits by running this in a
# worktree of each, alternating.
#
# Usage: bench/cpuperorder.sh [--url URL] [--rounds 3] [-- sidebyside flags...]
#   e.g. bench/cpuperorder.sh --rounds 2 -- -seconds 4 -bulk 64
# The URL defaults to $OMS_TEST_POSTGRES_URL.
set -euo pipefail

url=${OMS_TEST_POSTGRES_URL:-} rounds=3
while [[ $# -gt 0 ]]; do
	case $1 in
	--url) url=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--) shift; break ;;
	-h|--help) sed -n '2,13p' "$0"; exit 0 ;;
	*) echo "cpuperorder.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
[[ -n $url ]] || { echo "cpuperorder.sh: no PostgreSQL URL (--url or OMS_TEST_POSTGRES_URL)" >&2; exit 2; }
pgrep -x postgres >/dev/null || { echo "cpuperorder.sh: no postgres process on this machine" >&2; exit 2; }

cd "$(dirname "$0")/.."
bin=$(mktemp -d)/sidebyside
trap 'rm -rf "$(dirname "$bin")"' EXIT
go build -o "$bin" ./bench/cmd/sidebyside
tick=$(getconf CLK_TCK)

# server_ticks prints the CPU ticks of every postgres process so far,
# its reaped children's included.
server_ticks() {
	local t=0 p s f
	for p in $(pgrep -x postgres); do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		read -ra f <<<"${s##*) }"
		t=$((t + f[11] + f[12] + f[13] + f[14]))
	done
	echo "$t"
}

for r in $(seq "$rounds"); do
	before=$(server_ticks)
	out=$( { TIMEFORMAT='%U %S'; time "$bin" -mode engine-postgres -url "$url" "$@"; } 2>&1 )
	after=$(server_ticks)
	orders=$(awk '/^orders\/s/ {print $4}' <<<"$out")
	rate=$(awk '/^orders\/s/ {print $2}' <<<"$out")
	client=$(tail -n1 <<<"$out")
	[[ -n $orders && $orders -gt 0 ]] || { echo "$out" >&2; exit 1; }
	awk -v r="$r" -v rate="$rate" -v n="$orders" -v s=$((after - before)) -v tick="$tick" -v c="$client" 'BEGIN {
		split(c, t, " ")
		printf "round %d: %s orders/s, server %.3f ms/order, client %.3f ms/order\n", r, rate, s * 1000 / tick / n, (t[1] + t[2]) * 1000 / n
	}'
done
