import pytest
from django.core.exceptions import ValidationError

from apps.footprint.factors import default_factor_set
from apps.footprint.models import FactorSetVersion
from apps.footprint.services import (
    current_factor_set_version,
    default_factor_set_version,
    load_factor_set,
    register_factor_set,
)

pytestmark = pytest.mark.django_db


def test_default_set_is_stored_once_and_loads_back_identical():
    first = default_factor_set_version()
    assert default_factor_set_version().pk == first.pk
    assert FactorSetVersion.objects.count() == 1
    assert first.content_sha256 == default_factor_set().content_hash
    assert first.method_version == "ledger-calc 3 / ecologits 0.11.3"
    assert load_factor_set(first).content_hash == first.content_sha256


def test_a_version_never_changes_and_an_org_version_becomes_current(org_a):
    base = default_factor_set_version()
    assert current_factor_set_version(org_a["org"]) == base
    fs = default_factor_set()
    edited = fs.with_method(version="2026.1-acme", default_tokens_per_second=99)
    own = register_factor_set(edited, organisation=org_a["org"], note="faster generation assumed")
    assert current_factor_set_version(org_a["org"]) == own
    own.content_sha256 = base.content_sha256
    with pytest.raises(ValidationError, match="never changes"):
        own.save()
    own.refresh_from_db()
    own.locked_at = own.created_at
    own.save()
    with pytest.raises(ValidationError, match="signed-off period"):
        own.delete()
