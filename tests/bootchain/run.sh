#!/usr/bin/env bash
# bootchain's rules, one broken configuration each: every *.cfg here must be
# rejected with the text of its "# expect:" line; every warn/*.cfg accepted
# with the warning of its "# warn:" line; every configuration of the
# project (boot/, tests/boot/) must pass, except those a boot scenario uses on
# purpose as broken (named in a "bootchain-rejects" line of the scenario).
set -u
cd "$(dirname "$0")/../.."
tool=${BOOTCHAIN:-build/host/bootchain}
args=(--bin=build/bin --kernel-dir=build/kernel)
export ASAN_OPTIONS=detect_leaks=0
pass=0 fail=0
for cfg in tests/bootchain/*.cfg; do
	want=$(sed -n 's/^# expect: //p' "$cfg")
	out=$("$tool" check "${args[@]}" "$cfg" 2>&1); rc=$?
	if [ $rc -eq 1 ] && grep -qF -- "$want" <<<"$out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $cfg: wanted exit 1 and: $want"
		sed 's/^/    /' <<<"$out"
	fi
done
# configurations that boot but not as probably meant: accepted, with a warning
for cfg in tests/bootchain/warn/*.cfg; do
	want=$(sed -n 's/^# warn: //p' "$cfg")
	out=$("$tool" check "${args[@]}" "$cfg" 2>&1); rc=$?
	if [ $rc -eq 0 ] && grep -qF -- "warning: $want" <<<"$out"; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL $cfg: wanted exit 0 and: warning: $want"
		sed 's/^/    /' <<<"$out"
	fi
done
for cfg in boot/*.cfg tests/boot/*.cfg; do
	rejected=$(grep -l "^config $cfg\$" tests/boot/*.scenario 2>/dev/null | xargs -r grep -h '^bootchain-rejects ' | head -1)
	out=$("$tool" check "${args[@]}" "$cfg" 2>&1); rc=$?
	if [ -n "$rejected" ]; then
		want=${rejected#bootchain-rejects }
		if [ $rc -eq 1 ] && grep -qF -- "$want" <<<"$out"; then pass=$((pass + 1)); continue; fi
	elif [ $rc -eq 0 ]; then
		pass=$((pass + 1)); continue
	fi
	fail=$((fail + 1))
	echo "FAIL $cfg:"
	sed 's/^/    /' <<<"$out"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
