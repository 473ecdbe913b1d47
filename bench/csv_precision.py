"""The CSV exports' float writers (apps.disclosures.exports.precision) next to Arrow's own float-to-text cast.

Usage: python bench/csv_precision.py [values] (default 1,000,000). The values are log-normal around 1e-4 with
a wide spread and both signs (from 1e-12 to 1e4 and beyond: what kWh, kg CO2e and kgSbeq per record look
like), from a fixed seed. The floor is `pyarrow.compute.cast(float64 -> string)`, the shortest text, with an
exponent below 1e-4; `exact_texts` is that text with every exponent moved into place (the evidence pack);
`rounded_texts` rounds to 6 significant digits (the CSVs people read). Each timed 3 times, the best kept. Not
part of the test run.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from apps.disclosures.exports import precision


def best(function, values) -> float:
    times = []
    for _ in range(3):
        started = time.perf_counter()
        function(values)
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    rng = np.random.default_rng(20)
    values = rng.lognormal(np.log(1e-4), 4, n) * rng.choice([-1.0, 1.0], n)
    floor = best(lambda v: pc.cast(pa.array(v), pa.string()), values)
    exponents = int(pc.sum(pc.match_substring(pc.cast(pa.array(values), pa.string()), "e").cast(pa.int64())).as_py())
    print(f"{n:,} floats, {exponents:,} of which Arrow writes with an exponent")
    print(f"floor  Arrow cast          {floor:6.2f} s")
    for name, function in (("exact_texts", precision.exact_texts), ("rounded_texts", precision.rounded_texts)):
        seconds = best(function, values)
        print(f"{name:<14} (precision.py) {seconds:6.2f} s  = {seconds / floor:4.1f}x the floor")


if __name__ == "__main__":
    main()
