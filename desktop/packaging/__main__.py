"""``python -m desktop.packaging build | smoke DIST | install-desktop`` (see the package docstring)."""
from __future__ import annotations

import argparse
import sys

from . import build


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m desktop.packaging")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("build", help="build the one-folder bundle with PyInstaller")
    s.add_argument("--dist", default="dist", help="where the bundle goes (default: dist/)")
    s.add_argument("--work", default="build", help="PyInstaller's work folder (default: build/)")
    s = sub.add_parser("smoke", help="run the bundle as a workstation would (empty environment)")
    s.add_argument("bundle", help="the bundle folder (dist/casebook)")
    s = sub.add_parser("install-desktop", help="register the desktop entry, icon and .casebook type for this user")
    s.add_argument("--exec", dest="executable", help="the casebook executable (default: the one on PATH)")
    args = p.parse_args(argv)
    if args.command == "build":
        print(build.build(args.dist, args.work))
        return 0
    if args.command == "smoke":
        return build.smoke(args.bundle)
    return build.install_desktop(args.executable)


if __name__ == "__main__":
    sys.exit(main())
