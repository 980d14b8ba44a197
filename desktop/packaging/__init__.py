"""Building and installing Casebook for clinic workstations (no Python, no network there).

``python -m desktop.packaging build`` makes a one-folder bundle with PyInstaller from
``casebook.spec`` (Qt's platform plugins, the report fonts from their packages, every file of
resources/, the licences of what it bundles); ``smoke DIST`` runs the bundle as a workstation
would; ``install-desktop`` registers the desktop entry, the icon and the .casebook file type for the
current user. The same spec builds on Windows and macOS (see the README); only Linux is tested here.
"""
