"""Safe YAML loading with one-line errors that name the file and the line.

Parsing uses libyaml's ``yaml.CSafeLoader`` where PyYAML was built with it (about ten times
faster than the pure-Python parser on the bundled files) and ``yaml.SafeLoader`` otherwise.
Both use the same safe constructor: only the standard YAML tags, no Python objects, and
:func:`tripolar.errors.read_text_checked` limits the file size. On top of that, before any
object is built, the event stream is checked against the limits below, and while building:

- nesting deeper than :data:`MAX_YAML_DEPTH` levels is refused (the constructor recurses
  once per level and would otherwise fail with ``RecursionError`` near 1,000 levels);
- a document whose aliases expand to more than :data:`MAX_YAML_NODES` nodes is refused (an
  alias gives the same object again, so loading is cheap, but validation walks every
  copy: nine aliases of nine aliases, eight times over, is a "billion laughs");
- a key repeated in one mapping is refused (YAML 1.2 forbids it; PyYAML keeps the last
  value silently, so a typo could override a ceiling unnoticed);
- an integer of more than 4,300 digits or an impossible date is reported with its line.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from tripolar.errors import InputError, path_exists, read_text_checked

#: libyaml's safe loader if PyYAML has it, else the pure-Python one (same results).
SAFE_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Deepest nesting of mappings and sequences accepted. The bundled files nest at most 6
#: levels; 64 leaves room for any hand-written file and far from Python's recursion limit.
MAX_YAML_DEPTH = 64
#: Most nodes a document may have once its aliases are expanded (a 10 MiB file of plain
#: values has fewer than two million).
MAX_YAML_NODES = 2_000_000
#: Most aliases (``*name``) in one document; hand-written files use a handful.
MAX_YAML_ALIASES = 1_000

_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Loader(SAFE_LOADER):
    """The safe loader, refusing duplicate keys and locating unreadable scalars."""

    def construct_mapping(self, node: yaml.Node, deep: bool = False) -> dict[Any, Any]:
        if isinstance(node, yaml.MappingNode):
            seen: set[Any] = set()
            for key_node, _ in node.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag == _MERGE_TAG:
                    continue
                key = self.construct_object(key_node)
                try:
                    duplicate = key in seen
                except TypeError:
                    continue
                if duplicate:
                    raise ConstructorError(
                        "while reading a mapping",
                        node.start_mark,
                        f"duplicate key {str(key)[:60]!r}",
                        key_node.start_mark,
                    )
                seen.add(key)
        result: dict[Any, Any] = super().construct_mapping(node, deep=deep)
        return result


def _located(tag: str, what: str) -> None:
    base = _Loader.yaml_constructors[tag]

    def construct(loader: Any, node: yaml.Node) -> Any:
        try:
            return base(loader, node)
        except ValueError as exc:
            # int() above 4,300 digits (CVE-2020-10735), a date such as 2030-02-30.
            reason = str(exc).split(";")[0][:80]
            if "Exceeds the limit" in reason:
                reason = "more than 4,300 digits"
            raise ConstructorError(
                None, None, f"unreadable {what} ({reason})", node.start_mark
            ) from exc

    _Loader.add_constructor(tag, construct)


_located("tag:yaml.org,2002:int", "integer")
_located("tag:yaml.org,2002:float", "number")
_located("tag:yaml.org,2002:timestamp", "date")


def load_yaml_file(path: str | Path) -> Any:
    """Parse a YAML file with :data:`SAFE_LOADER`; size-limited, errors as :class:`InputError`."""
    text = read_text_checked(path)
    return load_yaml_text(text, source=str(path))


def _where(mark: Any) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "?"


def _check_shape(text: str, source: str) -> None:
    """Walk the event stream (no objects built) and enforce the depth and size limits."""
    depth = 0
    aliases = 0
    # sizes[i]: nodes counted so far in the i-th open collection; anchors: expanded sizes.
    sizes: list[int] = [0]
    anchors_open: list[str | None] = []
    anchored: dict[str, int] = {}
    for ev in yaml.parse(text, Loader=SAFE_LOADER):
        if isinstance(ev, yaml.MappingStartEvent | yaml.SequenceStartEvent):
            depth += 1
            if depth > MAX_YAML_DEPTH:
                raise InputError(
                    f"nested more than {MAX_YAML_DEPTH} levels deep at {_where(ev.start_mark)}",
                    file=source,
                    expected=f"at most {MAX_YAML_DEPTH} levels of nesting",
                )
            sizes.append(1)
            anchors_open.append(ev.anchor)
        elif isinstance(ev, yaml.MappingEndEvent | yaml.SequenceEndEvent):
            depth -= 1
            n = sizes.pop()
            anchor = anchors_open.pop()
            if anchor is not None:
                anchored[anchor] = n
            sizes[-1] += n
        elif isinstance(ev, yaml.ScalarEvent):
            sizes[-1] += 1
            if ev.anchor is not None:
                anchored[ev.anchor] = 1
        elif isinstance(ev, yaml.AliasEvent):
            aliases += 1
            if aliases > MAX_YAML_ALIASES:
                raise InputError(
                    f"more than {MAX_YAML_ALIASES} aliases at {_where(ev.start_mark)}",
                    file=source,
                    expected=f"at most {MAX_YAML_ALIASES} aliases (*name) per document",
                )
            sizes[-1] += anchored.get(str(ev.anchor), 1)
        elif isinstance(ev, yaml.DocumentEndEvent):
            sizes = [0]
        if sum(sizes) > MAX_YAML_NODES:
            raise InputError(
                f"more than {MAX_YAML_NODES:,} values once aliases are expanded "
                f"at {_where(ev.start_mark)}",
                file=source,
                expected=f"at most {MAX_YAML_NODES:,} values",
            )


def load_yaml_text(text: str, *, source: str = "<string>") -> Any:
    """Parse YAML text within the limits above; any problem names the source and the line."""
    try:
        _check_shape(text, source)
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(
            f"malformed YAML at {_where(mark)}: {problem}", file=source, expected="valid YAML"
        ) from exc


def resolve_named_file(
    name_or_path: str | Path,
    directory: Path,
    *,
    kind: str,
    field: str,
    unknown: str = "unknown {kind} {name!r}",
) -> Path:
    """A bundled YAML file by name (``directory/NAME.yaml``) or a user's file by path.

    A bundled name (no suffix, no directory part) is the bundled file, whatever the working
    directory holds (a folder named ``US`` next to the user must not shadow the US profile);
    a text ending in ``.yaml``/``.yml``, or naming an existing file, is a path; anything else
    must be one of the bundled names, else :class:`InputError` lists them.
    """
    text = str(name_or_path)
    if not text.strip():
        raise InputError(f"empty {kind} name", field=field, expected=f"a {kind} name or a path")
    path = Path(text)
    names = sorted(p.stem for p in directory.glob("*.yaml"))
    if text in names and path.name == text and not path.suffix:
        return directory / f"{text}.yaml"
    if text.endswith((".yaml", ".yml")) or path_exists(path):
        return path
    if text not in names:
        raise InputError(
            unknown.format(kind=kind, name=text),
            field=field,
            expected="one of " + ", ".join(names) + " or a YAML file path",
        )
    return directory / f"{text}.yaml"
