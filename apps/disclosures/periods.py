"""The comparative period: one rule for the figures (which version's values are N-1) and for every export
that labels them. No Django here.

Periods are fiscal years, so the comparative period is the year that ends the day before the period starts:
it starts on the same calendar day a year earlier, and a start on 29 February (no such day the year before)
moves back 365 days instead, to 1 March. A period of 2028-02-29 to 2029-02-28 thus compares with 2027-03-01 to
2028-02-28: contiguous, and a year long.
"""

import datetime as dt


def comparative_dates(start: dt.date) -> tuple[dt.date, dt.date]:
    """(start, end) of the period before one that starts on `start`."""
    end = start - dt.timedelta(days=1)
    try:
        previous_start = start.replace(year=start.year - 1)
    except ValueError:  # 29 February
        previous_start = start - dt.timedelta(days=365)
    return previous_start, end
