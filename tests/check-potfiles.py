#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Fails when po/POTFILES.in is out of date: a file with translatable
strings that it does not list, a listed file that does not exist, a line
listed twice, or lines out of order.

usage: check-potfiles.py SOURCE_ROOT [--print]
  --print  write the list POTFILES.in should hold, and check nothing
"""

import os
import re
import sys

# _(), N_(), C_(), NC_() and the g_d*gettext forms the glib preset extracts.
C_CALL = re.compile(r"(?<![A-Za-z0-9_])(?:N?C?_|g_d[cnp]?n?gettext2?|ngettext)\s*\(")
UI_TRANSLATABLE = re.compile(r"""translatable\s*=\s*["'](?:yes|true)["']""")
DATA_PATTERNS = (".desktop.in", ".metainfo.xml.in", ".gschema.xml")


def strip_c_comments(text):
    return re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.S)


def has_strings(path):
    with open(path, encoding="utf-8", errors="replace") as f:
        text = f.read()
    if path.endswith((".c", ".h")):
        return C_CALL.search(strip_c_comments(text)) is not None
    if path.endswith(".ui"):
        return UI_TRANSLATABLE.search(text) is not None
    return True


def wanted(root):
    """Every file of the shipped program that holds translatable strings."""
    found = []
    for top in ("src",):
        for dirpath, dirnames, filenames in os.walk(os.path.join(root, top)):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in filenames:
                if name.endswith((".c", ".h", ".ui")):
                    found.append(os.path.join(dirpath, name))
    data = os.path.join(root, "data")
    if os.path.isdir(data):
        found += [os.path.join(data, n) for n in os.listdir(data) if n.endswith(DATA_PATTERNS)]
    rel = (os.path.relpath(p, root) for p in found)
    return sorted(p for p in rel if has_strings(os.path.join(root, p)))


def listed(root):
    with open(os.path.join(root, "po", "POTFILES.in"), encoding="utf-8") as f:
        lines = [line.strip() for line in f]
    return [line for line in lines if line and not line.startswith("#")]


def main():
    root = sys.argv[1]
    if "--print" in sys.argv[2:]:
        print("\n".join(wanted(root)))
        return 0

    entries = listed(root)
    problems = []
    if entries != sorted(entries):
        problems.append("po/POTFILES.in is not sorted (sort it with LC_ALL=C sort)")
    dupes = sorted({e for e in entries if entries.count(e) > 1})
    if dupes:
        problems.append("listed more than once: " + ", ".join(dupes))
    for entry in entries:
        if not os.path.isfile(os.path.join(root, entry)):
            problems.append(f"listed but missing: {entry}")
    for path in wanted(root):
        if path not in entries:
            problems.append(f"has translatable strings but is not listed: {path}")

    for p in problems:
        print("FAIL:", p)
    if problems:
        print(f"\nRegenerate it with: {sys.argv[0]} {root} --print > po/POTFILES.in")
        return 1
    print(f"po/POTFILES.in lists all {len(entries)} files with translatable strings")
    return 0


if __name__ == "__main__":
    sys.exit(main())
