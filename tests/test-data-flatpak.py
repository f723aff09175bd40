#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the Flatpak manifest, then installs the source tree the way the
manifest builds it (meson, --prefix=/app, its config-opts) and checks that
the files the manifest, the desktop entry and the metainfo name are there.

usage: test-data-flatpak.py MANIFEST SOURCE_ROOT
"""

import configparser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

APP_ID = "io.github.sheafapp.Sheaf"
FINISH_ARGS = {
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
}
CLEANUP = {"/include", "/lib/pkgconfig", "/share/man", "*.la", "*.a"}
# Libraries org.gnome.Platform already holds: bundling them again only adds
# build time and a second copy to keep secure.
IN_RUNTIME = {
    "glib", "gtk", "gtk4", "libadwaita", "libsoup", "libsoup3",
    "json-glib", "libsecret", "sqlite", "sqlite3",
}

problems = []


def check(ok, message):
    if not ok:
        problems.append(message)
    return ok


def load_manifest(path):
    """The manifest as flatpak-builder reads it (it also accepts comments and
    normalises app-id to id); plain JSON when flatpak-builder is missing."""
    builder = shutil.which("flatpak-builder")
    if builder:
        out = subprocess.run(
            [builder, "--show-manifest", path],
            check=True, capture_output=True, text=True,
        )
        return json.loads(out.stdout)
    print("note: flatpak-builder is not installed; reading the manifest as plain JSON")
    with open(path, encoding="utf-8") as f:
        manifest = json.load(f)
    if "app-id" in manifest:
        manifest.setdefault("id", manifest.pop("app-id"))
    return manifest


def check_manifest(m):
    check(m.get("id") == APP_ID, f"id is {m.get('id')!r}, expected {APP_ID!r}")
    check(m.get("runtime") == "org.gnome.Platform", f"runtime is {m.get('runtime')!r}")
    check(m.get("sdk") == "org.gnome.Sdk", f"sdk is {m.get('sdk')!r}")
    version = str(m.get("runtime-version", ""))
    check(re.fullmatch(r"[0-9]+(\.[0-9]+)?", version) is not None,
          f"runtime-version {version!r} is not a stable release number")
    check(m.get("command") == "sheaf", f"command is {m.get('command')!r}")

    args = m.get("finish-args", [])
    check(len(args) == len(set(args)), f"finish-args repeat an entry: {args}")
    check(set(args) == FINISH_ARGS,
          f"finish-args: missing {sorted(FINISH_ARGS - set(args))}, "
          f"not wanted {sorted(set(args) - FINISH_ARGS)}")

    cleanup = set(m.get("cleanup", []))
    check(CLEANUP <= cleanup, f"cleanup lacks {sorted(CLEANUP - cleanup)}")

    modules = [x for x in m.get("modules", []) if isinstance(x, dict)]
    if not check(modules, "the manifest has no modules"):
        return []
    for mod in modules:
        check(mod.get("name", "").lower() not in IN_RUNTIME,
              f"module {mod.get('name')!r} is already in org.gnome.Platform")
    app = modules[-1]
    check(app.get("buildsystem") == "meson", "the app module does not build with meson")
    check(app.get("sources") == [{"type": "dir", "path": ".."}],
          f"the app module's sources are {app.get('sources')}, expected the source tree")
    return app.get("config-opts", [])


def run(cmd, **kwargs):
    print("$", " ".join(cmd), flush=True)
    result = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        print(result.stdout[-6000:], result.stderr[-6000:], sep="\n")
        raise SystemExit(f"FAIL: {cmd[0]} {cmd[1]} exited with {result.returncode}")
    return result


def install_tree(source_root, config_opts, workdir):
    meson = shutil.which("meson")
    if meson is None:
        raise SystemExit("FAIL: meson is not on PATH")
    build, dest = os.path.join(workdir, "build"), os.path.join(workdir, "dest")
    env = {k: v for k, v in os.environ.items() if not k.startswith("MESON")}
    # The build type does not change what is installed where; plain is the
    # quickest to compile.
    run([meson, "setup", build, source_root, "--prefix=/app", "--libdir=lib",
         "--buildtype=plain", *config_opts], env=env)
    run([meson, "compile", "-C", build], env=env)
    run([meson, "install", "-C", build, "--no-rebuild", "--destdir", dest], env=env)
    return os.path.join(dest, "app")


def check_installed(prefix, command):
    binary = os.path.join(prefix, "bin", command)
    check(os.path.isfile(binary) and os.access(binary, os.X_OK),
          f"bin/{command} is not installed as an executable (the manifest's command)")

    desktop = os.path.join(prefix, "share", "applications", APP_ID + ".desktop")
    if check(os.path.isfile(desktop), f"share/applications/{APP_ID}.desktop is missing"):
        entry = configparser.ConfigParser(interpolation=None, strict=False)
        entry.optionxform = str
        entry.read(desktop, encoding="utf-8")
        group = entry["Desktop Entry"]
        exec_line = group.get("Exec", "").split()
        check(exec_line[:1] == [command],
              f"the desktop entry runs {exec_line[:1]}, the manifest's command is {command!r}")
        check(group.get("Icon") == APP_ID, f"the desktop entry's Icon is {group.get('Icon')!r}")

    for sub, name in (("scalable", APP_ID + ".svg"), ("symbolic", APP_ID + "-symbolic.svg")):
        path = os.path.join(prefix, "share", "icons", "hicolor", sub, "apps", name)
        check(os.path.isfile(path), f"share/icons/hicolor/{sub}/apps/{name} is missing")

    metainfo = os.path.join(prefix, "share", "metainfo", APP_ID + ".metainfo.xml")
    if check(os.path.isfile(metainfo), f"share/metainfo/{APP_ID}.metainfo.xml is missing"):
        root = ET.parse(metainfo).getroot()
        check(root.findtext("id") == APP_ID, f"the metainfo's id is {root.findtext('id')!r}")
        launchables = [e.text for e in root.findall("launchable[@type='desktop-id']")]
        check(launchables == [APP_ID + ".desktop"],
              f"the metainfo launches {launchables}, expected {APP_ID}.desktop")

    schema = os.path.join(prefix, "share", "glib-2.0", "schemas", APP_ID + ".gschema.xml")
    check(os.path.isfile(schema), f"share/glib-2.0/schemas/{APP_ID}.gschema.xml is missing")


def main():
    manifest_path, source_root = sys.argv[1], sys.argv[2]
    manifest = load_manifest(manifest_path)
    config_opts = check_manifest(manifest)
    with tempfile.TemporaryDirectory(prefix="sheaf-flatpak-") as workdir:
        prefix = install_tree(source_root, config_opts, workdir)
        check_installed(prefix, manifest.get("command", "sheaf"))

    for p in problems:
        print("FAIL:", p)
    if problems:
        return 1
    print("the manifest is as intended and the install tree matches it")
    return 0


if __name__ == "__main__":
    sys.exit(main())
