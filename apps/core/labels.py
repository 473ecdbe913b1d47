"""Labels every page, export and API answer spells the same way."""

# Records attributed to no team: one spelling on the dashboard, the cost pages, the PDF and the exports.
NO_TEAM = "(no team)"

# Display names of the keys the data carries (provider, scope, standard), in English; pages translate them
# (apps.web.templatetags.ledger.display). A key not listed shows as it is (a model or a person's own team).
PROVIDER_NAMES = {
    "openai": "OpenAI",
    "anthropic": "Anthropic",
    "azure_openai": "Azure OpenAI",
    "google": "Google",
    "vertex_ai": "Google Vertex AI",
    "mistral": "Mistral AI",
    "cohere": "Cohere",
    "aws_bedrock": "Amazon Bedrock",
    "bedrock": "Amazon Bedrock",
    "github": "GitHub",
    "microsoft": "Microsoft",
    "cursor": "Cursor",
    "huggingface_hub": "Hugging Face",
    "self_hosted": "Self-hosted",
}
SCOPE_NAMES = {
    "scope2": "Scope 2 (purchased electricity)",
    "scope3_cat1": "Scope 3, category 1 (purchased goods and services)",
}
STANDARD_NAMES = {"esrs_e1": "ESRS E1 (CSRD)", "vsme_b3": "VSME B3"}
# A record's data-quality class (apps.footprint.calculator DQ_*): how its energy was obtained.
DATA_QUALITY_NAMES = {
    "measured": "measured energy",
    "measured_it": "measured IT energy, modelled facility",
    "activity_based": "vendor activity data, modelled energy",
    "activity_assumed": "assumed activity, modelled energy",
    "spend_based": "spend-based",
}


def display_name(key: str | None) -> str:
    """The English display name of a provider, scope, standard or data-quality key; the key itself when it has
    none."""
    if key is None:
        return ""
    text = str(key)
    for names in (PROVIDER_NAMES, SCOPE_NAMES, STANDARD_NAMES, DATA_QUALITY_NAMES):
        if text in names:
            return names[text]
    return text
