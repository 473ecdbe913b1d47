"""Factor-set versions in the database, and running the calculator on a usage frame for an organisation."""

import threading

import pandas as pd

from .calculator import estimate
from .factors import FactorSet, default_factor_set
from .models import ContractualInstrument, FactorSetVersion

_cache: dict[str, FactorSet] = {}
_cache_lock = threading.Lock()


def register_factor_set(factor_set: FactorSet, organisation=None, user=None, note: str = "") -> FactorSetVersion:
    """Store a factor set as a version row (once per content hash and organisation)."""
    version, _ = FactorSetVersion.objects.get_or_create(
        organisation=organisation,
        content_sha256=factor_set.content_hash,
        defaults={"name": factor_set.name, "version": factor_set.version, "content": factor_set.to_dict(),
                  "method_version": factor_set.method_version, "note": note, "created_by": user},
    )
    with _cache_lock:
        _cache[version.content_sha256] = factor_set
    return version


def default_factor_set_version() -> FactorSetVersion:
    """The built-in set, built from the installed ecologits/codecarbon data, stored on first use."""
    return register_factor_set(default_factor_set(), note="Built-in default")


def current_factor_set_version(organisation) -> FactorSetVersion:
    """The set new figures of this organisation are computed with: its newest own version, else the default."""
    own = FactorSetVersion.objects.filter(organisation=organisation).order_by("-created_at", "-pk").first()
    return own or default_factor_set_version()


def load_factor_set(version: FactorSetVersion) -> FactorSet:
    """The calculator's FactorSet for a stored version (cached by content hash)."""
    with _cache_lock:
        cached = _cache.get(version.content_sha256)
    if cached is None:
        cached = FactorSet.from_dict(version.content)
        with _cache_lock:
            _cache[version.content_sha256] = cached
    return cached


def instruments_for(organisation) -> list[dict]:
    return [i.as_calculator_dict() for i in ContractualInstrument.objects.for_org(organisation)]


def estimate_for(organisation, frame: pd.DataFrame, version: FactorSetVersion | None = None) -> pd.DataFrame:
    """Run the calculator on a usage frame with the organisation's factor set (no instruments: market-based
    allocation of contractual instruments is done over a whole reporting period, not per file)."""
    version = version or current_factor_set_version(organisation)
    return estimate(frame, load_factor_set(version))
