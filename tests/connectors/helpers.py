"""Small helpers shared by the connector tests: fixture paths, parsing bytes, totals."""

from __future__ import annotations

import io
from pathlib import Path

import pandas as pd
import pytest

from apps.connectors.sources import SourceError, get_source

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fixture_bytes(key: str, name: str) -> bytes:
    """The bytes of tests/fixtures/<key>/<name>."""
    return (FIXTURES / key / name).read_bytes()


def parse_bytes(key: str, data: bytes, filename: str = "upload") -> pd.DataFrame:
    """Parse `data` with source `key` from an in-memory binary stream."""
    return get_source(key).parse(io.BytesIO(data), filename)


def totals(frame: pd.DataFrame) -> dict:
    """Sums of the amount columns, rounded so float costs compare exactly."""
    return {
        "requests": int(frame["requests"].sum()),
        "input_tokens": int(frame["input_tokens"].sum()),
        "cached_input_tokens": int(frame["cached_input_tokens"].sum()),
        "output_tokens": int(frame["output_tokens"].sum()),
        "active_user_days": int(frame["active_user_days"].sum()),
        "measured_energy_kwh": round(float(frame["measured_energy_kwh"].sum()), 9),
        "cost": round(float(frame["cost"].sum()), 9),
    }


def refused(key: str, data: bytes, filename: str = "upload") -> SourceError:
    """Parse and expect a SourceError; return it for the message checks."""
    with pytest.raises(SourceError) as info:
        parse_bytes(key, data, filename)
    return info.value
