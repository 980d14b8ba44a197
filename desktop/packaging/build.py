"""Build the bundle, run it as a workstation would, register it with the desktop."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SPEC = Path(__file__).resolve().parent / "casebook.spec"
DESKTOP = ROOT / "resources" / "desktop"
# LGPL texts for Qt (PySide6 ships none in its wheel): from the build machine's own copy
SYSTEM_LICENCES = Path("/usr/share/common-licenses")


def build(dist: str | os.PathLike = "dist", work: str | os.PathLike = "build") -> Path:
    """Run PyInstaller on casebook.spec; returns the bundle folder (dist/casebook)."""
    from .licences import write_index
    try:
        import PyInstaller.__main__ as pyinstaller
    except ImportError:
        raise SystemExit("PyInstaller is not installed: pip install -e '.[build]'") from None
    dist, work = Path(dist).resolve(), Path(work).resolve()
    licences = work / "licenses"
    write_index(licences)
    for name in ("LGPL-3", "GPL-3"):
        if (SYSTEM_LICENCES / name).is_file():
            shutil.copyfile(SYSTEM_LICENCES / name, licences / f"{name}.txt")
    env = {"CASEBOOK_ROOT": str(ROOT), "CASEBOOK_LICENSES": str(licences)}
    os.environ.update(env)
    pyinstaller.run([str(SPEC), "--noconfirm", "--clean", "--log-level", "WARN",
                     "--distpath", str(dist), "--workpath", str(work)])
    bundle = dist / "casebook"
    for name in ("casebook.desktop", "casebook.svg", "casebook-mime.xml"):
        shutil.copyfile(DESKTOP / name, bundle / name)
    return bundle


def workstation_env(home: Path) -> dict[str, str]:
    """An environment as on a fresh workstation account: no Python, no PYTHONPATH, a new HOME."""
    return {"HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "QT_QPA_PLATFORM": "offscreen",
            "XDG_RUNTIME_DIR": str(home / "runtime")}


def smoke(bundle: str | os.PathLike) -> int:
    """The bundled casebook in an empty environment: it creates its default library with the demo,
    writes a valid PDF and DOCX, and opens its window and paints it. 0 when all went well."""
    exe = Path(bundle).resolve() / ("casebook.exe" if sys.platform == "win32" else "casebook")
    home = Path(tempfile.mkdtemp(prefix="casebook-smoke-"))
    (home / "runtime").mkdir(mode=0o700)
    env = workstation_env(home)
    problems: list[str] = []

    def run(*args: str, timeout: int = 300, expect: int = 0) -> subprocess.CompletedProcess:
        t0 = time.perf_counter()
        proc = subprocess.run([str(exe), *args], env=env, cwd=home, capture_output=True, text=True, timeout=timeout)
        print(f"casebook {' '.join(args)}: exit {proc.returncode} in {time.perf_counter() - t0:.1f} s")
        if proc.returncode != expect:
            problems.append(f"casebook {' '.join(args)} exited {proc.returncode}: {proc.stderr.strip()[-2000:]}")
        return proc

    from .. import __version__
    v = run("--version")
    if __version__ not in v.stdout:
        problems.append(f"--version printed {v.stdout!r}")
    listing = run("list")
    if "demo-smilnak-2022" not in listing.stdout:
        problems.append(f"the default library has no demo case: {listing.stdout!r}")
    libraries = list(home.rglob("library.casebook"))
    if not libraries:
        problems.append("no default library was created in the user's data folder")
    pdf, docx_path = home / "demo.pdf", home / "demo.docx"
    run("report", "demo-smilnak-2022", "-o", str(pdf), "--draft")
    run("export-docx", "demo-smilnak-2022", "-o", str(docx_path), "--draft")
    try:
        import pypdf
        pages = pypdf.PdfReader(str(pdf)).pages
        if not pages or "Calciphylaxis" not in pages[0].extract_text():
            problems.append("the PDF has no first page with the title")
    except Exception as exc:  # noqa: BLE001 - any failure to read it is the finding
        problems.append(f"the PDF cannot be read: {exc}")
    try:
        import docx
        if not any("alciphylaxis" in p.text for p in docx.Document(str(docx_path)).paragraphs):
            problems.append("the DOCX does not hold the manuscript")
    except Exception as exc:  # noqa: BLE001
        problems.append(f"the DOCX cannot be read: {exc}")
    draft = home / "draft.txt"
    draft.write_text("Seen by Dr Okafor at Brackenfield on the 3rd of March.\n", encoding="utf-8")
    scanned = run("scan-phi", str(draft), expect=3)  # 3: it found something, as it should
    if "Okafor" not in scanned.stdout:  # names come from the bundled name lists
        problems.append(f"scan-phi missed the planted name: {scanned.stdout!r}")
    run("check-manuscript", "demo-smilnak-2022", "--journal", "bmj-case-reports")
    face = _face_child(exe, env, home)
    if face:
        problems.append(face)
    painted = run("--paint-and-exit")
    if "painted" not in painted.stdout:
        problems.append(f"the window did not paint: {painted.stdout!r} {painted.stderr[-500:]!r}")
    for p in problems:
        print("SMOKE FAILED:", p, file=sys.stderr)
    if not problems:
        print(f"smoke test of {exe} passed")
    return 1 if problems else 0


def _face_child(exe: Path, env: dict[str, str], home: Path) -> str:
    """The bundle's executable as the face-check child (desktop.app.face_process), as the window
    starts it: it must say it is ready and answer a photo. A problem found, or ""."""
    import io

    from PIL import Image

    from ..app.face_process import ANSWER, CHILD_ARG
    from ..app.render import MEDIA, READY, _recv, _send
    buf = io.BytesIO()
    Image.new("RGB", (320, 240), (180, 120, 110)).save(buf, "JPEG")
    t0 = time.perf_counter()
    proc = subprocess.Popen([str(exe), CHILD_ARG], env=env, cwd=home, stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        kind, _ = _recv(proc.stdout)
        if kind != READY:
            return f"the face-check child did not start: {kind!r} {proc.stderr.read()[-500:]!r}"
        _send(proc.stdin, MEDIA, buf.getvalue())
        proc.stdin.flush()
        kind, answer = _recv(proc.stdout)
        proc.stdin.close()
        proc.wait(30)
    except (EOFError, OSError, subprocess.TimeoutExpired) as exc:
        proc.kill()
        return f"the face-check child failed: {exc}"
    print(f"casebook {CHILD_ARG}: answered {answer!r} in {time.perf_counter() - t0:.1f} s, exit {proc.returncode}")
    if kind != ANSWER or answer != b"0" or proc.returncode != 0:  # a plain colour field shows no face
        return f"the face-check child answered {kind!r} {answer!r} (exit {proc.returncode})"
    return ""


def install_desktop(executable: str | None = None) -> int:
    """Register Casebook with the desktop for this user: the menu entry, its icon, and the .casebook
    file type, so that double-clicking a library opens it."""
    exe = executable or shutil.which("casebook") or str(Path(sys.argv[0]).resolve())
    data = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    apps, icons, mime = data / "applications", data / "icons" / "hicolor" / "scalable" / "apps", data / "mime" / "packages"
    for folder in (apps, icons, mime):
        folder.mkdir(parents=True, exist_ok=True)
    entry = (DESKTOP / "casebook.desktop").read_text("utf-8").replace("Exec=casebook", f"Exec={exe}")
    (apps / "casebook.desktop").write_text(entry, encoding="utf-8")
    shutil.copyfile(DESKTOP / "casebook.svg", icons / "casebook.svg")
    shutil.copyfile(DESKTOP / "casebook-mime.xml", mime / "casebook.xml")
    for cmd in (["update-mime-database", str(data / "mime")], ["update-desktop-database", str(apps)]):
        if shutil.which(cmd[0]):
            subprocess.run(cmd, check=False, capture_output=True)
    print(f"registered {apps / 'casebook.desktop'} (Exec={exe}), the icon and the .casebook file type")
    return 0
