from apps.footprint import usage_frame
from apps.footprint.calculator import OUTPUT_COLUMNS, estimate
from apps.footprint.energy_mix import energy_mix_split


def test_an_empty_frame_gives_an_empty_result_with_every_column():
    # A reporting period with no records yet is estimated too.
    result = estimate(usage_frame.empty_frame())
    assert len(result) == 0
    assert set(OUTPUT_COLUMNS) <= set(result.columns)
    mix = energy_mix_split(result)
    assert mix["total_mwh"] == 0 and mix["renewable_share"] is None
