"""A year of demo usage for a 2,000-employee company, generated with code in each vendor's real format
and loaded through the same path as an upload (store_upload -> create_run -> execute_run).

The generators are pure functions of (year, people, scale, seed) that return the bytes a vendor export
would hold, so the same arguments always give the same files, the same SHA-256 and therefore nothing
stored twice when the demo is seeded again. Only apps.demo.loader (:func:`seed_demo_people`, :func:`load_demo_usage`)
and apps.demo.costs touch the database.

The story the data tells (so later pages have something to show):

* Usage grows through the year (about x2.5 in volume from January to December) with weekday/weekend,
  summer and Christmas patterns, while the support bot moves from gpt-4o to gpt-4o-mini: volume up,
  intensity down (a rebound view).
* Marketing sends short, simple prompts to gpt-4o (a right-sizing case for a smaller model).
* About a quarter of the Copilot seats are idle (no activity in the last 28 days of the year, or never),
  and some Microsoft 365 Copilot licences are never or rarely used.
* Self-hosted GPU jobs run in France (low-carbon grid) and Germany.
* A few identities map to nobody: an unknown gateway key, an OpenAI project, an Anthropic key and a
  contractor's e-mail, so the mappings page has something to list.
* Each vendor file covers different workloads (the gateway uses its own provider accounts; the OpenAI,
  Anthropic, Azure and Google files are direct API use by other applications), so nothing is counted
  twice across sources.
"""
