"""Collections and the order of their members across captures (etl.collection)."""

import polars as pl

from etl.collection import collection_tables


def _members(captures: dict[str, list[str]]) -> list[str]:
    """The members of one collection captured on each path of `captures` (its documents in page order)."""
    ids = {path: f"{i:016x}" for i, path in enumerate(captures)}
    found = pl.DataFrame({"source_id": list(ids.values()), "title": ["Ferries"] * len(ids),
                          "description": [None] * len(ids)}, schema={"source_id": pl.String, "title": pl.String,
                                                                      "description": pl.String})
    links = pl.DataFrame([(doc, ids[path], position) for path, docs in captures.items()
                          for position, doc in enumerate(docs, 1)],
                         schema={"document_id": pl.String, "source_id": pl.String, "position": pl.Int64}, orient="row")
    sources = pl.DataFrame({"source_id": list(ids.values()), "path": list(ids)})
    _, members = collection_tables(found, links, sources)
    return members.sort("position").get_column("document_id").to_list()


def test_a_recapture_that_lists_a_new_member_between_two_others_puts_it_there():
    assert _members({"2016/ferries.txt": ["a", "b", "c"], "2019/ferries.txt": ["a", "b", "n", "c"]}) == [
        "a", "b", "n", "c"]


def test_the_pages_of_a_paginated_collection_follow_one_another():
    assert _members({"ferries-page1.txt": ["a", "b"], "ferries-page2.txt": ["c", "d"],
                     "ferries-page3.txt": ["e"]}) == ["a", "b", "c", "d", "e"]


def test_a_member_a_recapture_no_longer_lists_keeps_its_place_after_the_fuller_capture():
    assert _members({"2016/ferries.txt": ["a", "b", "c", "d"], "2019/ferries.txt": ["a", "c", "d"]}) == [
        "a", "b", "c", "d"]


def test_the_tenth_page_of_a_paginated_collection_follows_the_ninth():
    pages = {f"ferries-page{n}.txt": [f"p{n}a", f"p{n}b"] for n in range(1, 11)}
    pages["ferries-page1.txt"].append("p1c")
    assert _members(pages) == ["p1a", "p1b", "p1c"] + [f"p{n}{e}" for n in range(2, 11) for e in "ab"]


def test_an_unnumbered_first_page_comes_before_its_second_page_of_as_many_members():
    assert _members({"ferries-2.txt": ["c", "d"], "ferries.txt": ["a", "b"]}) == ["a", "b", "c", "d"]


def test_a_first_page_that_lists_fewer_members_than_the_second_still_comes_first():
    assert _members({"yanbian.txt": ["a", "b"], "yanbian-2.txt": ["c", "d", "e"]}) == ["a", "b", "c", "d", "e"]
