"""CodeCarbon emissions.csv: measured kWh, one row per run, cloud vs own hardware."""

from tests.connectors.helpers import fixture_bytes, parse_bytes, refused, totals

KEY = "codecarbon_emissions"
FIXTURE = "emissions.csv"


def test_energy_matches_hand_sums():
    frame = parse_bytes(KEY, fixture_bytes(KEY, FIXTURE), FIXTURE)
    # run 5b0f... flushed twice with cumulative values: keep the last (1.2 kWh), not 0.5 + 1.2
    # total = 1.2 (own hardware, France) + 0.3 (GCP europe-west1) = 1.5
    assert totals(frame)["measured_energy_kwh"] == 1.5
    assert frame.attrs["rows_skipped"] == 1
    by_zone = frame.set_index("zone")
    assert by_zone.loc["FRA", "self_hosted"] and by_zone.loc["FRA", "measured_energy_kwh"] == 1.2
    assert not by_zone.loc["gcp:europe-west1", "self_hosted"]
    assert set(frame["usage_kind"]) == {"measured_energy"}


def test_columns_in_another_order_and_extra_columns_are_fine():
    text = fixture_bytes(KEY, FIXTURE).decode()
    lines = [line.split(",") for line in text.splitlines()]
    swapped = [",".join([*cols[13:14], *cols[:13], *cols[14:], "extra"]) for cols in lines]
    assert totals(parse_bytes(KEY, "\n".join(swapped).encode()))["measured_energy_kwh"] == 1.5


def test_negative_energy_refused():
    text = fixture_bytes(KEY, FIXTURE).decode().replace(",0.3,0.0,Belgium", ",-0.3,0.0,Belgium")
    err = refused(KEY, text.encode(), "emissions.csv")
    assert str(err) == "emissions.csv, row 4, column 'energy_consumed': expected a number >= 0, got '-0.3'"


def test_missing_energy_column():
    text = fixture_bytes(KEY, FIXTURE).decode().replace("energy_consumed", "energy_kwh", 1)
    err = refused(KEY, text.encode(), "emissions.csv")
    assert "missing expected column(s) 'energy_consumed'" in str(err) and "'energy_kwh'" in str(err)


def test_the_pue_codecarbon_applied_is_taken_out():
    # CodeCarbon multiplies the energy it measured by its `pue` setting (EmissionsTracker "pue" parameter, whose
    # docs say it multiplies power and energy; codecarbon 3.3.2 emissions_tracker.py). A run written with
    # pue = 1.5 and energy_consumed 1.2 kWh used 1.2 / 1.5 = 0.8 kWh of IT energy: the calculator applies the
    # site's facility PUE once, on that.
    text = fixture_bytes(KEY, FIXTURE).decode()
    lines = text.splitlines()
    header = lines[0].split(",")
    at = header.index("pue")
    rows = [line.split(",") for line in lines[1:]]
    for cols in rows:
        if cols[header.index("country_iso_code")] == "FRA":
            cols[at] = "1.5"
    frame = parse_bytes(KEY, "\n".join([lines[0], *(",".join(c) for c in rows)]).encode(), FIXTURE)
    by_zone = frame.set_index("zone")
    assert by_zone.loc["FRA", "measured_energy_kwh"] == 1.2 / 1.5
    assert by_zone.loc["gcp:europe-west1", "measured_energy_kwh"] == 0.3  # pue 1.0 in the file: unchanged


def test_a_pue_below_one_is_refused():
    text = fixture_bytes(KEY, FIXTURE).decode()
    lines = text.splitlines()
    at = lines[0].split(",").index("pue")
    cols = lines[1].split(",")
    cols[at] = "0.5"
    err = refused(KEY, "\n".join([lines[0], ",".join(cols), *lines[2:]]).encode(), "emissions.csv")
    assert str(err) == "emissions.csv, row 2, column 'pue': expected a PUE >= 1 (total / IT energy)"
