"""Messages the Django-free code (parsers, calculator) writes in English, kept with their template and values so a
page can show them in the reader's language.

A `Message` is the English text (it is a `str`, so logs, the CLI and `str(exc)` read as before) that also carries
the template it was formatted from and its values. The template is the msgid of its French entry in locale/fr;
`render` formats it again through a `gettext` the web layer passes in. A value that is itself a `Message` (a hint,
a clause) is translated the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any


class Message(str):
    """English text formatted from ``template`` with ``str.format``-style ``{name}`` fields."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, /, **params: Any) -> Message:
        self = super().__new__(cls, template.format(**params) if params else template)
        self.template = template
        self.params = params
        return self

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe form (stored with a run's errors); values that are not Messages are kept as text."""
        return {"template": self.template, "params": {k: _param_to_json(v) for k, v in self.params.items()}}


def _param_to_json(value: Any) -> Any:
    if isinstance(value, Message):
        return value.to_dict()
    if isinstance(value, bool | int | float) or value is None:
        return value
    return str(value)


def render(stored: Mapping[str, Any] | str, gettext: Callable[[str], str]) -> str:
    """The text of a stored message (`Message.to_dict()`, or plain text kept as it is) in `gettext`'s language.

    A translation that lost or renamed a field falls back to the English template rather than fail a page."""
    if isinstance(stored, str):
        return stored
    template = stored["template"]
    params = {
        k: render(v, gettext) if isinstance(v, Mapping) and "template" in v else v
        for k, v in stored.get("params", {}).items()
    }
    try:
        return gettext(template).format(**params) if params else gettext(template)
    except (KeyError, IndexError, ValueError):
        return template.format(**params) if params else template
