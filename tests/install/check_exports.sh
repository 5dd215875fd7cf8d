#!/usr/bin/env bash
# Checks that a shared library exports exactly the functions a C header
# declares (nothing missing, nothing extra).
#   check_exports.sh path/to/libember.so include/ember/ember.h
set -euo pipefail
lib=$1
header=$2
declared=$(grep -oE '\bEmber[A-Za-z0-9_]+\(' "$header" | tr -d '(' | sort -u)
exported=$(nm -D --defined-only "$lib" | awk '$2 ~ /^[TtWwDdBbRrVvi]$/ {print $3}' |
           sed 's/@.*//' | sort -u)
if [[ "$declared" == "$exported" ]]; then
  echo "OK: $(wc -l <<<"$exported") symbols, exactly those declared in $header"
  exit 0
fi
echo "export mismatch between $header (<) and $lib (>):"
diff <(echo "$declared") <(echo "$exported") || true
exit 1
