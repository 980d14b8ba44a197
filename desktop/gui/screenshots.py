"""Render the window with the demo case, one image per section, into resources/screenshots/.

    python -m desktop.gui.screenshots [--out DIR] [--only 1280x800|2x]

Each section is drawn twice: in a 1280×800 window at 100 % (``section-<key>-1280x800.png``) and in a
window of the same logical size at 200 % (``QT_SCALE_FACTOR=2``, as on a 2560×1600 screen:
``section-<key>-2x.png``). Each configuration runs in a process of its own (the scale factor is read
when Qt starts), offscreen (no display needed), on a throw-away library and settings in a temporary
folder, so it never touches the user's library. The images are committed: they are kept small
(palette PNG).
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MAX_BYTES = 300_000
LOGICAL_SIZE = (1280, 800)
# name suffix -> QT_SCALE_FACTOR
CONFIGS = {"1280x800": 1.0, "2x": 2.0}


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


def render(out: Path, suffix: str, *, main_window: bool = False) -> list[tuple[Path, int]]:
    """In this process (Qt not started yet, QT_SCALE_FACTOR already set): every section of the demo
    case in a window of LOGICAL_SIZE; returns the files written with their sizes."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QSettings, Qt

    tmp = Path(tempfile.mkdtemp(prefix="casebook-shots-"))
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp / "settings"))

    from ..app.library import open_or_create
    from . import sections
    from .app import create_application
    from .main_window import MainWindow

    app = create_application(["casebook-screenshots"])
    window = MainWindow(open_or_create(tmp / "library.casebook"))
    window.setWindowState(Qt.WindowState.WindowNoState)  # not the first-run size of the offscreen screen
    window.resize(*LOGICAL_SIZE)
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
        path = out / f"section-{spec.key}-{suffix}.png"
        written.append((path, _save_small(window.grab().toImage(), path)))
        if spec.key == "lesions":  # the wound observation form, at its instrument items
            page.tabs.setCurrentIndex(1)
            _settle(app, 0.3)
            bar = page.obs_scroll.verticalScrollBar()
            field = page.obs_fields["ulcerated"]
            bar.setValue(field.mapTo(page.obs_scroll.widget(), field.rect().topLeft()).y() - 40)
            _settle(app, 0.3)
            path = out / f"section-lesions-observation-{suffix}.png"
            written.append((path, _save_small(window.grab().toImage(), path)))
            page.tabs.setCurrentIndex(0)
    if main_window:
        window.show_section("timeline")  # the README's picture: the drawn timeline beside the assessment
        _settle(app, 0.3)
        path = out / "main-window.png"
        written.append((path, _save_small(window.grab().toImage(), path)))
    window.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the PNGs (default: resources/screenshots)")
    parser.add_argument("--only", choices=sorted(CONFIGS), default=None,
                        help="render one configuration, in this process")
    args = parser.parse_args(argv)
    if args.out is None:
        from .. import catalogue
        args.out = catalogue.resource_path("screenshots")
    args.out.mkdir(parents=True, exist_ok=True)
    if args.only is not None:
        os.environ["QT_QPA_PLATFORM"] = "offscreen"
        scale = CONFIGS[args.only]
        if scale != 1.0:
            os.environ["QT_SCALE_FACTOR"] = str(scale)
        else:
            os.environ.pop("QT_SCALE_FACTOR", None)
        written = render(args.out, args.only, main_window=args.only == "1280x800")
        for path, size in written:
            flag = "" if size <= MAX_BYTES else "  (over the 300 KB limit)"
            print(f"{path}  {size / 1000:.0f} KB{flag}")
        return 0 if all(size <= MAX_BYTES for _p, size in written) else 1
    code = 0
    for suffix in CONFIGS:  # one process each: Qt reads the scale factor once, at start
        proc = subprocess.run([sys.executable, "-m", "desktop.gui.screenshots", "--out", str(args.out), "--only", suffix])
        code = code or proc.returncode
    return code


if __name__ == "__main__":
    sys.exit(main())
