"""Labels every page, export and API answer spells the same way."""

# Records attributed to no team: one spelling on the dashboard, the cost pages, the PDF and the exports.
NO_TEAM = "(no team)"
