#!/bin/sh
# Fails when a C file of the project is not formatted with the repository's
# .clang-format. Skips (exit 77) when clang-format is not installed.
set -eu
top=$1
command -v clang-format >/dev/null 2>&1 || { echo "clang-format is not installed"; exit 77; }
cd "$top"
bad=0
for f in $(find src tests -name '*.[ch]' | sort); do
  if ! clang-format --dry-run -Werror "$f" >/dev/null 2>&1; then
    echo "not formatted: $f (run clang-format -i $f)"
    bad=1
  fi
done
[ "$bad" -eq 0 ] && echo "every C file is formatted"
exit "$bad"
