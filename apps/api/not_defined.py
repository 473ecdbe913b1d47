"""Why a figure of an API answer is null (issue 19): a division by zero, or a figure with nothing to be computed
from, is `null` in the JSON and its reason sits beside it in the object's `not_defined` map {field: reason}.

A serializer of an answer that can hold such a figure subclasses `Explained` and lists, in `null_reasons`, the
reason of each field that can be null. `not_defined` holds exactly the fields of this answer that are null (an
empty map when every figure is defined), so a client never has to guess what a null means. The reasons are
English sentences with a French entry each, answered in the request's language (LocaleMiddleware reads its
Accept-Language; English when it sends none)."""

from django.utils.translation import gettext
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

NOT_DEFINED_SCHEMA = {
    "type": "object",
    "additionalProperties": {"type": "string"},
    "description": "Each field of this object that is null, with why it is not defined (empty when none is).",
}


@extend_schema_field(NOT_DEFINED_SCHEMA)
class NotDefinedField(serializers.Field):
    """Read-only; its value is written by Explained.to_representation from the object's other fields."""

    def __init__(self):
        super().__init__(read_only=True, source="*")

    def to_representation(self, value):
        return {}


class Explained(serializers.Serializer):
    """An answer object whose null figures each carry their reason in `not_defined`."""

    not_defined = NotDefinedField()
    null_reasons: dict[str, str] = {}

    def to_representation(self, instance):
        """The fields as usual, then `not_defined`: the reason, in the request's language, of every field of
        `null_reasons` that is null."""
        data = super().to_representation(instance)
        data["not_defined"] = {name: gettext(why) for name, why in self.null_reasons.items() if data.get(name) is None}
        return data


class Sentence(serializers.CharField):
    """A sentence the code writes in English (a note, a frugality reason "Only partly: <question>"), answered in the
    request's language where the catalogue has it: whole, or else its verdict and its question each; as it is
    otherwise (the pages translate the same text with the `tr` and `tr_reason` filters)."""

    def to_representation(self, value):
        text = str(value)
        whole = gettext(text)
        if whole != text or ": " not in text:
            return whole
        verdict, _, question = text.partition(": ")
        return f"{gettext(verdict)}: {gettext(question)}"


# The reasons, shared where several answers carry the same figure.
COST_IS_ZERO = "Not defined: the cost is zero (a division by zero)."
NEVER_PAYS_BACK = "Not defined: the tool gains no value in the window, so it never pays back."
NO_BREAK_EVEN = "Not defined: there are no active user-days or the hourly cost is zero (a division by zero)."
NO_SEAT_FILE = "Not defined: no seat file is loaded for this tool."
NO_BILL = "Not defined: no bill is loaded for the month."
