"""Numbers in prose and the counts they allow: digits, words, vague amounts, ranges and the
approximation words before them ("about", "more than", "nearly"), by the tolerance rules of
``docs/claims.md``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from tripolar.claims import lexicon as lx

# -- spans and amounts ----------------------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A set of counts ``lo..hi``; open ends exclude the bound ("more than 500")."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False

    def overlaps(self, low: float, high: float) -> bool:
        """Whether any count in ``[low, high]`` (a data band) lies in this interval."""
        lo_ok = high > self.lo if self.lo_open else high >= self.lo
        hi_ok = low < self.hi if self.hi_open else low <= self.hi
        return lo_ok and hi_ok

    def text(self) -> str:
        if math.isinf(self.hi):
            return f"{'>' if self.lo_open else '≥'} {_fmt(self.lo)}"
        if self.lo <= 0 and not self.lo_open and self.lo != self.hi:
            return f"{'<' if self.hi_open else '≤'} {_fmt(self.hi)}"
        if self.lo == self.hi:
            return _fmt(self.lo)
        return f"{_fmt(self.lo)}–{_fmt(self.hi)}"


def _fmt(v: float) -> str:
    if float(v).is_integer():
        return f"{int(v):,}"
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:.3g}"


def complement(ivs: list[Interval]) -> list[Interval]:
    """Counts (>= 0) outside ``ivs`` (a single interval in practice): a negated claim."""
    out: list[Interval] = []
    for iv in ivs:
        if iv.lo > 0 or iv.lo_open:
            out.append(Interval(0.0, iv.lo, hi_open=not iv.lo_open))
        if not math.isinf(iv.hi):
            out.append(Interval(iv.hi, math.inf, lo_open=not iv.hi_open))
    return out


@dataclass(frozen=True)
class Amount:
    """A parsed number with its approximation: the counts the claim allows."""

    text: str
    kind: str  # exact | about | more_than | at_least | ... | range | vague | none
    number: float
    intervals: tuple[Interval, ...]

    def describe(self) -> str:
        return " or ".join(iv.text() for iv in self.intervals)


# -- numbers --------------------------------------------------------------------------------

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_N = rf"(?:(?:{_DIGITS})(?:\s+(?:thousand|hundred))?|{lx.WORD_NUMBER})"
NUMBER_RE = re.compile(
    rf"(?<![\w.,$€£-])(?<![a-z]-)"
    rf"(?:(?P<qual>{lx.QUAL_ALT})\s*)?"
    rf"(?:between\s+(?P<b1>{_N})\s+and\s+(?P<b2>{_N})"
    rf"|(?:from\s+)?(?P<r1>{_N})\s*(?:-|–|—|to)\s*(?P<r2>{_N})(?![\w])"
    rf"|(?P<vague>{lx.VAGUE_ALT})"
    rf"|(?P<n>{_N}))"
    rf"(?P<post>\s+or\s+so|-plus|\+|\s+or\s+more|\s+or\s+fewer|\s+or\s+less)?"
    rf"(?![\w])"
)
NO_RE = re.compile(
    r"(?<![\w-])(?:has|have|had|with|deploys?|keeps?|holds?|possess(?:es)?|fields?)\s+"
    r"(?P<no>no)\s+(?=(?:(?:deployed|strategic|non-strategic|nonstrategic|tactical|nuclear|operational"
    r"|ballistic|missile|active|nuclear-armed)\s+)*"
    rf"(?:{lx.HEAD_RE.pattern}))"
)

_VAGUE_RES = [(re.compile(rf"^(?:{p})$"), band) for p, band in lx.VAGUE]


def word_number(text: str) -> float | None:
    """Value of an English number phrase ("five hundred", "three hundred and twenty")."""
    words = [w for w in re.split(r"[\s-]+", text.strip()) if w and w != "and"]
    if not words:
        return None
    total = 0
    current = 0
    seen_atom = False
    for i, w in enumerate(words):
        if w == "a":
            if i != 0 or len(words) < 2 or words[1] not in ("hundred", "thousand"):
                return None
            current = 1
        elif w in lx.UNITS:
            current += lx.UNITS[w]
            seen_atom = True
        elif w in lx.TENS:
            current += lx.TENS[w]
            seen_atom = True
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    if not seen_atom and words[0] != "a":
        return None
    return float(total + current)


def number_value(text: str) -> float | None:
    t = text.strip()
    m = re.match(rf"^({_DIGITS})(?:\s+(thousand|hundred))?$", t)
    if m:
        v = float(m.group(1).replace(",", ""))
        if m.group(2) == "thousand":
            v *= 1000
        elif m.group(2) == "hundred":
            v *= 100
        return v
    return word_number(t)


def rounding(n: float) -> float:
    """The rounding a bare round number implies: half a unit of its last significant digit
    (1,700 -> 50), for numbers of 100 or more, and at most :data:`lexicon.ROUNDING_CAP`
    of the number (1,000 -> 50, not 500)."""
    if n < 100 or not float(n).is_integer():
        return 0.0
    k = int(n)
    z = 0
    while k % 10 == 0 and k > 0:
        k //= 10
        z += 1
    return min(0.5 * 10**z, lx.ROUNDING_CAP * n) if z else 0.0


def make_amount(
    text: str, kind: str, n: float, lo: float | None = None, hi: float | None = None
) -> Amount:
    """The counts a claim allows, by the tolerance rules of docs/claims.md."""
    tol = rounding(n)
    inf = math.inf
    if kind == "range":
        assert lo is not None and hi is not None
        ivs = [Interval(lo, hi)]
    elif kind == "range_about":
        assert lo is not None and hi is not None
        ivs = [Interval(lo * (1 - lx.ABOUT_TOLERANCE), hi * (1 + lx.ABOUT_TOLERANCE))]
    elif kind == "vague":
        assert lo is not None and hi is not None
        ivs = [Interval(lo, hi)]
    elif kind == "about":
        d = n * lx.ABOUT_TOLERANCE
        ivs = [Interval(n - d, n + d)]
    elif kind == "more_than":
        ivs = [Interval(n, inf, lo_open=True)]
    elif kind == "at_least":
        ivs = [Interval(n, inf)]
    elif kind == "fewer_than":
        ivs = [Interval(0.0, n, hi_open=True)]
    elif kind == "at_most":
        ivs = [Interval(0.0, n)]
    elif kind == "nearly":
        ivs = [Interval(n * (1 - lx.NEARLY_TOLERANCE), n)]
    elif kind == "just_over":
        ivs = [Interval(n, n * (1 + lx.NEARLY_TOLERANCE), lo_open=True)]
    elif kind == "just_under":
        ivs = [Interval(n * (1 - lx.NEARLY_TOLERANCE), n, hi_open=True)]
    else:  # exact, with the rounding a round number implies
        ivs = [Interval(n - tol, n + tol)]
    return Amount(text=text, kind=kind, number=n, intervals=tuple(ivs))


def _qual_kind(q: str | None) -> str:
    if not q:
        return "exact"
    q = " ".join(q.split())
    for rx, kind in lx.QUAL_KIND:
        if rx.match(q):
            return kind
    return "about"


@dataclass
class NumberMention:
    start: int
    end: int
    amount: Amount
    is_year: bool = False
    year: int | None = None
    small: bool = False  # words or digits < 10: need an explicit noun


def find_numbers(low: str) -> list[NumberMention]:
    out: list[NumberMention] = []
    for m in NUMBER_RE.finditer(low):
        qual = m.group("qual")
        kind = _qual_kind(qual)
        post = (m.group("post") or "").strip()
        if post in ("or so",):
            kind = "about"
        elif post in ("-plus", "+", "or more"):
            kind = "at_least"
        elif post in ("or fewer", "or less"):
            kind = "at_most"
        text = m.group(0)
        if m.group("b1") or m.group("r1"):
            a = number_value(m.group("b1") or m.group("r1"))
            b = number_value(m.group("b2") or m.group("r2"))
            if a is None or b is None:
                continue
            both_years = all(
                re.fullmatch(r"(?:19|20)\d\d", (g or "").strip())
                for g in (m.group("b1") or m.group("r1"), m.group("b2") or m.group("r2"))
            )
            if both_years and not qual:
                out.append(
                    NumberMention(m.start(), m.end(), make_amount(text, "exact", b), True, int(b))
                )
                continue
            lo_v, hi_v = min(a, b), max(a, b)
            amt = make_amount(text, "range_about" if kind == "about" else "range", hi_v, lo_v, hi_v)
            out.append(NumberMention(m.start(), m.end(), amt))
            continue
        if m.group("vague"):
            v = " ".join(m.group("vague").split())
            band = next(b for rx, b in _VAGUE_RES if rx.match(v))
            if band[0] == band[1]:
                amt = make_amount(text, kind, band[0])
            else:
                amt = make_amount(text, "vague", band[1], band[0], band[1])
            out.append(NumberMention(m.start(), m.end(), amt))
            continue
        raw = m.group("n")
        n = number_value(raw)
        if n is None:
            continue
        start = m.start() if qual else m.start("n")
        is_year = bool(re.fullmatch(r"(?:19|20)\d\d", raw.strip())) and not qual and not post
        small = not raw.strip()[0].isdigit() or n < 10
        amt = make_amount(text if qual else raw, kind, n)
        out.append(NumberMention(start, m.end(), amt, is_year, int(n) if is_year else None, small))
    for m in NO_RE.finditer(low):
        out.append(
            NumberMention(m.start("no"), m.end("no"), make_amount("no", "exact", 0.0), small=True)
        )
    out.sort(key=lambda x: x.start)
    return out
