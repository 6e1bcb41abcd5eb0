#!/usr/bin/env bash
# The corpus (run.sh) as dash runs it, in a fresh directory: what our sh
# must print too.
set -e
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
D=$here dash "$here/run.sh"
