"""The operations layer: every use case of Casebook as a plain function or small class, without Qt.

The window (``desktop.gui``) and the command line (``desktop.cli``) both call these; neither has a
private path to the data. What lives where:

- :mod:`.library` — find, open or create a library (the default one with the demo case);
- :mod:`.cases` — :class:`Casebook`: the open library, its cases added, duplicated, imported,
  trashed and restored (undoable), change notification, and undo/redo across the library and the
  case in hand;
- :mod:`.editing` — :class:`OpenCase`: every edit of a case as a change set, applied in one
  transaction with its inverse kept for undo; validated field edits; "set day 0"; lesion delete;
- :mod:`.export` — the one export pipeline (scan → confirmations → de-identification → writer →
  atomic write); :mod:`.render` runs the report writers in a child process for the window;
- :mod:`.references` — import a reference file (RIS, BibTeX, CSL-JSON, PubMed) into a case, one undo step;
- :mod:`.conformance` — a case against a journal profile (resources/journals/): every rule with its numbers;
- :mod:`.package` — the submission package for a journal (manuscript, figures, legends, CARE checklist,
  consent, cover-letter draft, manifest with hashes; what changed since the previous package);
- :mod:`.backups` — backup and restore;
- :mod:`.notify`, :mod:`.history`, :mod:`.progress` — what changed, undo stacks, progress/cancel.

Long operations take a ``progress`` (see :mod:`.progress`) and may run on a worker thread; nothing
here calls into a user interface.
"""
from .cases import Casebook
from .editing import EditRefused, FieldRefused, OpenCase
from .notify import Changes, Notifier

__all__ = ["Casebook", "OpenCase", "FieldRefused", "EditRefused", "Changes", "Notifier"]
