"""Grammar and tolerance rules of the claim parser (docs/claims.md), unit by unit."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from tripolar.claims.lexicon import ABOUT_TOLERANCE, ROUNDING_CAP
from tripolar.claims.parse import (
    Interval,
    complement,
    make_amount,
    number_value,
    parse_text,
    rounding,
    sentences,
    word_number,
)


def _one(text: str):  # type: ignore[no-untyped-def]
    claims = parse_text(text)
    assert len(claims) == 1, [c.text for c in claims]
    return claims[0]


def test_word_numbers() -> None:
    assert word_number("five hundred") == 500
    assert word_number("three hundred and twenty") == 320
    assert word_number("twenty-four") == 24
    assert word_number("a thousand") == 1000
    assert word_number("two thousand five hundred") == 2500
    assert word_number("a") is None
    assert number_value("1,700") == 1700
    assert number_value("1.5 thousand") == 1500


def test_rounding_of_bare_numbers() -> None:
    assert rounding(1700) == 50
    assert rounding(5177) == 0
    assert rounding(1000) == 50  # capped at 5 %
    assert rounding(90) == 0  # small numbers are exact


@given(st.integers(min_value=1, max_value=100_000))
def test_about_allows_ten_percent(n: int) -> None:
    (iv,) = make_amount(f"about {n}", "about", float(n)).intervals
    assert math.isclose(iv.lo, n * (1 - ABOUT_TOLERANCE))
    assert math.isclose(iv.hi, n * (1 + ABOUT_TOLERANCE))
    assert iv.overlaps(n, n)


@given(st.integers(min_value=1, max_value=100_000))
def test_exact_number_band_is_the_rounding(n: int) -> None:
    (iv,) = make_amount(str(n), "exact", float(n)).intervals
    assert iv.lo <= n <= iv.hi
    assert iv.hi - n <= ROUNDING_CAP * n + 1e-9


@given(st.integers(min_value=1, max_value=100_000), st.floats(min_value=0, max_value=200_000))
def test_more_than_and_negation_partition(n: int, x: float) -> None:
    """A figure satisfies "more than N" exactly when it fails "not more than N"."""
    ivs = make_amount("more than", "more_than", float(n)).intervals
    neg = complement(list(ivs))
    inside = any(iv.overlaps(x, x) for iv in ivs)
    assert inside == (x > n)
    assert inside != any(iv.overlaps(x, x) for iv in neg)


def test_nearly_and_ranges() -> None:
    (iv,) = make_amount("nearly 600", "nearly", 600.0).intervals
    assert (iv.lo, iv.hi) == (540.0, 600.0)
    c = _one("India has between 160 and 180 warheads.")
    assert c.amount is not None and c.amount.describe() == "160–180"
    assert _one("China had 500 to 600 warheads.").amount.describe() == "500–600"  # type: ignore[union-attr]
    assert _one("China had 500-600 warheads.").amount.describe() == "500–600"  # type: ignore[union-attr]


def test_interval_open_ends() -> None:
    assert not Interval(400, math.inf, lo_open=True).overlaps(400, 400)
    assert Interval(400, math.inf).overlaps(400, 400)
    assert Interval(0, 400, hi_open=True).overlaps(350, 450)  # a band that reaches inside


def test_sentences_keep_abbreviations() -> None:
    parts = sentences("The U.S. has 400 ICBMs. Russia has more. Mr. Smith agreed.")
    assert [s for _o, s in parts] == [
        "The U.S. has 400 ICBMs.",
        "Russia has more.",
        "Mr. Smith agreed.",
    ]


def test_years_money_and_distances_are_not_counts() -> None:
    assert parse_text("In 2024 the missile flew 500 kilometres and cost $1.5 billion.") == []
    c = _one("In 2024, Pakistan had some 170 warheads.")
    assert c.year == 2024 and c.amount is not None and c.amount.number == 170
    assert parse_text("About 30 percent of Russia's warheads are old.") == []


def test_state_forms() -> None:
    sentences_by_state = {
        "The United States has about 100 warheads.": "US",
        "The U.S. has about 100 warheads.": "US",
        "Washington has about 100 warheads.": "US",
        "The American stockpile is about 100 warheads.": "US",
        "Moscow has about 100 warheads.": "RU",
        "The Kremlin has about 100 warheads.": "RU",
        "The Russian stockpile is about 100 warheads.": "RU",
        "Beijing has about 100 warheads.": "CN",
        "The Chinese stockpile is about 100 warheads.": "CN",
        "The PRC has about 100 warheads.": "CN",
        "The British stockpile is about 100 warheads.": "GB",
        "The UK has about 100 warheads.": "GB",
        "The French stockpile is about 100 warheads.": "FR",
        "New Delhi has about 100 warheads.": "IN",
        "The Pakistani stockpile is about 100 warheads.": "PK",
        "Islamabad has about 100 warheads.": "PK",
        "The Israeli stockpile is about 100 warheads.": "IL",
        "Pyongyang has about 100 warheads.": "KP",
        "The North Korean stockpile is about 100 warheads.": "KP",
        "The DPRK has about 100 warheads.": "KP",
        "Worldwide there are about 100 warheads.": "WORLD",
    }
    for text, code in sentences_by_state.items():
        assert _one(text).state == code, text
    # "Indian Ocean" and "South Korea" are not states of the dataset
    assert _one("South Korea and the Indian Ocean: France has about 290 warheads.").state == "FR"


def test_comparison_kinds() -> None:
    claims = parse_text(
        "The US has about 1,700 deployed strategic warheads, slightly more than Russia."
    )
    comp = [c for c in claims if c.kind == "comparison"]
    assert len(comp) == 1 and comp[0].state == "US" and comp[0].other_state == "RU"
    assert comp[0].metric == "deployed_strategic"
    (iv,) = comp[0].ratio
    assert iv.lo == 1.0 and iv.lo_open and math.isclose(iv.hi, 1.1)
    (c,) = parse_text("The U.S. stockpile is three times that of Russia.")
    assert c.relation == "ratio" and math.isclose(c.ratio[0].lo, 2.55)


def test_negation_scope() -> None:
    assert _one("North Korea does not have 500 warheads.").negated
    # "never" governs "confirmed", in its own clause, not the amount
    assert not _one("Israel, which has never confirmed it, holds about 90 warheads.").negated


_VOCAB = [
    "the",
    "of",
    "and",
    "Russia",
    "China",
    "U.S.",
    "Britain",
    "1,700",
    "about",
    "more",
    "than",
    "warheads",
    "deployed",
    "silos",
    "ICBMs",
    "submarines",
    ",",
    ".",
    ";",
    "which",
    "most",
    "are",
    "not",
    "on",
    "high",
    "alert",
    "in",
    "2024",
    "twice",
    "as",
    "many",
    "as",
    "fewer",
    "parity",
    "500-600",
    "between",
    "3",
    "and",
    "a",
    "dozen",
    "five",
    "hundred",
    "$1.5",
    "billion",
    "km",
    "each",
    "together",
    "no",
]


@given(st.lists(st.sampled_from(_VOCAB), max_size=60))
def test_any_text_parses_and_spans_hold(words: list[str]) -> None:
    """The parser never fails on text made of its own vocabulary, and every span it reports
    is the claim's text."""
    text = " ".join(words)
    for c in parse_text(text):
        assert text[c.start : c.end] == c.text
        assert c.kind in ("quantity", "comparison", "qualitative")
