"""A process killed with SIGKILL in the middle of a burst of edits loses nothing it acknowledged."""
import random

from crash import check_after_kill, kill_trial


def test_sigkill_during_edits_loses_no_acknowledged_edit(tmp_path):
    rng = random.Random(20221)
    for trial in range(3):
        folder = tmp_path / f"t{trial}"
        folder.mkdir()
        acked, path, cid = kill_trial(folder, rng, edits=200)
        check_after_kill(path, cid, acked)
