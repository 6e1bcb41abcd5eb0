#!/usr/bin/env bash
# Runs the checks and adds them up:
#   check.sh [--unit PROG...] [--boot BUILD SCENARIO...]
# --unit: each PROG is a unit test program (an executable, or a script: *.sh
#   runs with bash, *.py with python3) whose last line of the form
#   "N passed, M failed" is its result; one that prints no such line, crashes,
#   or exits non-zero while reporting no failure counts as (at least) 1 failed.
# --boot: runs the boot scenarios with tools/boottest.py and takes its last
#   "N passed, M failed" line the same way.
# Ends with a summary and exactly one overall line "N passed, M failed"; the
# exit status is non-zero when anything failed.
# Environment: UNIT_TIMEOUT (seconds for each unit program, default 600).
set -u

here=$(cd "$(dirname "$0")" && pwd)
unit=() boot=() build=""
mode=""
while [ $# -gt 0 ]; do
    case "$1" in
    --unit) mode=unit ;;
    --boot) mode=boot
            [ $# -ge 2 ] || { echo "check.sh: --boot needs a build directory" >&2; exit 2; }
            build=$2; shift ;;
    --help|-h) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *)  case "$mode" in
        unit) unit+=("$1") ;;
        boot) boot+=("$1") ;;
        *) echo "check.sh: $1: give --unit or --boot first" >&2; exit 2 ;;
        esac ;;
    esac
    shift
done

total_pass=0 total_fail=0
summary=()
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
trap 'echo; echo "check.sh: interrupted"; exit 130' INT TERM

result_re='^([0-9]+) passed, ([0-9]+) failed$'

# add NAME STATUS: reads the output in $tmp and adds its result to the totals
add() {
    local name=$1 status=$2 line p f note=""
    line=$(tr -d '\r' < "$tmp" | grep -E "$result_re" | tail -n 1)
    if [[ $line =~ $result_re ]]; then
        p=${BASH_REMATCH[1]} f=${BASH_REMATCH[2]}
        if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
            f=1 note=" (but exited with status $status$(signame "$status"))"
        fi
    else
        p=0 f=1 note=" (no \"N passed, M failed\" line; exit status $status$(signame "$status"))"
    fi
    total_pass=$((total_pass + p)) total_fail=$((total_fail + f))
    summary+=("$(printf '%-6s %s: %d passed, %d failed%s' "$([ "$f" -eq 0 ] && echo ok || echo FAIL)" "$name" "$p" "$f" "$note")")
}

signame() {
    local s=$1
    if [ "$s" -eq 124 ]; then
        printf ', timed out after %s s' "${UNIT_TIMEOUT:-600}"
    elif [ "$s" -gt 128 ] && [ "$s" -lt 160 ]; then
        printf ', killed by SIG%s' "$(kill -l $((s - 128)) 2>/dev/null || echo $((s - 128)))"
    fi
}

for prog in "${unit[@]+"${unit[@]}"}"; do
    name=$prog
    echo "== unit: $prog"
    if [ ! -f "$prog" ]; then
        echo "check.sh: $prog: no such file" | tee "$tmp"
        add "$name" 127
        continue
    fi
    case "$prog" in
    *.sh) cmd=(bash "$prog") ;;
    *.py) cmd=(python3 "$prog") ;;
    */*) cmd=("$prog") ;;
    *) cmd=("./$prog") ;;
    esac
    if [ "${cmd[0]}" = "$prog" ] || [ "${cmd[0]}" = "./$prog" ]; then
        [ -x "$prog" ] || { echo "check.sh: $prog is not executable" | tee "$tmp"; add "$name" 126; continue; }
    fi
    timeout --kill-after=10 "${UNIT_TIMEOUT:-600}" "${cmd[@]}" < /dev/null 2>&1 | tee "$tmp"
    add "$name" "${PIPESTATUS[0]}"
done

if [ -n "$build" ]; then
    scen=()
    for s in "${boot[@]+"${boot[@]}"}"; do
        # an unmatched glob (no scenarios yet) is no scenario
        case "$s" in *'*'*) [ -e "$s" ] || continue ;; esac
        scen+=("$s")
    done
    if [ ${#scen[@]} -gt 0 ]; then
        echo "== boot: ${#scen[@]} scenario(s)"
        python3 "$here/boottest.py" --build "$build" "${scen[@]}" < /dev/null 2>&1 | tee "$tmp"
        status=${PIPESTATUS[0]}
        [ "$status" -eq 130 ] && { echo "check.sh: interrupted"; exit 130; }
        add "boot scenarios" "$status"
        # name the failed scenarios in the summary
        while read -r _ s _; do
            summary+=("       boot scenario ${s%:} failed")
        done < <(grep -E '^FAIL [^ ]+:' "$tmp")
    else
        echo "== boot: no scenarios"
    fi
fi

echo
echo "== summary"
for l in "${summary[@]+"${summary[@]}"}"; do echo "$l"; done
echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
