"""Default ROI inputs, each with the published study it comes from, or marked as an assumption.

Minutes saved are self-reported or task-based figures from the named studies; they are not measurements
of this organisation. Every figure is editable per tool on the ROI page.
"""

HOURLY_COST_EUR = (33.5, 45.0, 60.0)
HOURLY_COST_SOURCE = (
    "Low: Eurostat, average hourly labour cost 2024, whole economy, EU €33.5 (euro area €37.3), dataset "
    "lc_lci_lev. Central €45 and high €60: assumptions for office and IT staff, whose loaded cost is above "
    "the economy-wide average; replace them with your own HR figure."
)

MINUTES_SAVED = {
    "m365_copilot": (
        (14, 26, 40),
        "Central 26 min/day: UK Government Digital Service, Microsoft 365 Copilot Experiment: Cross-Government "
        "Findings Report (2 June 2025; 20,000 civil servants, Sept-Dec 2024; self-reported). Low 14 min/day: "
        "Microsoft Work Trend Index special report 'What Can Copilot's Earliest Users Teach Us About Generative "
        "AI at Work?' (Nov 2023; 297 early-access users, self-reported average). High 40: assumption (above both "
        "averages; the Work Trend Index found 22 % of early users saving more than 30 min/day).",
    ),
    "github_copilot": (
        (7, 31, 55),
        "Derived, with an assumption: Cui, Demirer, Jaffe, Musolff, Peng, Salz, 'The Effects of Generative AI on "
        "High Skilled Work: Evidence from Three Field Experiments with Software Developers' (2024; Microsoft, "
        "Accenture and a Fortune 100 company, 4,867 developers) found +26.08 % completed pull requests per week "
        "(95 % CI 5.88-46.28 %). Applied to an assumed 2 hours of coding per active day: 7 / 31 / 55 minutes. "
        "(GitHub's own 2022 controlled task, Peng et al. 2023: 55.8 % faster on one task; not a per-day figure.)",
    ),
    "chatgpt_enterprise": (
        (14, 40, 60),
        "40-60 min/day: OpenAI enterprise AI report (Dec 2025; survey of ~9,000 workers in ~100 enterprises, "
        "self-reported). Low 14 min/day: Microsoft Work Trend Index (Nov 2023) average for an office assistant, "
        "used as a conservative bound.",
    ),
    "api": (
        (5, 15, 30),
        "Assumption: no published study covers in-house applications built on APIs; 5 / 15 / 30 minutes per "
        "person-day of use. Replace with the use case's own measurement.",
    ),
    "other": ((5, 15, 30), "Assumption: no study named; replace with a measured or published figure."),
}


# Which default figures are assumptions rather than a published measurement (the sources above say so in words).
ASSUMED_MINUTES = {
    "m365_copilot": ("minutes_saved_high",),
    "github_copilot": ("minutes_saved_low", "minutes_saved_central", "minutes_saved_high"),  # 2 h of coding a day
    "chatgpt_enterprise": ("minutes_saved_low",),  # another tool's average, used as a bound
    "api": ("minutes_saved_low", "minutes_saved_central", "minutes_saved_high"),
    "other": ("minutes_saved_low", "minutes_saved_central", "minutes_saved_high"),
}
ASSUMED_HOURLY_COST = ("hourly_cost_central_eur", "hourly_cost_high_eur")


def assumed_inputs(tool: str, inputs: dict, manual_days: bool = False, allocated_days: bool = False) -> tuple:
    """The ROI inputs that are assumptions: a default figure the sources mark as such, still at its default value
    with the default's source (stored copies of the defaults, as the demo's, included; a figure the organisation
    changed, or whose source it rewrote, is its own), active user-days entered by hand, or a team's share of
    organisation-wide activity."""
    defaults = default_inputs(tool)
    source_of = {"minutes": "minutes_source", "hourly": "hourly_cost_source"}
    assumed = tuple(
        field
        for field in (*ASSUMED_MINUTES.get(tool, ASSUMED_MINUTES["other"]), *ASSUMED_HOURLY_COST)
        if float(inputs[field]) == float(defaults[field])
        and inputs[source_of[field.split("_")[0]]] == defaults[source_of[field.split("_")[0]]]
    )
    if manual_days:
        assumed += ("active_user_days_manual",)
    if allocated_days:
        assumed += ("active_user_days_allocated",)
    return assumed


def default_inputs(tool: str) -> dict:
    (low, central, high), source = MINUTES_SAVED.get(tool, MINUTES_SAVED["other"])
    return {
        "minutes_saved_low": low,
        "minutes_saved_central": central,
        "minutes_saved_high": high,
        "minutes_source": source,
        "hourly_cost_low_eur": HOURLY_COST_EUR[0],
        "hourly_cost_central_eur": HOURLY_COST_EUR[1],
        "hourly_cost_high_eur": HOURLY_COST_EUR[2],
        "hourly_cost_source": HOURLY_COST_SOURCE,
    }
