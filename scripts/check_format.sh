#!/usr/bin/env bash
# Fails when a tracked C/C++ file differs from what the repo's .clang-format
# makes of it; prints the offending files. --fix rewrites them in place.
set -euo pipefail
cd "$(dirname "$0")/.."
fix=0
[ "${1:-}" = "--fix" ] && fix=1
command -v clang-format > /dev/null ||
  { echo "check_format: clang-format not found (Debian package clang-format)" >&2; exit 1; }
mapfile -t files < <(git ls-files '*.cc' '*.h' '*.c' '*.hpp')
if [ $fix = 1 ]; then
  printf '%s\0' "${files[@]}" | xargs -0 -P"$(nproc)" -n 20 clang-format -i
  echo "check_format: formatted ${#files[@]} files"
  exit 0
fi
bad=()
for f in "${files[@]}"; do
  clang-format --dry-run --Werror "$f" > /dev/null 2>&1 || bad+=("$f")
done
if [ ${#bad[@]} -gt 0 ]; then
  printf 'check_format: not clang-format clean: %s\n' "${bad[@]}" >&2
  echo "check_format: ${#bad[@]} of ${#files[@]} files need 'bash scripts/check_format.sh --fix'" >&2
  exit 1
fi
echo "check_format: ${#files[@]} files clean"
