"""Helpers of the report tests: the small report's inputs and an HTML page parser."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any

from tripolar.context import EvaluationContext

#: New START (bilateral, with declared aggregates) and a trilateral proposal whose Chinese
#: counts are lower bounds, so every count marker ('*', '(R)', '≥') appears.
TREATIES = ("new-start", "tri-equal-1000")
SAMPLES = 100
SEED = 3


def small_context() -> EvaluationContext:
    return EvaluationContext(samples=SAMPLES, seed=SEED)


class Page(HTMLParser):
    """The number spans, the runs, the bibliography rows, tags and attributes of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nums: dict[str, dict[str, Any]] = {}
        self.duplicates: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.bib_ids: list[str] = []
        self._open: dict[str, Any] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "span" and a.get("class") == "num":
            key = str(a["data-key"])
            if key in self.nums:
                self.duplicates.append(key)
            self._open = {
                "value": a.get("data-value"),
                "src": a.get("data-src"),
                "run": a.get("data-run"),
                "text": "",
            }
            self.nums[key] = self._open
        if tag == "tr" and str(a.get("id", "")).startswith("src-"):
            self.bib_ids.append(str(a["id"])[4:])

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._open["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "span":
            self._open = None


def parse(html: str) -> Page:
    p = Page()
    p.feed(html)
    p.close()
    return p
