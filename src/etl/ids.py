"""Stable identifiers: slugs of titles and hashes of keys, as Polars expressions.

Ids must not change between runs, machines or library versions, so hashing uses sha256
rather than Polars' own (version-dependent) hash.
"""

from __future__ import annotations

import hashlib

import polars as pl


def _sha256_prefixes(keys: pl.Series) -> pl.Series:
    return pl.Series([None if k is None else hashlib.sha256(k.encode()).hexdigest()[:16] for k in keys],
                     dtype=pl.String)


def hashed_id(key: pl.Expr, prefix: str) -> pl.Expr:
    """prefix + the first 16 hex digits of sha256(key)."""
    return pl.lit(prefix) + key.map_batches(_sha256_prefixes, return_dtype=pl.String)


SLUG_LIMIT = 80  # characters of a slug
SLUG_HASH_DIGITS = 8  # hex digits of sha256 ending a slug that had to be cut


def slug(title: pl.Expr, fallback_prefix: str) -> pl.Expr:
    """Lower-case ASCII words of the title joined by '-'; a hash when no ASCII word is left.

    Words longer than SLUG_LIMIT characters are cut and end in a short hash of all of
    them, so two long titles that begin alike get two ids, within the limit. Words that
    fit are the slug alone: ids made before the hash was added keep their value.
    """
    words = (
        title.str.normalize("NFKD").str.replace_all(r"\p{Mn}", "")
        .str.to_lowercase().str.replace_all(r"[^a-z0-9]+", "-").str.strip_chars("-")
    )
    cut = words.str.len_chars() > SLUG_LIMIT
    kept = SLUG_LIMIT - SLUG_HASH_DIGITS - 1
    # Only the cut words are hashed: the others are null here.
    digest = hashed_id(pl.when(cut).then(words), "").str.slice(0, SLUG_HASH_DIGITS)
    words = pl.when(cut).then(words.str.slice(0, kept).str.strip_chars("-") + "-" + digest).otherwise(words)
    return pl.when(words.str.len_chars() > 0).then(words).otherwise(hashed_id(title, fallback_prefix))
