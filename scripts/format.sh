#!/usr/bin/env bash
# clang-format (Debian 12's clang-format-14, .clang-format at the top) over every C++ source of rlrec.
#   scripts/format.sh           # rewrite the files in place
#   scripts/format.sh --check   # change nothing; list the files that differ and exit 1 if any
#                               # (ctest runs this as Format.Check)
set -euo pipefail
cd "$(dirname "$0")/.."
CF="${CLANG_FORMAT:-clang-format-14}"
if ! command -v "$CF" >/dev/null; then
  echo "format: $CF not found; scripts/setup.sh installs it (package clang-format-14)" >&2
  exit 1
fi
mapfile -t files < <(find cli src tests benchmarks examples python fuzz -type f \( -name '*.cc' -o -name '*.h' \) 2>/dev/null | sort)
if [ "${1:-}" = "--check" ]; then
  bad=()
  for f in "${files[@]}"; do
    "$CF" --dry-run --Werror "$f" >/dev/null 2>&1 || bad+=("$f")
  done
  if [ ${#bad[@]} -gt 0 ]; then
    echo "format: ${#bad[@]} of ${#files[@]} files differ from .clang-format: ${bad[*]}; run scripts/format.sh" >&2
    exit 1
  fi
  echo "format: all ${#files[@]} files follow .clang-format"
elif [ $# -eq 0 ]; then
  "$CF" -i "${files[@]}"
  echo "format: formatted ${#files[@]} files"
else
  echo "format: unknown argument '$1'; valid: --check, or none" >&2
  exit 2
fi
