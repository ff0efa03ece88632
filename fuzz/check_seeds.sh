#!/usr/bin/env bash
# ctest Fuzz.Seeds: the binary seeds committed in fuzz/corpus (log, mf_model, index) are exactly
# what rlrec's writers produce now (fuzz/make_seeds.cc). When a file format changes, this fails:
# regenerate them with `build/release/fuzz/rlrec_fuzz_make_seeds fuzz/corpus` and commit.
#   fuzz/check_seeds.sh MAKE_SEEDS_BINARY CORPUS_DIR
set -euo pipefail
bin="$1"
corpus="$2"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$bin" "$out" >/dev/null
bad=0
for f in "$out"/*/*; do
  rel="${f#"$out"/}"
  if ! cmp -s "$f" "$corpus/$rel"; then
    echo "seeds: $corpus/$rel differs from what $bin writes now; regenerate: $bin $corpus" >&2
    bad=1
  fi
done
[ "$bad" -eq 0 ] && echo "seeds: all $(ls "$out"/*/* | wc -l) binary seeds match the writers"
exit "$bad"
