"""The window (PySide6): draws and dispatches; every use case goes through :mod:`desktop.app`.

Importing this package first makes PySide6's check of each later import cheap
(:mod:`.qt_import_check`): it is on the start-up path of the window.
"""
from .qt_import_check import install as _install_import_check

_install_import_check()
