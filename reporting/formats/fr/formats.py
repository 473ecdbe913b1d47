"""French dates in the same one style as English (reporting/formats/en): "03/12/2026", "03/12/2026 08:44";
numbers keep Django's French separators ("1 234,5"), so the English module's separators are not taken."""

from reporting.formats.en.formats import (  # noqa: F401 (Django reads these names from this module)
    DATE_FORMAT,
    DATE_INPUT_FORMATS,
    DATETIME_FORMAT,
    DATETIME_INPUT_FORMATS,
    FIRST_DAY_OF_WEEK,
    MONTH_DAY_FORMAT,
    SHORT_DATE_FORMAT,
    SHORT_DATETIME_FORMAT,
    TIME_FORMAT,
    YEAR_MONTH_FORMAT,
)
