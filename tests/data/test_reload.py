"""load_dataset keeps a dataset per directory while its files stay the same, and reads a
changed file again (a web server or notebook that keeps running sees the new figures)."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

from tripolar.data import dataset_signature, load_dataset
from tripolar.data.loader import bundled_dir


def test_changed_overlay_is_read_again(tmp_path: Path) -> None:
    d = tmp_path / "data"
    d.mkdir()
    shutil.copy(bundled_dir() / "stockpiles.csv", d / "stockpiles.csv")
    first = load_dataset(d)
    assert load_dataset(d) is first  # unchanged files: the same dataset
    sig = dataset_signature(d)
    text = (d / "stockpiles.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    (hit,) = [
        r
        for r in rows
        if (r["state"], r["year"], r["metric"]) == ("US", "2025", "military_stockpile")
    ]
    assert hit["value"] != "1234"
    hit["value"] = "1234"
    with (d / "stockpiles.csv").open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    assert dataset_signature(d) != sig
    second = load_dataset(d)
    assert second.content_hash != first.content_hash
    assert second.stockpile("US", 2025, "military_stockpile")["value"] == 1234  # type: ignore[index]
    (d / "stockpiles.csv").write_text(text, encoding="utf-8")
    assert load_dataset(d).content_hash == first.content_hash


def test_signature_names_missing_overlay_files(tmp_path: Path) -> None:
    d = tmp_path / "data"
    d.mkdir()
    sig = dataset_signature(d)
    assert all(s is not None for s in sig[: len(sig) // 2])  # the bundled tables
    assert all(s is None for s in sig[len(sig) // 2 :])  # none in the overlay yet
    shutil.copy(bundled_dir() / "systems.csv", d / "systems.csv")
    assert dataset_signature(d) != sig
