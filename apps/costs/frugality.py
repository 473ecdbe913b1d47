"""Frugality assessments (AFNOR Spec 2314) as the pages, the API and the disclosure read them."""

from __future__ import annotations

from .models import FrugalityAssessment


def frugality_list(org) -> list[dict]:
    """The organisation's assessments, newest first, as plain dicts (answers, score and reasons)."""
    return [
        {
            "id": a.pk,
            "use_case": a.use_case,
            "team": a.team.name if a.team_id else "",
            "assessed_on": a.assessed_on.isoformat(),
            "answers": a.answers(),
            "score": a.score,
            "reasons": a.reasons,
            "notes": a.notes,
        }
        for a in FrugalityAssessment.objects.for_org(org).select_related("team")
    ]


def frugality_for_methodology(org) -> list[str]:
    """One line per latest assessment of each use case, for the disclosure's methodology section."""
    latest: dict[str, dict] = {}
    for a in frugality_list(org):
        latest.setdefault(a["use_case"], a)
    return [
        f"Frugality (AFNOR Spec 2314) of '{a['use_case']}' assessed {a['assessed_on']}: {a['score']:.0f}/100"
        for a in latest.values()
    ]
