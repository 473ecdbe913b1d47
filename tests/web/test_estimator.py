"""The estimator page (/o/<org>/estimate/): the same figures as `manage.py estimate --json`, linkable by its
query string, in units that suit the magnitude, never with an exponent; unknown names answered on the form."""

import io
import json
import re

import pytest
from django.core.management import call_command
from django.utils import translation

from apps.accounts.models import Role
from apps.web.templatetags.ledger import energy, figure, mass, volume

pytestmark = pytest.mark.django_db
QUERY = {"provider": "openai", "model": "gpt-4o", "output_tokens": "400", "input_tokens": "1000", "zone": "FR"}


def cli_estimate(**options) -> dict:
    """What the command line answers for the same inputs."""
    out = io.StringIO()
    args = ["estimate", "--json"]
    for name, value in options.items():
        args += [f"--{name.replace('_', '-')}", str(value)]
    call_command(*args, stdout=out)
    return json.loads(out.getvalue())


def row_of(html: str, key: str) -> tuple[str, str]:
    """(data-value, displayed figure) of a result row."""
    match = re.search(rf'id="row-{key}" data-value="([^"]+)">.*?<td class="num figure">([^<]+)</td>', html, re.S)
    assert match, f"no row {key}"
    return match.group(1), match.group(2)


def test_the_page_shows_the_command_lines_figures(client_for, org_a):
    client = client_for(org_a["users"][Role.AUDITOR])  # a reader may use it: nothing is stored
    html = client.get("/o/org-a/estimate/", QUERY).content.decode()
    cli = cli_estimate(**QUERY)
    with translation.override("en"):
        for key, unit in (("energy_kwh", energy), ("co2e_kg", mass), ("water_l", volume), ("adpe_kgsbeq", mass)):
            value, shown = row_of(html, key)
            assert float(value) == cli[key]
            assert shown == unit(cli[key])
    assert "gpt-4o" in html and "FRA" in html
    # The range is shown with the figure.
    assert energy(cli["energy_kwh_low"]) in html and energy(cli["energy_kwh_high"]) in html
    # One web search is 0.3 Wh (IEA): the equivalence is the energy in Wh over 0.3.
    with translation.override("en"):
        assert f"<strong>{figure(cli['energy_kwh'] * 1000 / 0.3)}</strong>" in html
    assert "IEA, Electricity 2024" in html
    visible = re.sub(r"<[^>]+>", " ", html.split("<main", 1)[1])  # the text, not the data-value attributes
    assert not re.search(r"\de[-+]\d", visible)


def test_an_unknown_model_is_named_with_close_matches_on_its_field(client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    response = client.get("/o/org-a/estimate/", dict(QUERY, model="gpt-4oo"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="error-model"' in html and "gpt-4oo" in html and "gpt-4o" in html.split('id="error-model"')[1]
    assert 'id="estimate-result"' not in html


def test_a_first_visit_shows_the_example_without_computing(client_for, org_a):
    html = client_for(org_a["users"][Role.IT_DIRECTOR]).get("/o/org-a/estimate/").content.decode()
    assert 'value="gpt-4o"' in html and 'id="estimate-result"' not in html


def test_in_french_the_labels_are_french(client_for, org_a):
    client = client_for(org_a["users"][Role.OFFICER])
    client.cookies["django_language"] = "fr"
    html = client.get("/o/org-a/estimate/", QUERY).content.decode()
    assert "Jetons de sortie" in html and "recherches web" in html


def test_another_organisations_member_gets_404(client_for, org_b):
    assert client_for(org_b["users"][Role.OFFICER]).get("/o/org-a/estimate/").status_code == 404


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Worked by hand: three significant digits written out, grouped above a thousand.
        (2.332e-08, "0.0000000233"),
        (7.41e-05, "0.0000741"),
        (0.5, "0.5"),
        (12.345, "12.3"),
        (123456.7, "123,457"),
        (0.0009996, "0.001"),
    ],
)
def test_figure_never_writes_an_exponent(value, expected):
    with translation.override("en"):
        assert figure(value) == expected


def test_units_follow_the_magnitude():
    with translation.override("en"):
        assert energy(0.00111) == "1.11\u00a0Wh"  # a request: 0.00111 kWh = 1.11 Wh
        assert energy(41_234.0) == "41.2\u00a0MWh"  # a year: 41,234 kWh = 41.2 MWh
        assert mass(0.062e-3) == "62.0\u00a0mg"
        assert mass(3_400.0) == "3.40\u00a0t"
        assert volume(0.00459) == "4.59\u00a0mL"
