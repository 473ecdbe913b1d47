"""Whether an organisation is in the CSRD's scope after Omnibus I, and from which financial year. No Django.

Directive (EU) 2026/470 (OJ 26 February 2026, in force 18 March 2026) narrows the CSRD to EU undertakings that
exceed BOTH more than 1,000 employees (average over the financial year) AND more than EUR 450 million net
turnover, at individual or group level. Undertakings already reporting (wave 1, from financial year 2024) keep
reporting; the others in scope report from financial year 2027 (reports in 2028), after the stop-the-clock
Directive (EU) 2025/794. Member States transpose by 19 March 2027: national law may differ in detail.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

EMPLOYEES_THRESHOLD = 1000
TURNOVER_THRESHOLD_EUR = Decimal("450000000")
FIRST_YEAR_WAVE_ONE = 2024
FIRST_YEAR_OTHERS = 2027
SOURCE = "Directive (EU) 2026/470 (Omnibus I), Art. 1 amending Directive 2013/34/EU Art. 19a"


@dataclass(frozen=True)
class OmnibusScope:
    in_scope: bool | None  # None: employees or turnover not entered
    first_financial_year: int | None
    reason: str


def omnibus_scope(employees: int | None, net_turnover_eur: Decimal | None, wave_one: bool = False) -> OmnibusScope:
    """In scope when both thresholds are exceeded (strictly); the first financial year it reports for."""
    if employees is None or net_turnover_eur is None:
        return OmnibusScope(None, None, "Enter the average number of employees and the net turnover to know.")
    over_staff = employees > EMPLOYEES_THRESHOLD
    over_turnover = Decimal(net_turnover_eur) > TURNOVER_THRESHOLD_EUR
    if not (over_staff and over_turnover):
        missing = [
            name
            for name, over in (
                ("more than 1,000 employees", over_staff),
                ("over EUR 450 m net turnover", over_turnover),
            )
            if not over
        ]
        return OmnibusScope(
            False,
            None,
            f"Out of the CSRD's scope (not {' nor '.join(missing)}); the VSME standard may be used voluntarily.",
        )
    year = FIRST_YEAR_WAVE_ONE if wave_one else FIRST_YEAR_OTHERS
    return OmnibusScope(True, year, f"In the CSRD's scope (both thresholds exceeded), reporting from FY{year}.")
