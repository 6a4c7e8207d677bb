"""Hypothesis strategies for bad input: mutations of every bundled file, odd paths, odd numbers.

A *target* says how a file of one kind reaches the CLI (its argument list, with ``{f}``
where the file's path goes) and which valid file the mutations start from. A *mutation*
is drawn by hypothesis and applied to the valid file's text or to its parsed structure:

- structural: replace the value at a random path (every field in turn, since the path
  index is drawn) with a value of the wrong type, NaN, infinities, -0, huge or negative
  numbers, over-long strings, empty containers; delete a key; add an unknown key;
- textual: empty file, binary bytes, a byte-order mark, invalid UTF-8, NUL bytes, deep
  nesting (just under and over the depth limit), alias bombs, YAML tags (Python objects,
  ``!!binary``, ``!!set``, unknown tags), duplicate keys, integers of more than 4,300
  digits, a file just over the size limit;
- the path itself: a directory, ``/dev/null``, a FIFO, a dangling symlink, a missing
  file, an over-long name, a name with a NUL byte.

Limits come from the code (:data:`tripolar.errors.MAX_INPUT_BYTES`,
:data:`tripolar.io_yaml.MAX_YAML_DEPTH`), so the cases follow the documented limits.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

from tripolar.errors import MAX_INPUT_BYTES
from tripolar.io_yaml import MAX_YAML_ALIASES, MAX_YAML_DEPTH

PKG = Path(__import__("tripolar").__file__).parent

#: Values that replace a field: wrong types, non-finite and extreme numbers, odd strings.
WEIRD_VALUES: list[Any] = [
    None,
    True,
    False,
    "",
    " ",
    "x",
    "many",
    "NaN",
    "1e999",
    "\x00",
    "\u202e\u0000bidi",
    "é" * 300,
    "x" * 200_000,
    0,
    -0.0,
    -1,
    -1e-300,
    1,
    0.5,
    1.5,
    2**31,
    2**63,
    10**30,
    1e308,
    -1e308,
    math.inf,
    -math.inf,
    math.nan,
    [],
    {},
    [1, 2, 3],
    {"value": 1},
    {"value": math.nan},
    {"value": 10, "low": 20, "high": 5},
    [[[[[]]]]],
    {"a": {"b": {"c": {"d": None}}}},
    "2030-02-30",
    "9999-12-31",
    "0001-01-01",
]

_TEXT_MUTATIONS = (
    "empty",
    "comment-only",
    "binary",
    "bom",
    "bad-utf8",
    "nul",
    "deep-under",
    "deep-over",
    "deep-2k",
    "alias-bomb",
    "aliases-under",
    "tag-python",
    "tag-binary",
    "tag-set",
    "tag-unknown",
    "dup-key",
    "big-int",
    "inf-literal",
    "nan-literal",
    "crlf",
    "tabs",
    "truncate",
    "over-size",
    "under-size",
    "scalar-doc",
    "list-doc",
    "multi-doc",
)
_PATH_MUTATIONS = (
    "directory",
    "dev-null",
    "fifo",
    "dangling-link",
    "missing",
    "long-name",
    "nul-name",
    "link-to-dir",
)


@dataclass(frozen=True)
class Mutation:
    """One drawn change to a valid input."""

    kind: str  # "value", "delete", "unknown-key", "text", "path"
    name: str = ""
    path_index: int = 0
    value: Any = None


def mutations(*, text_ok: bool = True) -> st.SearchStrategy[Mutation]:
    """Draw a mutation; structure mutations are most common (they reach every field)."""
    value = st.one_of(
        st.sampled_from(WEIRD_VALUES),
        st.integers(min_value=-(10**20), max_value=10**20),
        st.floats(allow_nan=True, allow_infinity=True),
        st.text(max_size=40),
    )
    structural = st.one_of(
        st.builds(Mutation, st.just("value"), st.just(""), st.integers(0, 10_000), value),
        st.builds(Mutation, st.just("delete"), st.just(""), st.integers(0, 10_000)),
        st.builds(
            Mutation,
            st.just("unknown-key"),
            st.sampled_from(["zzz", "value", "id", "__proto__", "x" * 500]),
            st.integers(0, 10_000),
            value,
        ),
    )
    options = [structural, structural]
    if text_ok:
        options.append(st.builds(Mutation, st.just("text"), st.sampled_from(_TEXT_MUTATIONS)))
        options.append(st.builds(Mutation, st.just("path"), st.sampled_from(_PATH_MUTATIONS)))
    return st.one_of(*options)


# --------------------------------------------------------------------------- structure


def _paths(obj: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = [prefix]
    if isinstance(obj, dict):
        for k, v in obj.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(obj, list):
        for i, v in enumerate(obj):
            out += _paths(v, (*prefix, i))
    return out


def _containers(obj: Any) -> list[tuple[Any, ...]]:
    return [p for p in _paths(obj) if isinstance(_get(obj, p), dict)]


def _get(obj: Any, path: tuple[Any, ...]) -> Any:
    for k in path:
        obj = obj[k]
    return obj


def _set(obj: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    _get(obj, path[:-1])[path[-1]] = value
    return obj


class _Dumper(yaml.SafeDumper):
    pass


def _float(dumper: yaml.SafeDumper, v: float) -> yaml.ScalarNode:
    # PyYAML writes inf/nan as .inf/.nan already; -0.0 as -0.0. Keep its behaviour.
    return dumper.represent_float(v)


def _dump(obj: Any) -> str:
    return yaml.dump(obj, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=10**6)


def _mutate_structure(base: Any, m: Mutation, dump: Callable[[Any], str]) -> str:
    import copy

    obj = copy.deepcopy(base)
    if m.kind == "value":
        paths = _paths(obj)
        p = paths[m.path_index % len(paths)]
        obj = _set(obj, p, copy.deepcopy(m.value))
    elif m.kind == "delete":
        paths = [p for p in _paths(obj) if p]
        if paths:
            p = paths[m.path_index % len(paths)]
            parent = _get(obj, p[:-1])
            del parent[p[-1]]
    elif m.kind == "unknown-key":
        conts = _containers(obj)
        if conts:
            c = _get(obj, conts[m.path_index % len(conts)])
            c[m.name] = copy.deepcopy(m.value)
    return dump(obj)


# --------------------------------------------------------------------------- text


def _nest(depth: int, json_style: bool) -> str:
    if json_style:
        return '{"a": ' + "[" * depth + "]" * depth + "}"
    return "a: " + "[" * depth + "]" * depth + "\n"


def text_mutation(base_text: str, name: str, *, json_style: bool = False) -> bytes:
    """The bytes of a textual mutation of ``base_text``."""
    b = base_text.encode("utf-8")
    first_key = next(
        (ln.split(":")[0] for ln in base_text.splitlines() if ln and ln[0].isalpha() and ":" in ln),
        "id",
    )
    table: dict[str, Callable[[], bytes]] = {
        "empty": lambda: b"",
        "comment-only": lambda: b"# nothing here\n",
        "binary": lambda: bytes(range(256)) * 4,
        "bom": lambda: b"\xef\xbb\xbf" + b,
        "bad-utf8": lambda: b[: len(b) // 2] + b"\xff\xfe\xc3\x28" + b[len(b) // 2 :],
        "nul": lambda: b[: len(b) // 3] + b"\x00" + b[len(b) // 3 :],
        "deep-under": lambda: _nest(MAX_YAML_DEPTH - 2, json_style).encode(),
        "deep-over": lambda: _nest(MAX_YAML_DEPTH + 1, json_style).encode(),
        "deep-2k": lambda: _nest(1000, json_style).encode(),
        "alias-bomb": lambda: (
            "a: &a [x, x, x, x, x, x, x, x, x]\n"
            + "".join(
                f"{c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
                for p, c in zip("abcdefgh", "bcdefghi", strict=True)
            )
        ).encode(),
        "aliases-under": lambda: (
            "base: &b {value: 1}\nitems: [" + ", ".join(["*b"] * (MAX_YAML_ALIASES - 1)) + "]\n"
        ).encode(),
        "tag-python": lambda: b"!!python/object/apply:os.system ['echo pwned']\n",
        "tag-binary": lambda: b + f"\n{first_key}2: !!binary aGVsbG8=\n".encode(),
        "tag-set": lambda: f"{first_key}: !!set {{a, b}}\n".encode() + b,
        "tag-unknown": lambda: f"{first_key}: !custom 5\n".encode(),
        "dup-key": lambda: b + f"\n{first_key}: duplicate\n".encode(),
        "big-int": lambda: (
            b.replace(b": 1", b": 1" + b"0" * 5000, 1)
            if b": 1" in b
            else b + b"\nn: " + b"9" * 5000 + b"\n"
        ),
        "inf-literal": lambda: (
            b.replace(b": 1", b": .inf #", 1) if b": 1" in b else b + b"\nn: .inf\n"
        ),
        "nan-literal": lambda: (
            b.replace(b": 1", b": .nan #", 1) if b": 1" in b else b + b"\nn: .nan\n"
        ),
        "crlf": lambda: b.replace(b"\n", b"\r\n"),
        "tabs": lambda: b.replace(b"  ", b"\t", 3),
        "truncate": lambda: b[: max(1, len(b) * 2 // 3)],
        "over-size": lambda: b + b"#" * (MAX_INPUT_BYTES + 1 - len(b)),
        "under-size": lambda: b + b"\n#" + b"#" * (MAX_INPUT_BYTES - 2 - len(b)),
        "scalar-doc": lambda: b"42\n",
        "list-doc": lambda: b"- 1\n- 2\n",
        "multi-doc": lambda: b + b"\n---\n" + b,
    }
    if json_style:
        table.update(
            {
                "alias-bomb": lambda: ('{"a": ' + "[" * 50 + "]" * 50 + "}").encode(),
                "aliases-under": lambda: b,
                "tag-python": lambda: b'{"a": NaN}',
                "tag-binary": lambda: b'{"a": Infinity}',
                "tag-set": lambda: b'{"a": -Infinity}',
                "tag-unknown": lambda: b"[1, 2,]",
                "dup-key": lambda: b.replace(b"{", b'{"size": 1, "size": 2, ', 1),
                "big-int": lambda: (
                    b.replace(b": 1", b": 1" + b"0" * 5000, 1)
                    if b": 1" in b
                    else b'{"n": ' + b"9" * 5000 + b"}"
                ),
                "inf-literal": lambda: b.replace(b": 1", b": 1e999", 1),
                "nan-literal": lambda: b.replace(b": 1", b": NaN", 1),
                "scalar-doc": lambda: b"42",
                "list-doc": lambda: b"[1, 2]",
                "multi-doc": lambda: b + b + b,
                "under-size": lambda: b + b" " * (MAX_INPUT_BYTES - len(b)),
            }
        )
    return table[name]()


def place_path(directory: Path, name: str, mutation: str) -> str:
    """Create an odd path where a file is expected; returns the path to pass."""
    p = directory / name
    if mutation == "directory":
        p.mkdir()
        return str(p)
    if mutation == "dev-null":
        return "/dev/null"
    if mutation == "fifo":
        os.mkfifo(p)
        return str(p)
    if mutation == "dangling-link":
        p.symlink_to(directory / "does-not-exist")
        return str(p)
    if mutation == "missing":
        return str(directory / "missing" / name)
    if mutation == "long-name":
        return str(directory / ("n" * 300 + Path(name).suffix))
    if mutation == "nul-name":
        return str(directory / ("a\x00b" + Path(name).suffix))
    if mutation == "link-to-dir":
        (directory / "adir").mkdir(exist_ok=True)
        p.symlink_to(directory / "adir")
        return str(p)
    raise ValueError(mutation)


def mutated_bytes(base_text: str, m: Mutation, *, fmt: str) -> bytes:
    """The bytes of a mutated file of format ``fmt`` ("yaml", "json" or "csv")."""
    if m.kind == "text":
        if fmt == "csv":
            return csv_text_mutation(base_text, m.name)
        return text_mutation(base_text, m.name, json_style=fmt == "json")
    if fmt == "yaml":
        base = yaml.safe_load(base_text)
        return _mutate_structure(base, m, _dump).encode("utf-8")
    if fmt == "json":
        base = json.loads(base_text)
        return _mutate_structure(base, m, lambda o: json.dumps(o, allow_nan=True)).encode()
    return csv_structure_mutation(base_text, m).encode("utf-8")


# --------------------------------------------------------------------------- CSV


def csv_text_mutation(base_text: str, name: str) -> bytes:
    b = base_text.encode("utf-8")
    lines = base_text.splitlines(keepends=True)
    table: dict[str, Callable[[], bytes]] = {
        "empty": lambda: b"",
        "comment-only": lambda: b"\n\n",
        "binary": lambda: bytes(range(256)) * 4,
        "bom": lambda: b"\xef\xbb\xbf" + b,
        "bad-utf8": lambda: b[: len(b) // 2] + b"\xff\xfe" + b[len(b) // 2 :],
        "nul": lambda: b[: len(b) // 3] + b"\x00" + b[len(b) // 3 :],
        "deep-under": lambda: "".join(lines[:1]).encode(),
        "deep-over": lambda: "".join(lines[:1] + lines[1:2] * 3).encode(),
        "deep-2k": lambda: ('"' + "x" * 200_000 + '"\n').encode() + b,
        "alias-bomb": lambda: b + b'"unterminated,quote\n',
        "aliases-under": lambda: "".join(
            lines[:1] + [ln.rstrip("\n") + ",extra\n" for ln in lines[1:]]
        ).encode(),
        "tag-python": lambda: b.replace(b",", b";"),
        "tag-binary": lambda: b.replace(b",", b",,", 1),
        "tag-set": lambda: lines[0].upper().encode() + "".join(lines[1:]).encode(),
        "tag-unknown": lambda: (
            (lines[0].rstrip("\n") + "," + lines[0].split(",")[0] + "\n").encode()
            + "".join(lines[1:]).encode()
        ),
        "dup-key": lambda: b + "".join(lines[1:2]).encode(),
        "big-int": lambda: _csv_replace_numbers(base_text, "9" * 5000).encode(),
        "inf-literal": lambda: _csv_replace_numbers(base_text, "inf").encode(),
        "nan-literal": lambda: _csv_replace_numbers(base_text, "nan").encode(),
        "crlf": lambda: b.replace(b"\n", b"\r\n"),
        "tabs": lambda: b.replace(b",", b"\t"),
        "truncate": lambda: b[: max(1, len(b) * 2 // 3)],
        "over-size": lambda: b + b"\n" * (MAX_INPUT_BYTES + 1 - len(b)),
        # Rows of spaces, not ten million blank lines: the size is what is tested.
        "under-size": lambda: (b + b"\n" + (b" " * 1023 + b"\n") * (MAX_INPUT_BYTES // 1024))[
            :MAX_INPUT_BYTES
        ],
        "scalar-doc": lambda: b"42\n",
        "list-doc": lambda: "".join(lines[1:]).encode(),
        "multi-doc": lambda: b + b,
    }
    return table[name]()


def _csv_replace_numbers(text: str, new: str) -> str:
    import re

    lines = text.splitlines(keepends=True)
    return lines[0] + "".join(
        re.sub(r"(?<=,)-?\d+(\.\d+)?(?=,|\n|$)", new, ln, count=1) for ln in lines[1:]
    )


def csv_structure_mutation(base_text: str, m: Mutation) -> str:
    import csv
    import io

    rows = list(csv.reader(io.StringIO(base_text)))
    cells = [(r, c) for r in range(len(rows)) for c in range(len(rows[r]))]
    if not cells:
        return base_text
    r, c = cells[m.path_index % len(cells)]
    if m.kind == "delete":
        if r == 0:
            for row in rows:
                if c < len(row):
                    del row[c]
        else:
            del rows[r]
    elif m.kind == "unknown-key":
        rows[0].append(m.name[:100] or "extra")
        for row in rows[1:]:
            row.append(_csv_cell(m.value))
    else:
        rows[r][c] = _csv_cell(m.value)
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def _csv_cell(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return repr(v)
    if isinstance(v, list | dict):
        return json.dumps(v)
    return str(v)


#: Texts for numeric and path options: not numbers, non-finite, out of range, huge.
NUMERIC_TEXTS: list[str] = [
    "x",
    "",
    " ",
    "nan",
    "NaN",
    "inf",
    "-inf",
    "1e999",
    "-0",
    "0",
    "-1",
    "1",
    "2",
    "0.5",
    "1.0",
    "1_000",
    "0x10",
    "+5",
    " 7 ",
    "2147483648",
    "9223372036854775808",
    "-9223372036854775809",
    "1" + "0" * 30,
    "9" * 5000,
    "1e-320",
    "١٢",
]


def numeric_text() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMERIC_TEXTS),
        st.integers(min_value=-(10**12), max_value=10**12).map(str),
        st.floats(allow_nan=True, allow_infinity=True).map(repr),
        st.text(max_size=12),
    )
