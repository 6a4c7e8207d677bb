"""Alert levels and model parameters: provenance, validation and user overrides."""

from __future__ import annotations

import pytest

from tripolar.errors import InputError
from tripolar.exchange.alert import load_alert_levels


def test_bundled_provenance():
    lv = load_alert_levels()
    e = lv.postures["day_to_day"]["US"].airbase
    assert e is not None and e.value == 0.0 and e.basis == "published" and "S15b" in e.sources
    gb = lv.postures["day_to_day"]["GB"].ssbn
    assert gb is not None and gb.value == 0.25 and "S56" in gb.sources
    cn = lv.postures["day_to_day"]["CN"].demated
    assert cn is not None and {"S53", "S03b"} <= set(cn.sources)
    # No public hardness: an assumption with the 1,000-5,000 psi sensitivity range.
    h = lv.parameters.hardness_psi["silo"]
    assert h.basis == "assumed" and (h.low, h.high) == (1000, 5000)
    r = lv.parameters.reliability
    assert r.basis == "assumed" and (r.low, r.high) == (0.75, 0.95)
    frame = lv.to_frame()
    assert set(frame["basis"]) <= {"published", "derived", "assumed"}
    assert (frame[frame["basis"] != "assumed"]["sources"] != "").all()


def test_silos_always_targetable():
    lv = load_alert_levels()
    for posture in ("day_to_day", "generated"):
        assert lv.untargetable_fraction("RU", posture, "silo").value == 0.0
    assert (
        lv.untargetable_fraction("US", "generated", "ssbn").value
        > lv.untargetable_fraction("US", "day_to_day", "ssbn").value
    )


def test_user_override(tmp_path):
    f = tmp_path / "alert.yaml"
    f.write_text(
        "postures:\n  day_to_day:\n    RU:\n      ssbn: {value: 0.5, low: 0.4, high: 0.6,"
        " basis: assumed}\nparameters:\n  hardness_psi:\n    silo: {value: 3000, low: 3000,"
        " high: 3000, basis: assumed}\n",
        encoding="utf-8",
    )
    lv = load_alert_levels(f)
    assert lv.untargetable_fraction("RU", "day_to_day", "ssbn").value == 0.5
    assert lv.hardness_psi("silo").value == 3000
    # Untouched entries keep their defaults.
    assert lv.untargetable_fraction("RU", "day_to_day", "road-mobile").value == 0.15


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (
            "postures:\n  day_to_day:\n    RU:\n      ssbn: {value: 1.5, low: 0, high: 2,"
            " basis: assumed}\n",
            "postures.day_to_day.RU.ssbn",
        ),
        (
            "postures:\n  day_to_day:\n    RU:\n      ssbn: {value: 0.5, low: 0.4, high: 0.6,"
            " basis: published}\n",
            "postures.day_to_day.RU.ssbn",
        ),
        (
            "parameters:\n  hardness_psi:\n    silo: {value: -1, low: -1, high: 5,"
            " basis: assumed}\n",
            "parameters",
        ),
        ("bogus: 1\n", "bogus"),
    ],
)
def test_bad_user_file(tmp_path, text, field):
    f = tmp_path / "bad.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as ei:
        load_alert_levels(f)
    assert ei.value.file == str(f)
    assert ei.value.field is not None and ei.value.field.startswith(field)


def test_missing_and_malformed(tmp_path):
    with pytest.raises(InputError):
        load_alert_levels(tmp_path / "nope.yaml")
    f = tmp_path / "m.yaml"
    f.write_text("postures: [\n", encoding="utf-8")
    with pytest.raises(InputError):
        load_alert_levels(f)


def test_fast_yaml_loader_is_safe_and_equal():
    """libyaml's loader (where present) parses the bundled file as the pure-Python one does,
    and refuses Python tags like it."""
    from importlib import resources

    import yaml

    from tripolar.io_yaml import SAFE_LOADER, load_yaml_text

    text = resources.files("tripolar.exchange").joinpath("alert_levels.yaml").read_text("utf-8")
    assert load_yaml_text(text) == yaml.load(text, Loader=yaml.SafeLoader)
    assert issubclass(SAFE_LOADER, yaml.constructor.SafeConstructor)
    with pytest.raises(InputError, match="constructor"):
        load_yaml_text("!!python/object/apply:os.getcwd []", source="x.yaml")
    # An alias gives the same object again (no copy), so nested aliases stay small.
    doc = load_yaml_text("a: &x [1, 2]\nb: [*x, *x, *x]")
    assert all(item is doc["a"] for item in doc["b"])
