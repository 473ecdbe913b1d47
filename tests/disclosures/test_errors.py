"""DisclosureError is a domain error (the API's one handler maps it) and still a ValueError for older callers."""

from apps.core.errors import ConflictError, DomainError
from apps.disclosures import services
from apps.disclosures.errors import DisclosureError


def test_disclosure_error_is_a_domain_conflict_and_a_value_error():
    assert services.DisclosureError is DisclosureError
    assert issubclass(DisclosureError, DomainError) and issubclass(DisclosureError, ValueError)
    assert issubclass(DisclosureError, ConflictError) and DisclosureError.http_status == 409
