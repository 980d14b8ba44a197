"""Writing export files safely: next to the target, then renamed over it, so a failed or
cancelled export never leaves half a file where the author expects a whole one."""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO


def write_atomic(out: Path | str | BinaryIO, data: bytes) -> None:
    """Write ``data`` to a path atomically, or to an open binary stream as it is."""
    if not isinstance(out, (str, os.PathLike)):
        out.write(data)
        return
    path = Path(out)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=str(path.parent))
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
