"""The rules-based parser: sentences -> numbers -> claims (state, metric, amount, date).

The grammar is written out in ``docs/claims.md``; this module implements it with regular
expressions over one sentence at a time. A number becomes a claim only when it counts
something in :data:`tripolar.claims.lexicon.HEAD_NOUNS` (or, elided, continues a clause
that names one); numbers that are years, money, distances or other units are skipped.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from tripolar.claims import lexicon as lx
from tripolar.claims.amounts import (
    Amount,
    Interval,
    NumberMention,
    complement,
    find_numbers,
    make_amount,
    number_value,
    rounding,
    word_number,
)

__all__ = [
    "Amount",
    "Interval",
    "ParsedClaim",
    "complement",
    "make_amount",
    "number_value",
    "parse_text",
    "rounding",
    "sentences",
    "word_number",
]


@dataclass
class ParsedClaim:
    """One claim found in the text, before it is checked against the data."""

    kind: str  # quantity | comparison | qualitative
    sentence: str
    sentence_start: int
    start: int  # character offsets in the whole text
    end: int
    text: str
    state: str | None
    metric: str | None
    amount: Amount | None = None
    year: int | None = None  # a year written in the sentence
    projection: bool = False
    negated: bool = False
    other_state: str | None = None  # comparisons
    relation: str | None = None  # comparisons: more, fewer, ratio, parity, fraction
    ratio: tuple[Interval, ...] = ()  # comparisons: allowed subject/other ratios
    predicate: str | None = None  # qualitative: most_deployed, most_not_alert, ...
    notes: list[str] = field(default_factory=list)


# -- text helpers ---------------------------------------------------------------------------


def _lower(s: str) -> str:
    # a lower-cased copy of the same length, so that spans carry over
    return "".join(c.lower() if len(c.lower()) == 1 else c for c in s)


_ABBREV = re.compile(
    r"(?:\b(?:U\.S|U\.K|U\.N|Mr|Mrs|Ms|Dr|Gen|Sen|Rep|St|No|vs|approx|Jan|Feb|Mar|Apr|Aug|Sept?"
    r"|Oct|Nov|Dec|Inc|Corp|Lt|Col|Adm|Prof|e\.g|i\.e|etc|al)|\b[A-Z])\.$"
)
_SENT_END = re.compile(r"(?<=[.!?])[\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9$])|\n\s*\n")


def sentences(text: str) -> list[tuple[int, str]]:
    """Split ``text`` into (offset, sentence); abbreviations such as "U.S." do not end one."""
    out: list[tuple[int, str]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        piece = text[start : m.start()]
        if "\n" not in m.group(0) and _ABBREV.search(piece.rstrip("\"'”’)]")):
            continue
        out.append((start, piece))
        start = m.end()
    out.append((start, text[start:]))
    res: list[tuple[int, str]] = []
    for off, s in out:
        stripped = s.strip()
        if stripped:
            res.append((off + s.index(stripped[0]), " ".join(stripped.split("\n"))))
    return res


@dataclass(frozen=True)
class _State:
    start: int
    end: int
    code: str


def find_states(s: str) -> list[_State]:
    out: list[_State] = []
    for m in lx.STATE_RE.finditer(s):
        assert m.lastgroup is not None
        code = lx.STATE_GROUP[m.lastgroup]
        if code == "WORLD" and lx.NOT_WORLD_AFTER.match(s, m.end()):
            continue
        out.append(_State(m.start(), m.end(), code))
    return out


_TOKEN = re.compile(r"[a-z][a-z'’-]*|\d[\d,.]*|[^\s\w]")
_ELISION_OK = frozenset(
    [
        "in",
        "on",
        "at",
        "by",
        "as",
        "and",
        "or",
        "while",
        "whereas",
        "but",
        "which",
        "that",
        "is",
        "are",
        "was",
        "were",
        "has",
        "have",
        "had",
        "for",
        "to",
        "according",
        "this",
        "last",
        "a",
        "the",
        "among",
        "each",
        "apiece",
        "with",
        "from",
        "since",
        "after",
        "before",
        "when",
        "under",
        "of",
        "now",
        "today",
        "currently",
        "altogether",
        "combined",
    ]
)

# -- metric ---------------------------------------------------------------------------------


def head_after(low: str, pos: int, limit: int) -> tuple[str | None, int, bool]:
    """The noun a number counts: (class or None, end of the noun, whether something else).

    Walks up to six words after ``pos``: modifiers ("deployed strategic") and names
    ("Minuteman III", "Ohio-class") may come before the noun. A unit such as "kilometres",
    a bare "missiles", or a first word that is neither a modifier nor a linking word
    ("500 scientists") means the number counts something else.
    """
    seg = low[pos:limit]
    i = 0
    words = 0
    first_unknown = False
    while i < len(seg) and words < 6:
        while i < len(seg) and seg[i].isspace():
            i += 1
        if i >= len(seg):
            break
        hm = lx.HEAD_RE.match(seg, i)
        if hm:
            assert hm.lastgroup is not None
            return lx.HEAD_GROUP[hm.lastgroup], pos + hm.end(), False
        if lx.OTHER_UNIT_RE.match(seg, i) or lx.OTHER_NOUN_RE.match(seg, i):
            return None, pos, True
        tm = _TOKEN.match(seg, i)
        if tm is None:
            break
        tok = tm.group(0)
        if tok in lx.MODIFIER_WORDS:
            pass
        elif not tok[0].isalnum() or tok in _ELISION_OK:
            break
        elif words == 0:
            first_unknown = True
        i = tm.end()
        words += 1
    return None, pos, first_unknown


_BOUNDARY = re.compile(
    r";|:|—|\(|\)|\bwhile\b|\bwhereas\b|\bbut\b|\band\b|\bwhich\b|\bthan\b|\bof\s+which\b"
)
_COMMA_BOUNDARY = re.compile(r",|;|:|—|\(|\)|\bwhile\b|\bwhereas\b|\bbut\b|\band\b|\bwhich\b")


def _clause_start(low: str, pos: int, floor: int) -> int:
    start = floor
    for m in _BOUNDARY.finditer(low, floor, pos):
        start = m.end()
    return start


def _clause_end(low: str, pos: int, ceil: int) -> int:
    m = re.compile(r"[,;:.()—]|\band\b|\bwhile\b|\bbut\b|\bwhich\b|\bwhereas\b").search(
        low, pos, ceil
    )
    return m.start() if m else ceil


_VERB_RE = re.compile(
    r"\b(?:has|have|had|holds?|held|possess(?:es)?|keeps?|kept|maintains?|owns?|fields?|boasts?"
    r"|counts?|is|are|was|were|stands?|deploys?|stockpiles?)\b"
)
_CUES = (lx.ALERT_RE, lx.RETIRED_RE, lx.RESERVE_RE, lx.DEPLOYED_RE, lx.STOCKPILE_RE, lx.TOTAL_RE)


def _has_cue(window: str) -> bool:
    return any(rx.search(window) for rx in _CUES) or bool(lx.STRATEGIC_RE.search(window))


def metric_class(metric: str) -> str:
    """The noun class of a metric (warheads, launchers, icbms, ssbns, silos)."""
    if metric in lx.WARHEAD_METRICS:
        return "warheads"
    return "launchers" if metric == "deployed_launchers" else metric


def metric_from_cues(cls: str | None, window: str) -> tuple[str | None, list[str]]:
    """The dataset metric for a noun class and the cue words around it."""
    notes: list[str] = []
    if cls in ("icbms", "ssbns", "silos"):
        return cls, notes
    if cls == "launchers":
        return "deployed_launchers", notes
    if cls is None and not _has_cue(window):
        return None, notes
    if lx.ALERT_RE.search(window):
        return "high_alert", notes
    if lx.INVENTORY_RE.search(window):
        return "total_inventory", notes
    if lx.RETIRED_RE.search(window):
        return "retired", notes
    deployed = bool(lx.DEPLOYED_RE.search(window))
    if lx.NONSTRATEGIC_RE.search(window) and deployed:
        return "deployed_nonstrategic", notes
    if lx.RESERVE_RE.search(window) and not deployed:
        return "reserve", notes
    if deployed and lx.STRATEGIC_RE.search(window):
        return "deployed_strategic", notes
    if deployed:
        return "deployed_warheads", notes
    if lx.STRATEGIC_RE.search(window):
        notes.append("'strategic warheads' read as deployed strategic warheads")
        return "deployed_strategic", notes
    if lx.STOCKPILE_RE.search(window):
        return "military_stockpile", notes
    if lx.TOTAL_RE.search(window):
        return "total_inventory", notes
    notes.append("warheads with no qualifier read as the total inventory (SIPRI's headline figure)")
    return "total_inventory", notes


# -- comparisons and qualitative claims ------------------------------------------------------

_RATIO_ALT = "|".join(
    sorted((re.escape(k).replace(r"\ ", r"\s+") for k in lx.RATIO_WORDS), key=len, reverse=True)
)
_POSS = r"(?:that\s+of\s+|those\s+of\s+|the\s+arsenal\s+of\s+|the\s+stockpile\s+of\s+)?"
COMP_TAIL = re.compile(
    r"(?P<deg>slightly|a\s+little|somewhat|marginally|just|far|much|significantly|considerably"
    r"|substantially|vastly|many)?\s*(?P<dir>more|fewer|less|larger|bigger|greater|smaller)"
    rf"\s+(?P<mid>(?:[\w-]+\s+){{0,4}}?)than\s+{_POSS}$"
)
RATIO_TAIL = re.compile(
    r"(?P<about>about|around|roughly|nearly|almost|approximately|more\s+than|over)?\s*"
    rf"(?P<r>{_RATIO_ALT})\s+"
    r"(?:as\s+(?:many|large|big)\s+(?P<mid>(?:[\w-]+\s+){0,3}?)as\s+|more\s+(?:[\w-]+\s+){0,3}?than\s+"
    r"|larger\s+than\s+|bigger\s+than\s+|the\s+size\s+of\s+|of\s+)?"
    rf"{_POSS}$"
)
FRACTION_TAIL = re.compile(rf"(?:a\s+)?(?P<small>small\s+|tiny\s+)?fraction\s+of\s+{_POSS}$")
PARITY_TAIL = re.compile(
    r"(?:(?:rough|approximate|near|numerical)[\s-]+)?parity\s+with\s+$"
    r"|(?:roughly|about|approximately|nearly|broadly|more\s+or\s+less)?\s*"
    r"(?:equal\s+to|on\s+a?\s*par\s+with|the\s+same\s+as|comparable\s+to|level\s+with"
    rf"|as\s+many\s+(?P<mid>(?:[\w-]+\s+){{0,3}}?)as)\s+{_POSS}$"
)
PARITY_TWO = re.compile(
    r"\b(?:(?:rough|approximate|near|numerical)[\s-]+)?parity\b(?!\s+with)|\broughly\s+equal\b(?!\s+to)"
    r"|\bevenly\s+matched\b|\babout\s+equal\b(?!\s+to)"
)
QUAL_RE = re.compile(
    r"(?P<q>the\s+vast\s+majority|the\s+majority|the\s+bulk|most|nearly\s+all|almost\s+all|all|none)"
    r"\s+of\s+(?P<ref>which|them|these|those|(?:its|their)\s+(?:[\w-]+\s+){0,2}?(?:warheads|weapons|arsenal|stockpile))"
    r"\s+(?:(?:are|is|remain|were|stay|sit)\s+)?(?P<neg>not\s+)?(?:kept\s+)?"
    r"(?P<pred>on\s+high[\s-]alert|on\s+alert|deployed|in\s+(?:central\s+)?storage|stored|in\s+reserve|non-deployed)"
)
KEEP_RE = re.compile(
    r"(?:keeps?|holds?|stores?)\s+(?P<q>most|all|nearly\s+all|almost\s+all|the\s+bulk)\s+(?:of\s+)?"
    r"(?P<ref>its|their)\s+(?:nuclear\s+)?(?:warheads|weapons|arsenal)\s+"
    r"(?P<pred>in\s+(?:central\s+)?storage|in\s+reserve|de-?mated|stored|off\s+alert|separate\w*\s+from)"
)


def _ratio_intervals(r: float, about: str | None) -> tuple[Interval, ...]:
    a = " ".join((about or "").split())
    if a in ("more than", "over"):
        return (Interval(r, math.inf, lo_open=True),)
    if a in ("nearly", "almost"):
        return (Interval(r * (1 - lx.RATIO_TOLERANCE), r),)
    tol = lx.RATIO_TOLERANCE_ABOUT if a else lx.RATIO_TOLERANCE
    return (Interval(r * (1 - tol), r * (1 + tol)),)


def _comparison_at(low: str, st: _State) -> tuple[str, tuple[Interval, ...], int, str] | None:
    """A comparison phrase ending just before the state ``st``: (relation, ratios, start, mid)."""
    head = low[max(0, st.start - 90) : st.start]
    off = max(0, st.start - 90)
    if not head.endswith(" "):
        return None
    m = RATIO_TAIL.search(head)
    if m:
        r = lx.RATIO_WORDS[" ".join(m.group("r").split())]
        return "ratio", _ratio_intervals(r, m.group("about")), off + m.start(), m.group("mid") or ""
    m = FRACTION_TAIL.search(head)
    if m:
        share = 0.2 if m.group("small") else lx.FRACTION_OF
        return "fraction", (Interval(0.0, share),), off + m.start(), ""
    m = PARITY_TAIL.search(head)
    if m:
        t = lx.PARITY_TOLERANCE
        return "parity", (Interval(1 - t, 1 / (1 - t)),), off + m.start(), m.group("mid") or ""
    m = COMP_TAIL.search(head)
    if m:
        d = m.group("dir")
        deg = " ".join((m.group("deg") or "").split())
        more = d in ("more", "larger", "bigger", "greater")
        if deg in ("slightly", "a little", "somewhat", "marginally", "just"):
            iv = (
                Interval(1.0, 1 + lx.SLIGHTLY, lo_open=True)
                if more
                else Interval(1 / (1 + lx.SLIGHTLY), 1.0, hi_open=True)
            )
        elif deg in (
            "far",
            "much",
            "significantly",
            "considerably",
            "substantially",
            "vastly",
            "many",
        ):
            iv = Interval(lx.FAR, math.inf) if more else Interval(0.0, 1 / lx.FAR)
        else:
            iv = Interval(1.0, math.inf, lo_open=True) if more else Interval(0.0, 1.0, hi_open=True)
        return ("more" if more else "fewer"), (iv,), off + m.start(), m.group("mid") or ""
    return None


# -- the parser -----------------------------------------------------------------------------


_LIST_SEP = re.compile(r"^\s*(?:,\s*(?:and\s+)?|and\s+)$")


def _state_list(low: str, states: list[_State], last: _State, floor: int) -> list[str]:
    """The codes of a list of states ending at ``last`` ("Britain and France", "India,
    Pakistan and North Korea"), in order; just ``last`` when it stands alone."""
    group = [last]
    idx = states.index(last)
    while idx > 0:
        prev = states[idx - 1]
        if prev.start < floor or not _LIST_SEP.match(low[prev.end : group[0].start]):
            break
        group.insert(0, prev)
        idx -= 1
    codes: list[str] = []
    for g in group:
        if g.code not in codes:
            codes.append(g.code)
    return codes


def _year_for(
    years: list[NumberMention], pos: int, lo: int, hi: int, *, clause_only: bool = False
) -> NumberMention | None:
    inside = [y for y in years if lo <= y.start < hi]
    pool = inside if (inside or clause_only) else years
    if not pool:
        return None
    return min(pool, key=lambda y: abs(y.start - pos))


def parse_text(text: str) -> list[ParsedClaim]:
    """Every claim in ``text``, in order of appearance."""
    claims: list[ParsedClaim] = []
    last_state: str | None = None
    for off, sent in sentences(text):
        low = _lower(sent)
        states = find_states(sent)
        nums = find_numbers(low)
        # "since 2010" is not the date of the claim, only the start of a period
        years = [
            n
            for n in nums
            if n.is_year
            and not re.search(r"\b(?:since|from|after|before|until|till)\s+$", low[: n.start])
        ]
        sent_claims: list[ParsedClaim] = []
        comp_targets: set[int] = set()
        comps: list[tuple[_State, tuple[str, tuple[Interval, ...], int, str]]] = []
        for st in states:
            c = _comparison_at(low, st)
            if c is not None:
                comps.append((st, c))
                comp_targets.add(st.start)
        subject_states = [s for s in states if s.start not in comp_targets]
        counted = [n for n in nums if not n.is_year]
        for k, num in enumerate(counted):
            prev_end = counted[k - 1].end if k else 0
            next_start = counted[k + 1].start if k + 1 < len(counted) else len(sent)
            if lx.MONEY_BEFORE_RE.search(low[max(0, num.start - 5) : num.start]):
                continue
            if re.match(r"\s*(?:times|-fold|fold)\b", low[num.end :]):
                continue  # a ratio, handled as a comparison
            if re.match(r"-[a-z]", low[num.end :]):
                continue  # a compound adjective: "a 1,000-kilometre range", "12-tube boats"
            cls, head_end, other = head_after(low, num.end, next_start)
            if other:
                continue
            cstart = _clause_start(low, num.start, prev_end)
            cend = _clause_end(low, max(head_end, num.end), next_start)
            left = low[cstart : num.start]
            right = low[num.end : cend]
            window = left + " " + right
            metric: str | None
            notes: list[str] = []
            if cls is None:
                if num.small:
                    continue
                left_cls = None
                for hm in lx.HEAD_RE.finditer(left):
                    left_cls = lx.HEAD_GROUP[hm.lastgroup] if hm.lastgroup else None
                prev = next((c for c in reversed(sent_claims) if c.kind == "quantity"), None)
                if left_cls is not None or _has_cue(window):
                    metric, notes = metric_from_cues(left_cls or "warheads", window)
                elif prev is not None and prev.metric is not None:
                    if _VERB_RE.search(left):
                        metric, notes = metric_from_cues(metric_class(prev.metric), window)
                        notes.append(
                            "the counted noun is elided; read as that of the claim before it"
                        )
                    else:  # gapping: "... and Russia 1,718"
                        metric = prev.metric
                        notes = ["the counted noun is elided; read as the claim before it"]
                else:
                    continue
            else:
                metric, notes = metric_from_cues(cls, window)
            # the state: nearest before in the clause, then after in the clause, then the
            # sentence's previous claim, then the last state named earlier in the text
            before = [s for s in subject_states if cstart <= s.start < num.start]
            after = [s for s in subject_states if num.end <= s.start < cend]
            wide_before = [s for s in subject_states if s.start < num.start]
            state: str | None
            group: list[str] = []
            if before:
                state = before[-1].code
                group = _state_list(low, subject_states, before[-1], prev_end)
            elif after:
                state = after[0].code
            elif sent_claims and sent_claims[-1].state:
                state = sent_claims[-1].state
            elif wide_before:
                state = wide_before[-1].code
            else:
                state = last_state
                if state is not None:
                    notes.append("no state in the sentence; read as the state named before it")
            chunk_start = cstart
            for bm in _COMMA_BOUNDARY.finditer(low, cstart, num.start):
                chunk_start = bm.end()
            chunk = low[chunk_start : num.start]
            if lx.LIMIT_RE.search(chunk):
                continue  # a treaty limit or a ceiling, not a count of what a state holds
            negated = bool(lx.NEGATION_RE.search(chunk))
            amount = num.amount
            if negated:
                amount = Amount(
                    text=amount.text,
                    kind=amount.kind,
                    number=amount.number,
                    intervals=tuple(complement(list(amount.intervals))),
                )
                notes.append("negated: the claim is that the figure lies outside the amount")
            # the year of the claim's own clause; a year in another clause ("signed in
            # 2010, ... and Russia now deploys") dates something else
            yr = _year_for(years, num.start, cstart, cend, clause_only=True)
            projection = bool(lx.PROJECTION_RE.search(low[cstart:cend]))
            if yr is not None and re.search(r"\bby\s+(?:the\s+end\s+of\s+)?$", low[: yr.start]):
                projection = True
            prev_q = next((c for c in reversed(sent_claims) if c.kind == "quantity"), None)
            now = re.search(
                r"\b(?:now|today|currently|at\s+present|this\s+year)\b", low[cstart:cend]
            )
            year_val = yr.year if yr else (prev_q.year if prev_q is not None and not now else None)
            end = max(head_end, num.end)
            states_for = [state]
            if len(group) > 1:
                between = (
                    low[before[-1].end : num.start] + " " + low[num.end : min(cend + 12, len(low))]
                )
                if re.search(r"\b(?:each|apiece|every\s+one)\b", between):
                    states_for = list(group)
                    notes.append("'each': one claim per state")
                elif re.search(
                    r"\b(?:together|combined|jointly|between\s+them|in\s+all)\b", between
                ):
                    states_for = ["+".join(group)]
                    notes.append("'together': the states' figures are summed")
                else:
                    states_for = [None]
                    notes.append("several states named without 'each' or 'together'")
            for st_code in states_for:
                sent_claims.append(
                    ParsedClaim(
                        kind="quantity",
                        sentence=sent,
                        sentence_start=off,
                        start=off + num.start,
                        end=off + end,
                        text=sent[num.start : end],
                        state=st_code,
                        metric=metric,
                        amount=amount,
                        year=year_val,
                        projection=projection,
                        negated=negated,
                        notes=list(notes),
                    )
                )
        # comparisons
        for st, (rel, ratios, cstart_rel, mid) in comps:
            while cstart_rel < st.start and sent[cstart_rel].isspace():
                cstart_rel += 1
            prior = [c for c in sent_claims if c.kind == "quantity" and c.start - off < cstart_rel]
            subj_before = [s for s in subject_states if s.start < cstart_rel]
            subject = (
                prior[-1].state if prior else (subj_before[-1].code if subj_before else last_state)
            )
            if subject == st.code:
                subj_other = [s for s in subj_before if s.code != st.code]
                subject = subj_other[-1].code if subj_other else None
            # what is compared: the cue words of the comparison's own clause ("its arsenal
            # is a fraction of ..."), else the claim it follows ("1,700 warheads, more than")
            wstart = _clause_start(low, cstart_rel, 0)
            window = low[wstart:cstart_rel] + " " + (mid or "") + " " + low[st.end : st.end + 30]
            hm2 = lx.HEAD_RE.search(window)
            cls = lx.HEAD_GROUP[hm2.lastgroup] if hm2 is not None and hm2.lastgroup else None
            metric, cnotes = metric_from_cues(cls, window)
            if cls is None and not _has_cue(window) and prior and prior[-1].metric:
                metric, cnotes = prior[-1].metric, []
            yr = _year_for(years, cstart_rel, 0, len(sent))
            sent_claims.append(
                ParsedClaim(
                    kind="comparison",
                    sentence=sent,
                    sentence_start=off,
                    start=off + cstart_rel,
                    end=off + st.end,
                    text=sent[cstart_rel : st.end],
                    state=subject,
                    metric=metric,
                    year=yr.year if yr else None,
                    projection=bool(lx.PROJECTION_RE.search(low)),
                    other_state=st.code,
                    relation=rel,
                    ratio=ratios,
                    notes=cnotes,
                )
            )
        for pm in PARITY_TWO.finditer(low):
            two = [s for s in subject_states if s.start < pm.start()]
            codes: list[str] = []
            for s in two:
                if s.code not in codes:
                    codes.append(s.code)
            if len(codes) < 2:
                continue
            window = low[two[0].start : pm.end() + 40]
            hm2 = lx.HEAD_RE.search(window)
            cls = lx.HEAD_GROUP[hm2.lastgroup] if hm2 is not None and hm2.lastgroup else None
            metric, cnotes = metric_from_cues(cls, window)
            t = lx.PARITY_TOLERANCE
            yr = _year_for(years, pm.start(), 0, len(sent))
            sent_claims.append(
                ParsedClaim(
                    kind="comparison",
                    sentence=sent,
                    sentence_start=off,
                    start=off + pm.start(),
                    end=off + pm.end(),
                    text=sent[pm.start() : pm.end()],
                    state=codes[-2],
                    metric=metric,
                    year=yr.year if yr else None,
                    other_state=codes[-1],
                    relation="parity",
                    ratio=(Interval(1 - t, 1 / (1 - t)),),
                    notes=cnotes,
                )
            )
        # qualitative
        for rx in (KEEP_RE, QUAL_RE):
            for qm in rx.finditer(low):
                if any(
                    c.kind == "qualitative" and c.start - off <= qm.start() < c.end - off
                    for c in sent_claims
                ):
                    continue  # the same words, matched by the other qualitative pattern
                ref = qm.group("ref")
                prior = [
                    c for c in sent_claims if c.kind == "quantity" and c.start - off < qm.start()
                ]
                subj = [s for s in subject_states if s.start < qm.start()]
                qstate = subj[-1].code if subj else last_state
                qmetric = "military_stockpile"
                if ref in ("which", "them", "these", "those") and prior:
                    qstate, qmetric = prior[-1].state, prior[-1].metric or qmetric
                elif "arsenal" in ref:
                    qmetric = "total_inventory"
                q = " ".join(qm.group("q").split())
                pred = " ".join(qm.group("pred").split())
                neg = bool(qm.groupdict().get("neg"))
                if "alert" in pred:
                    base = "alert"
                elif pred == "deployed":
                    base = "deployed"
                else:
                    base = "stored"
                if base == "deployed" and neg:
                    base, neg = "stored", False
                if pred == "off alert":
                    base, neg = "alert", True
                quant = {
                    "the vast majority": "most",
                    "the majority": "most",
                    "the bulk": "most",
                }.get(q, q)
                quant = {"almost all": "nearly all"}.get(quant, quant)
                predicate = f"{quant}:{'not_' if neg else ''}{base}"
                yr = _year_for(years, qm.start(), 0, len(sent))
                sent_claims.append(
                    ParsedClaim(
                        kind="qualitative",
                        sentence=sent,
                        sentence_start=off,
                        start=off + qm.start(),
                        end=off + qm.end(),
                        text=sent[qm.start() : qm.end()],
                        state=qstate,
                        metric=qmetric,
                        year=yr.year if yr else None,
                        predicate=predicate,
                    )
                )
        sent_claims.sort(key=lambda c: c.start)
        claims.extend(sent_claims)
        if subject_states:
            last_state = subject_states[-1].code
    return claims
