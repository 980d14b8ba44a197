"""Render the window with the demo case, one image per section, into resources/screenshots/.

    python -m desktop.gui.screenshots [--out DIR] [--scale 2]

Runs offscreen (no display needed) on a throw-away library and settings in a temporary folder, so it
never touches the user's library. The images are committed: they are kept small (palette PNG).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

MAX_BYTES = 300_000
SIZE = (1400, 900)


def _settle(app, seconds: float = 0.25) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def _wait(app, cond, timeout: float = 30.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if cond():
            return True
        time.sleep(0.01)
    return False


def _save_small(image, path: Path) -> int:
    """Save a QImage as PNG; quantise to a palette when that keeps it under the limit."""
    image.save(str(path), "PNG")
    if path.stat().st_size > MAX_BYTES * 0.6:
        from PIL import Image
        with Image.open(path) as im:
            small = im.convert("RGB").quantize(colors=256, method=Image.Quantize.MEDIANCUT,
                                               dither=Image.Dither.NONE)
            small.save(path, optimize=True)
    return path.stat().st_size


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the PNGs (default: resources/screenshots)")
    parser.add_argument("--scale", type=float, default=1.0, help="QT_SCALE_FACTOR, e.g. 2 to check 200%% scaling")
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    if args.scale != 1.0:
        os.environ["QT_SCALE_FACTOR"] = str(args.scale)

    from PySide6.QtCore import QSettings

    from .. import catalogue
    out = args.out or catalogue.resource_path("screenshots")
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="casebook-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))

    from ..app.library import open_or_create
    from . import sections
    from .app import create_application
    from .main_window import MainWindow

    app = create_application(["casebook-screenshots"])
    window = MainWindow(open_or_create(tmp / "library.casebook"))
    window.resize(*SIZE)
    window.show()
    _settle(app, 0.5)
    panel = window.assessment
    _wait(app, lambda: panel.assessment is not None, 10)
    # show a finding with its evidence, as a user would after clicking it
    if panel.assessment is not None:
        chosen = next((f for f in panel.assessment.findings if f.rule_id.startswith("ca-p")), None) \
            or next((f for f in panel.assessment.findings if f.evidence), None)
        if chosen is not None:
            panel.select_finding(chosen.rule_id)

    written = []
    for spec in sections.SECTIONS:
        page = window.show_section(spec.key)
        if spec.key == "report" and getattr(page, "pdf", None) is not None:
            page.draft.setChecked(True)  # the demo records no consent: preview it as a draft
            _wait(app, lambda: page.last_info is not None, 60)
        _settle(app, 0.4)
        path = out / f"section-{spec.key}.png"
        size = _save_small(window.grab().toImage(), path)
        written.append((path, size))
    window.show_section("timeline")  # the README's picture: the drawn timeline beside the assessment
    _settle(app, 0.3)
    path = out / "main-window.png"
    written.append((path, _save_small(window.grab().toImage(), path)))
    window.close()
    for path, size in written:
        flag = "" if size <= MAX_BYTES else "  (over the 300 KB limit)"
        print(f"{path}  {size / 1000:.0f} KB{flag}")
    return 0 if all(size <= MAX_BYTES for _p, size in written) else 1


if __name__ == "__main__":
    sys.exit(main())
