import hashlib

import polars as pl

from etl.ids import slug

SHARED = "Report of the Joint Commission on the Lights and Ferry Crossings of the Northern Coast"


def slugs(*titles: str | None) -> list[str | None]:
    return pl.DataFrame({"title": list(titles)}, schema={"title": pl.String}).select(
        slug(pl.col("title"), "article-"))["title"].to_list()


def test_long_titles_that_begin_alike_get_different_slugs():
    first, second = slugs(f"{SHARED}, 1962 Session", f"{SHARED}, 1963 Session")
    assert first != second
    assert first.startswith("report-of-the-joint-commission-on-the-lights") and len(first) <= 80


def test_a_cut_slug_ends_in_a_hash_of_all_its_words():
    words = ("report-of-the-joint-commission-on-the-lights-and-ferry-crossings-of-the-northern-coast"
             "-1962-session")
    digest = hashlib.sha256(words.encode()).hexdigest()[:8]
    assert slugs(f"{SHARED}, 1962 Session") == [f"{words[:71].strip('-')}-{digest}"]


def test_titles_that_are_not_cut_keep_their_plain_slug():
    korean = "\uace0\ub824\uc778"
    assert slugs("Greyholm Light", "\u00c5lesund Harbour", "x" * 80, korean, None) == [
        "greyholm-light", "alesund-harbour", "x" * 80,
        "article-" + hashlib.sha256(korean.encode()).hexdigest()[:16], None]
