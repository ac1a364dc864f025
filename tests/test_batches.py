"""How files are cut into extraction batches: bounded in size, enough of them to share."""

import pytest

from etl.pipeline import MIN_BATCH, batches


def _paths(n: int) -> list[str]:
    return [f"f{i:06d}.txt" for i in range(n)]


@pytest.mark.parametrize(("files", "size", "wanted", "lengths"), [
    (0, 2000, 16, [0]),
    (189, 2000, 16, [189]),                      # too few files to share: one batch
    (761, 2000, 16, [191, 191, 191, 188]),      # batches of MIN_BATCH or more
    (7364, 2000, 16, [461] * 15 + [449]),        # the batches wanted
    (73853, 2000, 16, [1997] * 36 + [1961]),    # capped by the size
    (10, 3, 1, [3, 3, 3, 1]),
])
def test_batches_are_bounded_and_even(files, size, wanted, lengths):
    paths = _paths(files)
    made = batches(paths, size, wanted)
    assert [len(b) for b in made] == lengths
    assert [p for batch in made for p in batch] == paths
    assert all(len(b) <= size for b in made)


def test_no_batch_is_cut_below_the_minimum_to_make_more_of_them():
    made = batches(_paths(MIN_BATCH * 3 - 1), 10_000, 64)
    assert len(made) == 3 and min(map(len, made)) >= MIN_BATCH - 1
