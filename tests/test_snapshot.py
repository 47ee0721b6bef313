"""Every row of the support table renders exactly its reviewed snapshot (tests/snapshot.py): any
change to a rendered file, weaker or not, fails here until it is reviewed and recorded with
`python scripts/update_snapshot.py`. The renders are the session's shared ones, which the lint
test of test_rendered_files makes."""
from __future__ import annotations

import pytest

import snapshot
from test_rendered_files import SUPPORT_TABLE, _ids, _linted_answers


@pytest.fixture(scope="module")
def stored() -> snapshot.Snapshot:
    return snapshot.load()


@pytest.mark.parametrize("combo", SUPPORT_TABLE, ids=_ids)
def test_rendered_files_are_the_reviewed_snapshot(renders, stored, combo):
    found = snapshot.differences(stored, _ids(combo), renders.shared(**_linted_answers(combo)))
    assert not found, ("\n".join(found) + f"\nNot the reviewed snapshot. An intended change? Record it with "
                       f"`{snapshot.REGENERATE}` and review `git diff tests/snapshots`.")


def test_snapshot_holds_no_row_the_support_table_lacks(stored):
    stale = stored.rows.keys() - {_ids(combo) for combo in SUPPORT_TABLE}
    assert not stale, f"rows no longer in the support table: {sorted(stale)}; run `{snapshot.REGENERATE}`"


def test_snapshot_file_reads_back_what_was_written():
    rows = [("a", {"Dockerfile": b"FROM x\ncontent 9: y (3 bytes)\n", "compose.yaml": b"services: {}\n"}),
            ("b", {"Dockerfile": b"FROM y", "compose.yaml": b"services: {}\n"})]
    assert snapshot.loads(snapshot.dumps(rows)).rows == dict(rows)


def test_snapshot_file_whose_sizes_are_wrong_is_refused():
    data = snapshot.dumps([("a", {"Dockerfile": b"FROM x\n"})]).replace(b"(7 bytes)", b"(5 bytes)")
    with pytest.raises(ValueError, match="does not end where its size says"):
        snapshot.loads(data)
