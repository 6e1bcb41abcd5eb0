#!/usr/bin/env bash
# The routine tables of docs/*-protocol.md against the definitions
# (include/mach/defs.h), as build/host/test_defs --list prints them
# ("id name request-bytes reply-bytes", a routine with two reply shapes
# twice).  Every table row "| ID | `NAME...` | ..." must name a defined
# routine with that id; every defined routine must have a row; and in a
# table whose columns are id, routine, request, reply, a "(N bytes)" in the
# request cell must be the request's size and one in the reply cell a
# reply's size.
#
# Prints a FAIL line per mismatch and ends with "N passed, M failed".
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
list_prog=${TEST_DEFS:-$root/${BUILD:-build}/host/test_defs}
passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL defs_docs: $*"; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

defs=$("$list_prog" --list) || { fail "$list_prog --list failed"; finish; }
[ -n "$defs" ] || { fail "$list_prog --list printed nothing"; finish; }

# "file id name request-cell reply-cell sized" for every routine row; sized
# is 1 when the table's third and fourth columns are request and reply.
rows=$(awk -F'|' '
	FNR == 1 { sized = 0 }
	/^\| *id *\| *routine *\|/ {
		sized = ($4 ~ /^ *request/ && $5 ~ /^ *reply/)
		next
	}
	/^\| *[0-9]+ *\| *`[a-z0-9_]+/ {
		id = $2; gsub(/ /, "", id)
		name = $3; sub(/^ *`/, "", name); sub(/[`(].*/, "", name)
		req = $4; rep = $5; gsub(/\t/, " ", req); gsub(/\t/, " ", rep)
		printf "%s\t%s\t%s\t%s\t%s\t%d\n", FILENAME, id, name, req, rep, sized
	}' "$root"/docs/*-protocol.md)

# byte counts "(N bytes)" in a cell, one a line
sizes_in() { grep -oE '\(([0-9]+) bytes\)' <<<"$1" | grep -oE '[0-9]+'; }

declare -A seen
while IFS=$'\t' read -r file id name req rep sized; do
	[ -n "$id" ] || continue
	doc=${file#"$root"/}
	want=$(awk -v n="$name" '$2 == n { print $1; exit }' <<<"$defs")
	if [ -z "$want" ]; then
		fail "$doc: routine $name ($id) has no definition"
		continue
	fi
	if [ "$want" = "$id" ]; then pass; else fail "$doc: $name is $id, the definition says $want"; fi
	seen[$name]=1
	[ "$sized" = 1 ] || continue
	req_size=$(awk -v n="$name" '$2 == n { print $3; exit }' <<<"$defs")
	rep_sizes=$(awk -v n="$name" '$2 == n { print $4 }' <<<"$defs")
	for n in $(sizes_in "$req"); do
		if [ "$n" = "$req_size" ]; then pass; else fail "$doc: $name's request is $req_size bytes, the table says $n"; fi
	done
	for n in $(sizes_in "$rep"); do
		if grep -qx "$n" <<<"$rep_sizes"; then pass
		else fail "$doc: $name's reply is $(tr '\n' ' ' <<<"$rep_sizes")bytes, the table says $n"; fi
	done
done <<<"$rows"

while read -r id name _; do
	if [ -n "${seen[$name]:-}" ]; then pass; else fail "$name ($id) is in no table of docs/*-protocol.md"; fi
done <<<"$defs"

finish
