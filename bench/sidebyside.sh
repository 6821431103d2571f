#!/usr/bin/env bash
# Side by side (issue 8, item 5): the engine's PlaceOrder of 3-line orders
# against the same SQL work written by hand, on the same database,
# interleaved A B A B, printing each round's ratio (ours / hand-written
# orders per second) and, per comparison, the median ratio with its min and
# max. Eight comparisons:
#
#   postgres      engine on storage/postgres  vs  pgbench -f bench/pgbench/place.sql
#   postgres-hot  the same, every order reserving one hot stock row (place_hot.sql)
#   postgres-rows the engine  vs  pgbench -f bench/pgbench/place_rows.sql: every
#                 row the engine writes for the order, by hand, in the engine's
#                 own tables (migrated and stocked by sidebyside -mode
#                 stock-postgres) and in two transactions like its saga; it
#                 tells the engine's overhead apart from the cost of its records
#   postgres-rows-1tx  the same rows by hand in one transaction (-D one_tx=1): the
#                 figure the 0.5x target names, "the same SQL work in one
#                 transaction", the saga's second commit the engine's extra cost
#   sqlite        engine on a storage/sqlite file  vs  a database/sql transaction
#                 doing the same statements (bench/cmd/sidebyside -mode hand-sqlite)
#   sqlite-hot    the same, one hot row
#   sqlite-rows   the engine on SQLite  vs  every row it writes for the order, by
#                 hand, in the adapter's own tables and two transactions
#                 (bench/cmd/sidebyside -mode hand-sqlite-rows)
#   sqlite-rows-1tx  the same rows by hand in one transaction (-one-tx)
#
# Usage: bench/sidebyside.sh [--url URL] [--callers 8] [--seconds 10] [--rounds 3]
#                            [--only postgres,postgres-hot,postgres-rows,postgres-rows-1tx,sqlite,sqlite-hot,sqlite-rows,sqlite-rows-1tx]
#                            [--batch-window 2ms]   (the engine's placement combiner)
#                            [--bulk 64]   (each engine call places 64 orders with PlaceOrders)
#                            [--analyze]   (PostgreSQL: both sides' catalogue tables analyzed first)
# The URL defaults to $OMS_TEST_POSTGRES_URL. pgbench runs with as many
# clients as callers and min(callers, nproc) threads; the engine's pool gets
# as many connections as callers. Each engine run uses a fresh schema (or
# file) of its own, dropped afterwards; pgbench's tables live in schema
# bench_pgbench, recreated before each pgbench run and dropped at the end
# (postgres-rows: a fresh engine schema per run, dropped after it).
# Both sides' tables are new, so PostgreSQL plans their statements with no
# statistics. With --analyze the tables of the catalogue (the engine's
# items, locations and stock levels; pgbench's stock) are analyzed after
# the set-up, as autovacuum analyzes a running system's within a minute or
# so; the order tables stay new on both sides (analyzed empty, they would
# be planned as empty while they grow).
set -euo pipefail

url=${OMS_TEST_POSTGRES_URL:-}
callers=8 seconds=10 rounds=3 only=postgres,postgres-hot,sqlite,sqlite-hot batch=0 bulk=1 analyze=
while [[ $# -gt 0 ]]; do
	case $1 in
	--url) url=$2; shift 2 ;;
	--callers) callers=$2; shift 2 ;;
	--seconds) seconds=$2; shift 2 ;;
	--rounds) rounds=$2; shift 2 ;;
	--only) only=$2; shift 2 ;;
	--batch-window) batch=$2; shift 2 ;;
	--bulk) bulk=$2; shift 2 ;;
	--analyze) analyze=yes; shift ;;
	-h|--help) sed -n '2,38p' "$0"; exit 0 ;;
	*) echo "sidebyside.sh: unknown argument $1 (see --help)" >&2; exit 2 ;;
	esac
done
if [[ $only == *postgres* && -z $url ]]; then
	echo "sidebyside.sh: set OMS_TEST_POSTGRES_URL or pass --url (or --only sqlite,sqlite-hot)" >&2
	exit 2
fi

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
cleanup() {
	rm -rf "$work"
	if [[ $only == *postgres* ]]; then psql -qX "$url" -c 'DROP SCHEMA IF EXISTS bench_pgbench CASCADE' >/dev/null 2>&1 || true; fi
}
trap cleanup EXIT
(cd "$root" && go build -o "$work/sidebyside" ./bench/cmd/sidebyside)
threads=$(( callers < $(nproc) ? callers : $(nproc) ))

echo "commit $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- . 2>/dev/null || echo ' (with uncommitted changes)'), $(nproc) CPUs, callers $callers, $seconds s per run, $rounds rounds, engine batch window $batch, engine orders per call $bulk${analyze:+, tables analyzed}"

# ours MODE [-hot]: the engine's orders per second.
ours() {
	local flags=()
	if [[ -n $analyze && $1 == engine-postgres ]]; then flags+=(-analyze); fi
	"$work/sidebyside" -mode "$1" -url "$url" -file "$work/engine-$RANDOM.db" -callers "$callers" -seconds "$seconds" -batch-window "$batch" -bulk "$bulk" ${flags[@]+"${flags[@]}"} ${2:+"$2"} |
		awk '/^orders\/s/ { print $2 }'
}

# theirs KIND [-hot|-one-tx]: the hand-written orders per second.
theirs() {
	case $1 in
	postgres)
		psql -qX -v ON_ERROR_STOP=1 "$url" -f "$root/bench/pgbench/schema.sql" >/dev/null 2>&1
		if [[ -n $analyze ]]; then
			psql -qX -v ON_ERROR_STOP=1 "$url" -c 'ANALYZE bench_pgbench.stock' >/dev/null
		fi
		local script=place.sql
		[[ ${2:-} == -hot ]] && script=place_hot.sql
		pgbench -n -M prepared -c "$callers" -j "$threads" -T "$seconds" -f "$root/bench/pgbench/$script" "$url" 2>&1 |
			awk '/^tps = / { print $3 } /^number of failed transactions: [1-9]/ { print "pgbench: " $0 > "/dev/stderr" }'
		;;
	rows)
		local schema=bench_rows_$$_$RANDOM loc
		loc=$("$work/sidebyside" -mode stock-postgres -url "$url" -schema "$schema" | awk '/^location/ { print $2 }')
		PGOPTIONS="-csearch_path=$schema" psql -qX -v ON_ERROR_STOP=1 "$url" -f "$root/bench/pgbench/rows_setup.sql" >/dev/null
		if [[ -n $analyze ]]; then
			psql -qX -v ON_ERROR_STOP=1 "$url" -c "ANALYZE $schema.items, $schema.locations, $schema.stock_levels" >/dev/null
		fi
		PGOPTIONS="-csearch_path=$schema" pgbench -n -M prepared -c "$callers" -j "$threads" -T "$seconds" -D loc="$loc" -D one_tx=$([[ ${2:-} == -one-tx ]] && echo 1 || echo 0) -f "$root/bench/pgbench/place_rows.sql" "$url" 2>&1 |
			awk '/^tps = / { print $3 } /^number of failed transactions: [1-9]/ { print "pgbench: " $0 > "/dev/stderr" }'
		psql -qX "$url" -c "SET client_min_messages = warning" -c "DROP SCHEMA $schema CASCADE" >/dev/null
		;;
	sqlite-rows)
		"$work/sidebyside" -mode hand-sqlite-rows -file "$work/hand-$RANDOM.db" -callers "$callers" -seconds "$seconds" ${2:+"$2"} |
			awk '/^orders\/s/ { print $2 }'
		;;
	sqlite)
		"$work/sidebyside" -mode hand-sqlite -file "$work/hand-$RANDOM.db" -callers "$callers" -seconds "$seconds" ${2:+"$2"} |
			awk '/^orders\/s/ { print $2 }'
		;;
	esac
}

summary=()
for cmp in ${only//,/ }; do
	case $cmp in
	postgres) mode=engine-postgres kind=postgres hot= ;;
	postgres-hot) mode=engine-postgres kind=postgres hot=-hot ;;
	postgres-rows) mode=engine-postgres kind=rows hot= ;;
	postgres-rows-1tx) mode=engine-postgres kind=rows hot= ;;
	sqlite) mode=engine-sqlite kind=sqlite hot= ;;
	sqlite-hot) mode=engine-sqlite kind=sqlite hot=-hot ;;
	sqlite-rows) mode=engine-sqlite kind=sqlite-rows hot= ;;
	sqlite-rows-1tx) mode=engine-sqlite kind=sqlite-rows hot= ;;
	*) echo "sidebyside.sh: unknown comparison $cmp" >&2; exit 2 ;;
	esac
	ratios=()
	for ((r = 1; r <= rounds; r++)); do
		a=$(ours "$mode" $hot)
		their=$hot
		[[ $cmp == *-1tx ]] && their=-one-tx
		b=$(theirs "$kind" $their)
		if [[ -z $a || -z $b ]]; then echo "sidebyside.sh: $cmp round $r: a run failed" >&2; exit 1; fi
		ratio=$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", a / b }')
		ratios+=("$ratio")
		printf '%-17s round %d: ours %8.1f orders/s, hand-written %8.1f orders/s, ratio %s\n' "$cmp" "$r" "$a" "$b" "$ratio"
	done
	summary+=("$(printf '%s\n' "${ratios[@]}" | sort -g | awk -v c="$cmp" '{ v[NR] = $1 }
		END { m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
			printf "%-17s ratio ours/hand-written: median %.3f (min %.3f, max %.3f) over %d rounds\n", c, m, v[1], v[NR], NR }')")
done
echo
printf '%s\n' "${summary[@]}"
