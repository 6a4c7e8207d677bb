"""The checker's vocabulary: state names, metric words, approximations and number words.

Everything the parser recognises is listed here, so that ``docs/claims.md`` and the code
describe the same grammar. Patterns are matched against a lower-cased copy of a sentence
(same length as the original, so spans carry over), except the state names, which are
matched case-sensitively because "US" and "us" differ.
"""

from __future__ import annotations

import re

from tripolar.forces.records import STATE_NAMES

#: State aliases -> dataset code. Order matters only for overlapping forms (longest first
#: within the alternation built below). ``WORLD`` is the dataset's world total.
STATE_ALIASES: dict[str, tuple[str, ...]] = {
    "US": (
        r"the United States of America",
        r"the United States",
        r"United States",
        r"U\.S\.A\.",
        r"U\.S\.",
        r"USA",
        r"US",
        r"Americans?",
        r"America",
        r"Washington(?! Post)",
    ),
    "RU": (
        r"the Russian Federation",
        r"Russians?",
        r"Russia",
        r"Moscow",
        r"the Kremlin",
        r"Kremlin",
        r"the Soviet Union",
        r"Soviets?",
        r"USSR",
    ),
    "CN": (
        r"the People's Republic of China",
        r"China",
        r"Chinese",
        r"Beijing",
        r"PRC",
    ),
    "GB": (
        r"the United Kingdom",
        r"United Kingdom",
        r"Great Britain",
        r"Britain",
        r"British",
        r"U\.K\.",
        r"UK",
    ),
    "FR": (r"France", r"French(?! Polynesia)", r"Paris"),
    "IN": (r"India(?:n(?! Ocean))?", r"New Delhi"),
    "PK": (r"Pakistani?", r"Islamabad"),
    "IL": (r"Israeli?", r"Jerusalem"),
    "KP": (r"North Korean?", r"Pyongyang", r"DPRK"),
    "WORLD": (
        r"(?i:the world)",
        r"(?i:worldwide)",
        r"(?i:globally)",
        r"(?i:global)",
        r"(?i:(?:all |the )?nine nuclear-armed (?:states|countries|nations))",
        r"(?i:(?:all |the )?nuclear-armed (?:states|countries|nations))",
    ),
}

_STATE_ALTS = sorted(
    ((pat, code) for code, pats in STATE_ALIASES.items() for pat in pats),
    key=lambda pc: -len(pc[0]),
)
#: One pattern, a named group per alias (``s0``, ``s1``...); :data:`STATE_GROUP` maps them.
STATE_RE = re.compile(
    "|".join(
        rf"(?P<s{i}>(?<![\w.])(?:{pat})(?:'s|’s)?(?![\w]))"
        for i, (pat, _) in enumerate(_STATE_ALTS)
    )
)
STATE_GROUP: dict[str, str] = {f"s{i}": code for i, (_, code) in enumerate(_STATE_ALTS)}
# "the world's" is also a superlative ("the world's largest arsenal"), not the world total
NOT_WORLD_AFTER = re.compile(r"\s*(?:'s|’s)?\s*(?:largest|biggest|second|third|smallest|most|only)")

#: Display names for the output.
STATE_LABELS: dict[str, str] = {**STATE_NAMES, "WORLD": "World"}

#: Metric keys -> what they mean in the output (and in docs/claims.md).
METRIC_LABELS: dict[str, str] = {
    "total_inventory": "total inventory (incl. retired)",
    "military_stockpile": "military stockpile",
    "deployed_strategic": "deployed strategic warheads",
    "deployed_warheads": "deployed warheads (strategic + non-strategic)",
    "deployed_nonstrategic": "deployed non-strategic warheads",
    "reserve": "reserve (non-deployed) warheads",
    "retired": "retired warheads",
    "high_alert": "warheads on high alert",
    "deployed_launchers": "deployed strategic launchers",
    "icbms": "deployed ICBMs",
    "ssbns": "SSBNs",
    "silos": "ICBM silos",
}

WARHEAD_METRICS = (
    "total_inventory",
    "military_stockpile",
    "deployed_strategic",
    "deployed_warheads",
    "deployed_nonstrategic",
    "reserve",
    "retired",
    "high_alert",
)

# -- head nouns: what a number counts -------------------------------------------------------
#: (pattern, noun class). The first one found after a number decides what it counts.
HEAD_NOUNS: tuple[tuple[str, str], ...] = (
    (r"icbm\s+silos?|missile\s+silos?|silos?|launch\s+silos?", "silos"),
    (r"icbm\s+launchers?", "icbms"),
    (
        r"icbms?|intercontinental(?:[\s-]+range)?(?:\s+ballistic)?\s+missiles?"
        r"|land-based\s+(?:ballistic\s+)?missiles?",
        "icbms",
    ),
    (
        r"ssbns?|(?:nuclear-powered\s+|nuclear-armed\s+)?(?:ballistic[\s-]+missile\s+)?submarines?"
        r"|(?:missile\s+)?subs\b|boomers?",
        "ssbns",
    ),
    (
        r"(?:strategic\s+)?launchers?|delivery\s+(?:vehicles|systems)|launch\s+platforms",
        "launchers",
    ),
    (
        r"(?:nuclear\s+)?warheads?|(?:nuclear\s+)?weapons?|(?:nuclear\s+)?bombs?|nukes?"
        r"|nuclear\s+devices?",
        "warheads",
    ),
)
HEAD_RE = re.compile("|".join(f"(?P<h{i}>{p})" for i, (p, _) in enumerate(HEAD_NOUNS)))
HEAD_GROUP = {f"h{i}": cls for i, (_, cls) in enumerate(HEAD_NOUNS)}

#: Words that may sit between a number and its noun ("1,700 deployed strategic warheads").
MODIFIER_WORDS = frozenset(
    [
        "deployed",
        "strategic",
        "nuclear",
        "operational",
        "active",
        "assembled",
        "non-deployed",
        "nondeployed",
        "stored",
        "reserve",
        "retired",
        "tactical",
        "non-strategic",
        "nonstrategic",
        "additional",
        "more",
        "new",
        "fielded",
        "ready",
        "land-based",
        "sea-based",
        "ballistic",
        "missile",
        "intercontinental",
        "mobile",
        "road-mobile",
        "silo-based",
        "nuclear-capable",
        "nuclear-tipped",
        "atomic",
        "thermonuclear",
        "of",
        "its",
        "their",
        "the",
        "which",
        "them",
        "these",
        "usable",
        "available",
        "total",
        "such",
        "older",
        "modern",
        "modernised",
        "modernized",
    ]
)

#: Units and nouns that show a number counts something else ("500 kilometres").
OTHER_UNIT_RE = re.compile(
    r"(?:%|percent\b|per\s*cent\b|km\b|kilomet|miles?\b|mi\b|years?\b|months?\b|weeks?\b"
    r"|days?\b|hours?\b|minutes?\b|kt\b|kilotons?\b|kilotonnes?\b|megatons?\b|mt\b|tons?\b"
    r"|tonnes?\b|kg\b|kilograms?\b|billion\b|million\b|trillion\b|people\b|troops\b"
    r"|soldiers\b|dollars?\b|euros?\b|pounds\b|yuan\b|rubles?\b|roubles?\b|m\b|metres?\b"
    r"|meters?\b|feet\b|ft\b|psi\b|countries\b|states\b|nations\b|tests?\b|°|bombers?\b"
    r"|aircraft\b|planes?\b|jets?\b|times\b|x\b|fold\b|inspections?\b|sites?\b|bases?\b"
    r"|scientists?\b|engineers?\b|casualties\b|deaths?\b|victims?\b|cities\b|targets?\b"
    r"|reactors?\b|centrifuges?\b|pages?\b)"
)
#: A bare "missiles" (not "ballistic missile submarines", not "ICBMs") counts missiles of
#: some kind, which the checker does not know how to count.
OTHER_NOUN_RE = re.compile(r"(?:missiles?|rockets?|cruise\s+missiles?)\b")
MONEY_BEFORE_RE = re.compile(r"(?:\$|€|£|us\$|usd\s*|eur\s*)\s*$")

# -- metric cues ----------------------------------------------------------------------------
ALERT_RE = re.compile(
    r"high[\s-]alert|on\s+alert|hair[\s-]trigger|launch[\s-]ready|ready\s+to\s+launch"
)
INVENTORY_RE = re.compile(r"inventory|including\s+retired|\bin\s+total\b")
RETIRED_RE = re.compile(r"retired|awaiting\s+dismantl|dismantlement|slated\s+for\s+dismantl")
RESERVE_RE = re.compile(r"\breserve\b|non-?deployed|in\s+(?:central\s+)?storage|\bstored\b")
DEPLOYED_RE = re.compile(
    r"(?<![\w-])deploy(?:ed|s|ment)?\b|\bfielded\b|\bmated\b|on\s+(?:its\s+|their\s+)?(?:missiles|launchers)"
)
NONSTRATEGIC_RE = re.compile(r"non-?strategic|\btactical\b")
STRATEGIC_RE = re.compile(r"(?<![\w-])strategic\b")
STOCKPILE_RE = re.compile(r"stockpil|military\s+stockpile|\boperational\b|\bassembled\b")
TOTAL_RE = re.compile(
    r"inventory|\bin\s+total\b|\btotal\b|arsenals?\b|all\s+told|including\s+retired"
)

# -- approximations -------------------------------------------------------------------------
#: qualifier text (regex) -> kind. Kinds are explained in docs/claims.md.
QUALIFIERS: tuple[tuple[str, str], ...] = (
    (
        r"slightly\s+more\s+than|just\s+over|a\s+little\s+over|just\s+above|just\s+more\s+than",
        "just_over",
    ),
    (
        r"just\s+under|slightly\s+fewer\s+than|slightly\s+less\s+than|just\s+below|a\s+little\s+under",
        "just_under",
    ),
    (r"no\s+fewer\s+than|no\s+less\s+than|at\s+least|a\s+minimum\s+of", "at_least"),
    (r"no\s+more\s+than|at\s+most|up\s+to|a\s+maximum\s+of|not\s+more\s+than", "at_most"),
    (
        r"more\s+than|over|above|in\s+excess\s+of|upwards\s+of|exceeding|exceeds|exceeded|over\s+and\s+above",
        "more_than",
    ),
    (r"fewer\s+than|less\s+than|under|below", "fewer_than"),
    (r"nearly|almost|close\s+to|approaching", "nearly"),
    (
        r"about|around|roughly|approximately|approx\.?|some|an\s+estimated|estimated|perhaps"
        r"|an\s+approximate|as\s+many\s+as|circa|~|maybe|possibly",
        "about",
    ),
)
QUAL_ALT = "|".join(f"(?:{p})" for p, _ in QUALIFIERS)
QUAL_KIND = [(re.compile(rf"^(?:{p})$"), kind) for p, kind in QUALIFIERS]

#: Relative tolerance of "about" and its kin, as a fraction of the number.
ABOUT_TOLERANCE = 0.10
#: Largest rounding read into a bare number, as a fraction of it ("1,000" -> 950..1,050).
ROUNDING_CAP = 0.05
#: How far "nearly X" reaches below X, and "just over X" above X.
NEARLY_TOLERANCE = 0.10

# -- number words ---------------------------------------------------------------------------
UNITS = {
    w: i
    for i, w in enumerate(
        [
            "zero",
            "one",
            "two",
            "three",
            "four",
            "five",
            "six",
            "seven",
            "eight",
            "nine",
            "ten",
            "eleven",
            "twelve",
            "thirteen",
            "fourteen",
            "fifteen",
            "sixteen",
            "seventeen",
            "eighteen",
            "nineteen",
        ]
    )
}
TENS = {
    w: 10 * i
    for i, w in enumerate(
        ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
    )
    if w != "_"
}
WORD_ATOM = "|".join(sorted([*UNITS, *TENS], key=len, reverse=True))
WORD_NUMBER = (
    rf"(?:{WORD_ATOM}|a)(?:(?:[\s-]+|\s+and\s+)(?:{WORD_ATOM}|hundred|thousand))*"
    rf"(?:[\s-]+(?:hundred|thousand))?"
)
#: Vague amounts -> (low, high), inclusive.
VAGUE: tuple[tuple[str, tuple[float, float]], ...] = (
    (r"a\s+few\s+hundred", (200.0, 500.0)),
    (r"several\s+hundred", (200.0, 900.0)),
    (r"hundreds\s+of", (200.0, 999.0)),
    (r"a\s+few\s+thousand", (2000.0, 5000.0)),
    (r"several\s+thousand", (2000.0, 9000.0)),
    (r"thousands\s+of", (2000.0, 9999.0)),
    (r"dozens\s+of", (24.0, 99.0)),
    (r"a\s+handful\s+of", (2.0, 6.0)),
    (r"half\s+a\s+dozen", (6.0, 6.0)),
    (r"two\s+dozen", (24.0, 24.0)),
    (r"three\s+dozen", (36.0, 36.0)),
    (r"a\s+dozen", (12.0, 12.0)),
)
VAGUE_ALT = "|".join(f"(?:{p})" for p, _ in VAGUE)

# -- negation, projections, comparisons ------------------------------------------------------
NEGATION_RE = re.compile(
    r"\b(?:not|never|no\s+longer|doesn't|does\s+not|don't|didn't|isn't|aren't|hasn't"
    r"|haven't|cannot|can't|nor)\b|n't\b"
)
#: Words before a number that make it a limit, not a holding ("limits each side to 1,550").
LIMIT_RE = re.compile(
    r"\b(?:limits?|limited|limiting|caps?|capped|ceilings?|allow(?:s|ed)?|permit(?:s|ted)?"
    r"|restrict(?:s|ed)?|goal\s+of|target\s+of)\b"
)
PROJECTION_RE = re.compile(
    r"\b(?:will|plans?\s+to|planning\s+to|aims?\s+to|expected\s+to"
    r"|projected|projects|on\s+track\s+to|set\s+to|likely\s+to|by\s+the\s+end\s+of\s+the\s+decade"
    r"|forecasts?)\b"
)
#: ratio words -> the stated ratio (subject / other)
RATIO_WORDS: dict[str, float] = {
    "twice": 2.0,
    "double": 2.0,
    "two times": 2.0,
    "three times": 3.0,
    "four times": 4.0,
    "five times": 5.0,
    "six times": 6.0,
    "seven times": 7.0,
    "eight times": 8.0,
    "nine times": 9.0,
    "ten times": 10.0,
    "twenty times": 20.0,
    "half": 0.5,
    "a third of": 1 / 3,
    "one third of": 1 / 3,
    "a quarter of": 0.25,
    "a fifth of": 0.2,
    "a tenth of": 0.1,
    "one tenth of": 0.1,
}
#: Tolerance on a stated ratio ("three times"): relative, and wider with "about".
RATIO_TOLERANCE = 0.15
RATIO_TOLERANCE_ABOUT = 0.25
#: "roughly equal", "parity": the two figures within this fraction of the larger one.
PARITY_TOLERANCE = 0.10
#: "slightly more than": more, by at most this fraction; "far more": at least 1.5 times.
SLIGHTLY = 0.10
FAR = 1.5
#: "a fraction of": at most this share.
FRACTION_OF = 0.5
