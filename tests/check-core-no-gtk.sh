#!/bin/sh
# Fails when src/core includes GTK or libadwaita, or when sheaf-cli (which
# links only the core) ends up linked against them.
set -eu
core_dir=$1
cli=$2
if grep -rnE '#include[[:space:]]*[<"](gtk|gdk|adwaita)' "$core_dir"; then
  echo "src/core must not include GTK or libadwaita headers" >&2
  exit 1
fi
if ldd "$cli" | grep -E 'lib(gtk|gdk|adwaita)'; then
  echo "sheaf-cli must not link GTK or libadwaita" >&2
  exit 1
fi
echo "src/core and sheaf-cli are free of GTK"
