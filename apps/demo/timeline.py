"""The demo year's calendar: which year, and how much use each day sees."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def demo_year(today: dt.date | None = None) -> int:
    """The previous full calendar year."""
    return (today or dt.date.today()).year - 1


def day_weights(year: int) -> pd.DataFrame:
    """Per day of `year`: `day`, `t` (0 on 1 January .. 1 on 31 December) and `weight`, the relative
    volume of use: weekdays >> weekends, a summer dip, the Christmas break and growth through the year."""
    days = pd.date_range(f"{year}-01-01", f"{year}-12-31", freq="D")
    t = np.linspace(0.0, 1.0, len(days))
    weekday = np.where(days.day_of_week < 5, 1.0, 0.15)
    doy = days.day_of_year.to_numpy()
    summer = 1.0 - 0.4 * np.exp(-(((doy - 222) / 14.0) ** 2))  # mid-August
    xmas = np.where((days.month == 12) & (days.day >= 24), 0.35, 1.0)
    new_year = np.where((days.month == 1) & (days.day == 1), 0.2, 1.0)
    growth = 1.0 + 1.5 * t
    return pd.DataFrame({"day": days, "t": t, "weight": weekday * summer * xmas * new_year * growth})


def iso_utc(ts: pd.Timestamp) -> str:
    """A timestamp as the vendors' APIs write it: ISO 8601, seconds, a Z for UTC."""
    return ts.strftime("%Y-%m-%dT%H:%M:%SZ")
