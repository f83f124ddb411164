#!/usr/bin/env bash
# Runs one tier of the tests, named, with the time it took:
#   scripts/tier.sh NAME COMMAND...
set -uo pipefail
name=$1
shift
echo "=== tier $name: $*"
start=$SECONDS
"$@"
code=$?
took=$((SECONDS - start))
if [ $code -eq 0 ]; then
  printf '=== tier %s passed in %dm%02ds\n' "$name" $((took / 60)) $((took % 60))
else
  printf '=== tier %s FAILED (exit %d) after %dm%02ds\n' "$name" $code $((took / 60)) $((took % 60))
fi
exit $code
