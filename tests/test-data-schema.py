#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Reads every GSettings key back through the compiled schema and checks its
type, default and allowed values: the contract DESIGN.md and the app rely on.

usage: test-data-schema.py SCHEMAS_DIR SCHEMA_ID
"""

import os
import shutil
import subprocess
import sys

# key: (GVariant type, default as gsettings prints it, range as it prints it)
EXPECTED = {
    "provider": ("s", "'anthropic'", "enum\n'anthropic'\n'openai'"),
    "base-url": ("s", "''", "type s"),
    "model": ("s", "''", "type s"),
    "max-tokens": ("u", "uint32 1024", "range u 1 200000"),
    "temperature": ("d", "-1.0", "range d -1.0 2.0"),
    "concurrency": ("u", "uint32 5", "range u 1 1000"),
    "template": (
        "s",
        "'Summarize this article in one sentence:\\n\\n{text}'",
        "type s",
    ),
    "timeout": ("u", "uint32 600", "range u 5 3600"),
    "retries": ("u", "uint32 3", "range u 0 10"),
    "rate-limit-rpm": ("u", "uint32 0", "range u 0 1000000"),
    "rate-limit-tpm": ("u", "uint32 0", "range u 0 1000000000"),
    "system": ("s", "''", "type s"),
    "paste-split": ("s", "'paragraphs'", "enum\n'paragraphs'\n'lines'"),
    "window-width": ("i", "1100", "type i"),
    "window-height": ("i", "720", "type i"),
    "window-maximized": ("b", "false", "type b"),
}


def gsettings(schemas_dir, *args):
    env = dict(os.environ, GSETTINGS_BACKEND="memory")
    out = subprocess.run(
        ["gsettings", "--schemadir", schemas_dir, *args],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return out.stdout.strip()


def main():
    schemas_dir, schema_id = sys.argv[1], sys.argv[2]
    if shutil.which("gsettings") is None:
        print("SKIP: gsettings is not installed (package libglib2.0-bin)")
        return 77

    problems = []
    keys = set(gsettings(schemas_dir, "list-keys", schema_id).split())
    if keys != set(EXPECTED):
        problems.append(
            f"keys differ: missing {sorted(set(EXPECTED) - keys)}, "
            f"unexpected {sorted(keys - set(EXPECTED))}"
        )

    for key, (vtype, default, vrange) in EXPECTED.items():
        if key not in keys:
            continue
        got_range = gsettings(schemas_dir, "range", schema_id, key)
        got_default = gsettings(schemas_dir, "get", schema_id, key)
        if got_range != vrange:
            problems.append(f"{key}: range {got_range!r}, expected {vrange!r}")
        if got_default != default:
            problems.append(f"{key}: default {got_default!r}, expected {default!r}")
        if not got_range.startswith(("enum", f"type {vtype}", f"range {vtype}")):
            problems.append(f"{key}: type is not {vtype}")
        if not gsettings(schemas_dir, "describe", schema_id, key):
            problems.append(f"{key}: has no summary or description")

    # The template default must hold real newlines once GVariant has parsed it.
    template = gsettings(schemas_dir, "get", schema_id, "template")
    if "\\n\\n{text}" not in template or "\n" in template:
        problems.append("template: the default is not escaped as GVariant text")

    for p in problems:
        print("FAIL:", p)
    if problems:
        return 1
    print(f"all {len(EXPECTED)} keys of {schema_id} are as documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
