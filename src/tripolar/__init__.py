"""tripolar: an open workbench for trilateral nuclear arms control."""

from __future__ import annotations

__version__ = "0.1.0"
