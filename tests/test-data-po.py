#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Translation checks, one per subcommand:

  complete SOURCE_ROOT
      Extracts the template from po/POTFILES.in as the `sheaf-pot` target
      does (xgettext with meson's glib preset), merges every language of
      po/LINGUAS into it, and fails listing any message left untranslated
      or fuzzy; `msgfmt --check` must accept each catalogue.

  merged DESKTOP_FILE METAINFO_FILE
      The merged desktop entry and metainfo carry the German strings.

  runtime SOURCE_ROOT
      Installs sheaf-cli with its catalogues into a temporary prefix and
      runs `sheaf-cli --help` in a German locale: the help text must come
      out in German. Skips (77) when no German UTF-8 locale is installed.
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

SKIP = 77

# meson's glib preset (mesonbuild/modules/i18n.py, PRESET_ARGS['glib']),
# used when the meson module cannot be imported.
GLIB_PRESET = [
    "--from-code=UTF-8", "--add-comments",
    "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
    "--keyword=g_dcgettext:2", "--keyword=g_dngettext:2,3", "--keyword=g_dpgettext2:2c,3",
    "--flag=N_:1:pass-c-format", "--flag=C_:2:pass-c-format", "--flag=NC_:2:pass-c-format",
    "--flag=g_dngettext:2:pass-c-format", "--flag=g_strdup_printf:1:c-format",
    "--flag=g_string_printf:2:c-format", "--flag=g_string_append_printf:2:c-format",
    "--flag=g_error_new:3:c-format", "--flag=g_set_error:4:c-format",
    "--flag=g_markup_printf_escaped:1:c-format", "--flag=g_log:3:c-format",
    "--flag=g_print:1:c-format", "--flag=g_printerr:1:c-format",
    "--flag=g_printf:1:c-format", "--flag=g_fprintf:2:c-format",
    "--flag=g_sprintf:2:c-format", "--flag=g_snprintf:3:c-format",
]


def preset_args():
    try:
        from mesonbuild.modules.i18n import PRESET_ARGS
        return PRESET_ARGS["glib"]
    except ImportError:
        return GLIB_PRESET


def run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        print(result.stdout[-4000:], result.stderr[-4000:], sep="\n")
        raise SystemExit(f"FAIL: {' '.join(cmd[:2])} exited with {result.returncode}")
    return result


def languages(po_dir):
    with open(os.path.join(po_dir, "LINGUAS"), encoding="utf-8") as f:
        return [w for line in f if not line.startswith("#") for w in line.split()]


def unquote(s):
    """The text of one quoted PO line, C escapes resolved."""
    raw = s.strip()[1:-1]
    return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), raw)


def iter_po(text):
    """(msgid, msgstr, fuzzy, context) for each entry; msgstr lists the
    plural forms."""
    for block in re.split(r"\n\s*\n", text):
        msgid, msgstr, fuzzy, field, ctx = None, [], False, None, None
        for line in block.splitlines():
            if line.startswith("msgctxt "):
                ctx, field = unquote(line[8:]), None
            elif line.startswith("#,"):
                fuzzy = fuzzy or "fuzzy" in line
            elif line.startswith("#"):
                continue
            elif line.startswith("msgid "):
                msgid, field = unquote(line[6:]), "id"
            elif line.startswith("msgid_plural "):
                field = None
            elif line.startswith("msgstr"):
                msgstr.append(unquote(line.split(" ", 1)[1]))
                field = "str"
            elif line.startswith('"') and field == "id":
                msgid += unquote(line)
            elif line.startswith('"') and field == "str":
                msgstr[-1] += unquote(line)
        if msgid:
            yield msgid, msgstr, fuzzy, ctx


def parse_po(path):
    """msgid -> msgstr of the translated, non-fuzzy singular messages
    without a context."""
    with open(path, encoding="utf-8") as f:
        return {i: s[0] for i, s, fuzzy, ctx in iter_po(f.read())
                if len(s) == 1 and s[0] and not fuzzy and ctx is None}


def untranslated_report(merged):
    report = []
    for flag, label in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy")):
        out = run(["msgattrib", flag, "--no-obsolete", merged]).stdout
        report += [f"{label}: {msgid!r}" for msgid, _, _, _ in iter_po(out)]
    return report


def cmd_complete(root):
    for tool in ("xgettext", "msgmerge", "msgattrib", "msgfmt"):
        if shutil.which(tool) is None:
            print(f"FAIL: {tool} is missing (package gettext)")
            return 1
    po_dir = os.path.join(root, "po")
    problems = []
    with tempfile.TemporaryDirectory(prefix="sheaf-po-") as tmp:
        pot = os.path.join(tmp, "sheaf.pot")
        run(["xgettext", "--package-name=sheaf", "-f", os.path.join(po_dir, "POTFILES.in"),
             "-D", root, "-k_", "-o", pot, *preset_args()])
        with open(pot, encoding="utf-8") as f:
            total = sum(1 for _ in iter_po(f.read()))
        for lang in languages(po_dir):
            po = os.path.join(po_dir, lang + ".po")
            if not os.path.isfile(po):
                problems.append(f"{lang}: po/{lang}.po is missing")
                continue
            stats = run(["msgfmt", "--check", "--statistics", "-o", os.devnull, po])
            print(f"{lang}.po: {stats.stderr.strip()}")
            merged = os.path.join(tmp, lang + ".po")
            run(["msgmerge", "--quiet", "--no-fuzzy-matching", "-o", merged, po, pot])
            run(["msgfmt", "--check", "-o", os.devnull, merged])
            problems += [f"{lang}: {r}" for r in untranslated_report(merged)]
    for p in problems:
        print("FAIL:", p)
    if problems:
        print("\nUpdate with: meson compile -C BUILDDIR sheaf-update-po, then translate.")
        return 1
    print(f"every one of the {total} messages is translated in {', '.join(languages(po_dir))}")
    return 0


def cmd_merged(desktop, metainfo):
    problems = []
    with open(desktop, encoding="utf-8") as f:
        lines = dict(line.rstrip("\n").split("=", 1) for line in f if "=" in line)
    for key in ("Name", "Comment", "Keywords"):
        if f"{key}[de]" not in lines:
            problems.append(f"the desktop entry has no {key}[de]")
    if lines.get("Comment[de]") == lines.get("Comment"):
        problems.append("the desktop entry's Comment[de] is the English one")

    root = ET.parse(metainfo).getroot()
    lang = "{http://www.w3.org/XML/1998/namespace}lang"
    summaries = {e.get(lang): e.text for e in root.findall("summary")}
    if not summaries.get("de") or summaries.get("de") == summaries.get(None):
        problems.append("the metainfo has no German summary")
    if not any(p.get(lang) == "de" for p in root.iter("p")):
        problems.append("the metainfo description has no German paragraph")

    for p in problems:
        print("FAIL:", p)
    if problems:
        return 1
    print(f"German: {lines['Comment[de]']!r} / {summaries['de']!r}")
    return 0


def german_locale():
    out = run(["locale", "-a"]).stdout.split()
    for name in out:
        if re.fullmatch(r"de_DE\.utf-?8", name, re.I):
            return name
    return None


def cmd_runtime(root):
    loc = german_locale()
    if loc is None:
        print("SKIP: no de_DE.UTF-8 locale on this machine. Generate it with:\n"
              "  sed -i 's/^# *\\(de_DE.UTF-8 UTF-8\\)/\\1/' /etc/locale.gen && locale-gen")
        return SKIP
    meson = shutil.which("meson")
    catalogue = parse_po(os.path.join(root, "po", "de.po"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("MESON", "LC_", "LANG"))}
    with tempfile.TemporaryDirectory(prefix="sheaf-i18n-") as tmp:
        build, prefix = os.path.join(tmp, "build"), os.path.join(tmp, "prefix")
        for cmd in ([meson, "setup", build, root, "--prefix=" + prefix, "-Dgui=false",
                     "--buildtype=plain"],
                    [meson, "compile", "-C", build],
                    [meson, "install", "-C", build, "--no-rebuild"]):
            result = subprocess.run(cmd, capture_output=True, text=True, env=env)
            if result.returncode != 0:
                print(result.stdout[-4000:], result.stderr[-4000:], sep="\n")
                print(f"FAIL: {' '.join(cmd[:2])} exited with {result.returncode}")
                return 1
        cli = os.path.join(prefix, "bin", "sheaf-cli")
        english = subprocess.run([cli, "--help"], capture_output=True, text=True,
                                 env=dict(env, LC_ALL="C.UTF-8")).stdout
        german = subprocess.run([cli, "--help"], capture_output=True, text=True,
                                env=dict(env, LC_ALL=loc)).stdout
    # Every catalogue message that --help prints in English must come out in
    # German, and there must be a few of them.
    shown = [m for m in catalogue if catalogue[m] != m and m in english]
    missing = [m for m in shown if catalogue[m] not in german]
    if len(shown) < 3:
        print(f"FAIL: sheaf-cli --help shows only {len(shown)} translatable messages:\n{english}")
        return 1
    for m in missing:
        print(f"FAIL: not translated in --help: {m!r} (expected {catalogue[m]!r})")
    if missing:
        print("German --help output:\n" + german)
        return 1
    example = min(shown, key=len)
    print(f"sheaf-cli --help shows {len(shown)} messages, all in German, e.g. "
          f"{example!r} as {catalogue[example]!r}")
    return 0


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "complete":
        return cmd_complete(*args)
    if cmd == "merged":
        return cmd_merged(*args)
    if cmd == "runtime":
        return cmd_runtime(*args)
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main())
