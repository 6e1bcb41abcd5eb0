#!/usr/bin/env bash
# The project's RPC ids (the ID_* enums of include/mach/kernel_msgs.h and
# include/mach/device_msgs.h) against the ids the kernel's own interface
# definitions give: Debian gnumach-dev's .defs, run through cpp, where a
# routine's id is its subsystem's base plus its position, counting every
# routine, simpleroutine (and the old procedure/function kinds) and skip.
# Only declarations at nesting depth 0 count: parameter lists hold words such
# as `routine_entry_pt`, and struct types hold semicolons.
#
# Prints a FAIL line per mismatch and ends with "N passed, M failed"; exits
# non-zero on any failure.  DEFS_DIR overrides where the .defs are.
set -u

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
defs_dir=${DEFS_DIR:-/usr/include/x86_64-linux-gnu}
# the subsystems the project talks to (mach_i386's ids are the same on i386)
defs=(mach/mach.defs mach/mach_host.defs mach/mach_port.defs mach/gnumach.defs
      mach/x86_64/mach_i386.defs device/device.defs mach/exc.defs mach/memory_object.defs)
headers=(include/mach/kernel_msgs.h include/mach/device_msgs.h)

passed=0 failed=0
pass() { passed=$((passed + 1)); }
fail() { failed=$((failed + 1)); echo "FAIL defs_ids: $*"; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

command -v cpp >/dev/null || { fail "cpp not found"; finish; }

# "name id kind" for every declaration of one preprocessed .defs on stdin.
ids_of() {
	awk '
	BEGIN { depth = 0; start = 1; base = -1; pos = 0; want_name = 0 }
	function token(t) {
		if (t == "(" || t == "[" || t == "{") { depth++; return }
		if (t == ")" || t == "]" || t == "}") { depth--; return }
		if (depth != 0) return
		if (t == ";") {
			if (in_subsystem) { base = last_number; pos = 0; in_subsystem = 0 }
			start = 1; return
		}
		if (want_name) { print t, base + pos, kind; pos++; want_name = 0; return }
		if (in_subsystem && t ~ /^[0-9]+$/) last_number = t + 0
		if (!start) return
		start = 0
		if (t == "subsystem") { in_subsystem = 1; last_number = -1 }
		else if (t == "skip") pos++
		else if (t ~ /^(routine|simpleroutine|procedure|simpleprocedure|function)$/) {
			if (base < 0) { print "ERROR no-subsystem-before " t; exit 1 }
			kind = t; want_name = 1
		}
	}
	{
		line = $0
		while (length(line) > 0) {
			if (match(line, /^[ \t\r]+/)) { line = substr(line, RLENGTH + 1); continue }
			if (match(line, /^"[^"]*"/) || match(line, /^[A-Za-z_][A-Za-z0-9_]*/) || match(line, /^[0-9]+/)) {
				token(substr(line, 1, RLENGTH)); line = substr(line, RLENGTH + 1); continue
			}
			token(substr(line, 1, 1)); line = substr(line, 2)
		}
	}'
}

computed=$(mktemp)
trap 'rm -f "$computed"' EXIT
for f in "${defs[@]}"; do
	path=$defs_dir/$f
	if [ ! -r "$path" ]; then
		fail "$path not found (Debian package gnumach-dev)"
		continue
	fi
	out=$(cpp -P -I"$defs_dir" "$path" 2>&1) || { fail "cpp $path: $out"; continue; }
	got=$(ids_of <<<"$out") || { fail "$f: $got"; continue; }
	n=$(grep -c . <<<"$got")
	if [ "$n" -lt 1 ]; then
		fail "$f: found only $n routines"
		continue
	fi
	sed "s|\$| $f|" <<<"$got" >>"$computed"
done

# Two routines of one name in different subsystems would make names ambiguous.
dups=$(awk '{ print $1 }' "$computed" | sort | uniq -d)
[ -z "$dups" ] || fail "routine names defined twice: $dups"

# The method against ids seen answering on the real kernel (docs PLATFORM.md).
for known in device_open:2800 device_write_inband:2803 host_get_time:2634 host_reboot:2635 \
             i386_io_perm_create:3805 i386_io_perm_modify:3806; do
	name=${known%%:*} want=${known#*:}
	got=$(awk -v n="$name" '$1 == n { print $2 }' "$computed")
	if [ "$got" = "$want" ]; then pass; else fail "computed $name = ${got:-nothing}, the kernel answers $want"; fi
done

# The project's ids.
found=0
for h in "${headers[@]}"; do
	file=$root/$h
	[ -r "$file" ] || { fail "$h not found"; continue; }
	# every ID_ constant must be a plain NAME = NUMBER that this script can read
	all=$(grep -oE '\bID_[A-Z0-9_]+[[:space:]]*=' "$file" | wc -l)
	plain=$(grep -oE '\bID_[A-Z0-9_]+[[:space:]]*=[[:space:]]*[0-9]+[[:space:]]*[,}]' "$file")
	if [ "$(grep -c . <<<"$plain")" -ne "$all" ]; then
		fail "$h: an ID_ constant is not of the form ID_NAME = NUMBER"
	fi
	while read -r id value; do
		[ -n "$id" ] || continue
		found=$((found + 1))
		routine=$(tr 'A-Z' 'a-z' <<<"${id#ID_}")
		line=$(awk -v n="$routine" '$1 == n' "$computed")
		if [ -z "$line" ]; then
			fail "$h: $id = $value: no routine $routine in the .defs"
			continue
		fi
		read -r _ want kind src <<<"$line"
		if [ "$value" = "$want" ]; then
			pass
		else
			fail "$h: $id = $value, but $routine is $want in $src"
		fi
		[ "$kind" = routine ] || echo "# note: $routine ($id) is a $kind: it has no reply"
	done < <(sed -E 's/[[:space:]]*=[[:space:]]*/ /; s/[[:space:]]*[,}]$//' <<<"$plain")
done
[ "$found" -gt 0 ] || fail "no ID_ constants found in ${headers[*]}"

finish
