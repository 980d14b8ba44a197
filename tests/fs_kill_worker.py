"""Run as a subprocess by tests/test_interrupted.py: do a restore or a backup and SIGKILL this
process just before its n-th file-system change (rename, link, unlink), as a power cut or a killed
process would stop it there. Real code, real files; only the moment of death is chosen."""
import os
import signal
import sys


def _arm(n: int) -> None:
    count = [0]

    def wrap(fn):
        def inner(*args, **kwargs):
            count[0] += 1
            if count[0] == n:
                os.kill(os.getpid(), signal.SIGKILL)
            return fn(*args, **kwargs)
        return inner

    for name in ("replace", "rename", "link", "unlink"):
        setattr(os, name, wrap(getattr(os, name)))


def main(what: str, library: str, arg: str, n: int) -> None:
    from desktop.store import backup as B
    from desktop.store.library import open_library
    if what == "restore":
        _arm(n)
        B.restore(arg, library)
    elif what == "backup":
        lib = open_library(library)
        _arm(n)
        B.backup(lib, arg)
        lib.close()
    print("done")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
