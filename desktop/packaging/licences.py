"""The licences of what Casebook ships with: read from the installed packages' metadata (from
source), or from the copy the bundle carries (``licenses/`` beside the bundled code). Shown in
Help ▸ About."""
from __future__ import annotations

import json
import re
import sys
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

INDEX = "licenses.json"


@dataclass(frozen=True)
class Licence:
    name: str
    version: str
    licence: str  # the package's own words: "BSD-3-Clause", "LGPLv3", "OFL-1.1", ...
    text: str  # the licence file(s) it ships, or "" when it ships none


def _requirement_name(req: str) -> str:
    return re.split(r"[ ;<>=!~\[(]", req.strip(), maxsplit=1)[0]


def runtime_distributions(root: str = "casebook") -> list[metadata.Distribution]:
    """Casebook's distribution and everything it needs at run time (not the test or build extras)."""
    seen: dict[str, metadata.Distribution] = {}
    todo = [root]
    while todo:
        name = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen:
            continue
        try:
            dist = metadata.distribution(name)
        except metadata.PackageNotFoundError:
            continue
        seen[key] = dist
        for req in dist.requires or []:
            if "extra ==" in req:
                continue  # an optional extra: not shipped
            todo.append(_requirement_name(req))
    return sorted(seen.values(), key=lambda d: d.metadata["Name"].lower())


def _licence_text(dist: metadata.Distribution) -> str:
    texts = []
    for f in dist.files or []:
        name = Path(str(f)).name.upper()
        if name.startswith(("LICENSE", "LICENCE", "COPYING", "NOTICE", "AUTHORS")) or "/licenses/" in str(f).lower():
            try:
                texts.append(Path(dist.locate_file(f)).read_text("utf-8", errors="replace"))
            except OSError:
                continue
    return "\n\n".join(texts)


def _licence_name(dist: metadata.Distribution) -> str:
    md = dist.metadata
    expr = md.get("License-Expression")
    if expr:
        return expr
    lic = (md.get("License") or "").strip()
    if lic and len(lic) < 80 and "\n" not in lic:
        return lic
    classifiers = [c.split("::")[-1].strip() for c in md.get_all("Classifier") or [] if c.startswith("License ::")]
    return "; ".join(classifiers) or (lic.splitlines()[0][:80] if lic else "see the licence text")


# Qt's wheels (PySide6, shiboken6) name their licence but ship no text of it: the standard texts
# come from the system's copy where it has one (Debian's common-licenses)
COMMON = Path("/usr/share/common-licenses")


def _common_text(licence: str) -> str:
    for spdx, name in (("LGPL-3.0", "LGPL-3"), ("GPL-3.0", "GPL-3"), ("GPL-2.0", "GPL-2")):
        if spdx in licence and (COMMON / name).is_file():
            return f"{spdx}:\n\n" + (COMMON / name).read_text("utf-8", errors="replace")
    return ""


def collect() -> list[Licence]:
    """The licences of Casebook's run-time packages, from their installed metadata."""
    out = []
    for dist in runtime_distributions():
        name = _licence_name(dist)
        out.append(Licence(dist.metadata["Name"], dist.version, name, _licence_text(dist) or _common_text(name)))
    return out


def write_index(folder: Path) -> Path:
    """For the build: the licences as one JSON file the bundle carries."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / INDEX
    path.write_text(json.dumps([asdict(x) for x in collect()], ensure_ascii=False, indent=1), encoding="utf-8")
    return path


def bundled() -> list[Licence]:
    """What Help ▸ About lists: the bundle's copy when frozen, else the installed metadata."""
    base = getattr(sys, "_MEIPASS", None)
    if base and (Path(base) / "licenses" / INDEX).is_file():
        data = json.loads((Path(base) / "licenses" / INDEX).read_text("utf-8"))
        return [Licence(**x) for x in data]
    return collect()
