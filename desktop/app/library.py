"""Finding, opening and creating a library: the same rules for the window and the command line."""
from __future__ import annotations

import os
from pathlib import Path

from ..store.library import Library, LibraryError, create_library, open_library


class NoLibrary(LibraryError):
    """There is no library at the path asked for (only the default library is created on demand)."""


def default_library_path() -> Path:
    """$CASEBOOK_LIBRARY, else library.casebook in the user's data folder."""
    env = os.environ.get("CASEBOOK_LIBRARY")
    if env:
        return Path(env)
    import platformdirs
    return Path(platformdirs.user_data_dir("Casebook", appauthor=False)) / "library.casebook"


def open_or_create(path: str | os.PathLike, *, read_only: bool = False, check: bool = False,
                   create: bool = True) -> Library:
    """Open the library at ``path``; when there is none and ``create`` is set, create it with the
    demo case (the first run on a workstation). With ``create=False`` a missing file raises
    :class:`NoLibrary`."""
    path = Path(path)
    if not path.exists():
        from ..store.backup import finish_restore, set_aside_libraries
        if finish_restore(path) is not None and path.exists():  # a restore was killed midway: finish it
            return open_library(path, read_only=read_only, check=check)
        if not create:
            raise NoLibrary(f"no library at {path} (create one with: casebook init {path})")
        aside = set_aside_libraries(path)
        if aside:  # the library was restored away, not lost: never hide it behind a new, empty one
            raise NoLibrary(f"there is no library at {path}, but a restore set the earlier one aside as "
                            f"{aside[-1]}. Move it back to {path.name}, or restore a backup "
                            "(casebook restore BACKUP); no new library was created.")
        lib = create_library(path)
        from ..demo import load_demo
        lib.add_case(load_demo())
        if read_only:
            lib.close()
            return open_library(path, read_only=True)
        return lib
    return open_library(path, read_only=read_only, check=check)


def resolve_case_id(lib: Library, ref: str) -> str:
    """A case id, or an unambiguous prefix of one. Raises ``LookupError`` with a message."""
    if lib.has_case(ref):
        return ref
    matches = [cid for cid in lib.case_ids() if cid.startswith(ref)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        raise LookupError(f"no case {ref!r} in {lib.path} (casebook list shows the ids)")
    raise LookupError(f"{ref!r} matches {len(matches)} cases; give more of the id")
