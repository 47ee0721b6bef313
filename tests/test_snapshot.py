"""Every row of the support table renders exactly its reviewed snapshot (tests/snapshot.py): any
change to a rendered file, weaker or not, fails here until it is reviewed and recorded with
`python scripts/update_snapshot.py`. The renders are the session's shared ones, which the lint
test of test_rendered_files makes."""
from __future__ import annotations

import pytest

import snapshot
from test_rendered_files import SUPPORT_TABLE, _ids, _linted_answers


@pytest.mark.parametrize("combo", SUPPORT_TABLE, ids=_ids)
def test_rendered_files_are_the_reviewed_snapshot(renders, combo):
    found = snapshot.differences(_ids(combo), renders.shared(**_linted_answers(combo)))
    assert not found, ("\n".join(found) + f"\nNot the reviewed snapshot. An intended change? Record it with "
                       f"`{snapshot.REGENERATE}` and review `git diff tests/snapshots`.")


def test_snapshot_holds_no_row_the_support_table_lacks():
    stale = snapshot.rows() - {_ids(combo) for combo in SUPPORT_TABLE}
    assert not stale, f"rows no longer in the support table: {sorted(stale)}; run `{snapshot.REGENERATE}`"
