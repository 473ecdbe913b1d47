"""The cost reads by their old names, for callers outside the cost app that have not moved yet (the cost API,
the demo seeder, the disclosure's methodology). Each lives in its own module; new code imports from there."""

from .cost import usd_per_unit_float as usd_rates
from .frugality import frugality_for_methodology, frugality_list
from .records import records_frame
from .roi import roi_report
from .seats import seat_report, seat_table
from .sizing import DEFAULT_SHIFT_SHARE, REBOUND_BASES, rebound, right_sizing
from .summary import usage_summary
from .window import Window, window_for

__all__ = [
    "DEFAULT_SHIFT_SHARE",
    "REBOUND_BASES",
    "Window",
    "frugality_for_methodology",
    "frugality_list",
    "rebound",
    "records_frame",
    "right_sizing",
    "roi_report",
    "seat_report",
    "seat_table",
    "usage_summary",
    "usd_rates",
    "window_for",
]
