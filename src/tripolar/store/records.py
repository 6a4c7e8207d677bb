"""Typed results read from the store; each has ``to_dict()`` for ``--json`` output."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any


def _iso(value: datetime) -> str:
    return value.isoformat()


@dataclass(frozen=True)
class RunSummary:
    """One line of ``tripolar runs``: which command ran when, on which inputs."""

    id: int
    command: str
    started_at: datetime
    inputs_hash: str
    dataset_hash: str | None
    tool_version: str
    status: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "command": self.command,
            "started_at": _iso(self.started_at),
            "inputs_hash": self.inputs_hash,
            "dataset_hash": self.dataset_hash,
            "tool_version": self.tool_version,
            "status": self.status,
        }


@dataclass(frozen=True)
class RunRecord:
    """A whole run: enough to repeat the command and compare its outputs."""

    id: int
    command: str
    tool_version: str
    started_at: datetime
    finished_at: datetime
    inputs: dict[str, Any]
    inputs_hash: str
    dataset_hash: str | None
    outputs: dict[str, Any]
    status: str

    @property
    def duration_s(self) -> float:
        """Wall-clock seconds between start and finish."""
        return (self.finished_at - self.started_at).total_seconds()

    def summary(self) -> RunSummary:
        return RunSummary(
            id=self.id,
            command=self.command,
            started_at=self.started_at,
            inputs_hash=self.inputs_hash,
            dataset_hash=self.dataset_hash,
            tool_version=self.tool_version,
            status=self.status,
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "command": self.command,
            "tool_version": self.tool_version,
            "started_at": _iso(self.started_at),
            "finished_at": _iso(self.finished_at),
            "duration_s": self.duration_s,
            "inputs_hash": self.inputs_hash,
            "dataset_hash": self.dataset_hash,
            "status": self.status,
            "inputs": self.inputs,
            "outputs": self.outputs,
        }


@dataclass(frozen=True)
class DatasetEditionRecord:
    """A saved edition of the force data: its hash, name and per-file SHA-256."""

    id: int
    content_hash: str
    name: str
    created_at: datetime
    files: dict[str, str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "content_hash": self.content_hash,
            "name": self.name,
            "created_at": _iso(self.created_at),
            "files": dict(self.files),
        }


@dataclass(frozen=True)
class TreatyRecord:
    """A saved treaty text, found again by its id and content hash."""

    id: int
    treaty_id: str
    content_hash: str
    yaml_text: str
    saved_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "treaty_id": self.treaty_id,
            "content_hash": self.content_hash,
            "yaml_text": self.yaml_text,
            "saved_at": _iso(self.saved_at),
        }


@dataclass(frozen=True)
class PostureRecord:
    """A saved posture text for one party at one date."""

    id: int
    party: str
    as_of: str
    content_hash: str
    yaml_text: str
    saved_at: datetime

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "party": self.party,
            "as_of": self.as_of,
            "content_hash": self.content_hash,
            "yaml_text": self.yaml_text,
            "saved_at": _iso(self.saved_at),
        }
