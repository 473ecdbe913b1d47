"""The field types of the pydantic models of vendor JSON rows, and their validation errors as SourceErrors.

A model says what one row (a usage result, a Copilot day, a seat) holds; the types below check each value the
way the sources always have (a whole number >= 0 within MAX_AMOUNT, also from a digit string; a decimal amount;
text), with the same words, and :func:`validate` names the file, the row's JSON path and the key."""

from __future__ import annotations

import math
from typing import Annotated, Any, ClassVar, TypeVar, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from apps.connectors.sources.bounds import MAX_AMOUNT, max_text
from apps.connectors.sources.errors import SourceError, describe_value
from apps.core.messages import Message

Row = TypeVar("Row", bound="JsonRow")
EXPECTED_GOT = "expected {expected}, got {got}"  # the msgid of its French entry (locale/fr)


class JsonRow(BaseModel):
    """A vendor JSON object; keys the model does not name are ignored, as they always were."""

    model_config = ConfigDict(extra="ignore", frozen=True)
    WHAT: ClassVar[str] = ""  # what the row is, for "expected <WHAT>, got ..."


def refuse(message: str) -> PydanticCustomError:
    """The error a validator raises for a value it refuses, `message` (a str or a Message, kept as it is) saying
    what was expected."""
    # The message is passed as context: its text may hold braces that a template would read as fields.
    return PydanticCustomError("source", "{message}", {"message": message})


def _count(value: Any) -> int:
    """A whole number >= 0 (an int, an integral float or a digit string); null or absent is 0."""
    if value is None:
        return 0
    if isinstance(value, bool):
        ok = False
    elif isinstance(value, int):
        ok = value >= 0
    elif isinstance(value, float):
        ok = value >= 0 and value.is_integer()
    elif isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
        ok = True
    else:
        ok = False
    if ok and value > MAX_AMOUNT:
        raise refuse(
            Message(
                "expected {expected} {bound}, got {got}",
                expected=Message("a whole number >= 0"),
                bound=max_text(),
                got=describe_value(value),
            )
        )
    if not ok:
        raise refuse(Message(EXPECTED_GOT, expected=Message("a whole number >= 0"), got=describe_value(value)))
    return int(value)


def _required_count(value: Any) -> int:
    # Declared with Field(default=None, validate_default=True), so an absent key reaches this check too: a count
    # the vendor documents as always present is never read as a zero it did not send.
    if value is None:
        raise refuse(Message("expected a whole number >= 0, the key is missing"))
    return _count(value)


def required() -> Any:
    """The default of a RequiredCount field: absent or null is refused, naming the key (see _required_count)."""
    return Field(default=None, validate_default=True)


def _optional_count(value: Any) -> int | None:
    return None if value is None else _count(value)


def _amount(value: Any) -> float:
    """A decimal amount: a JSON number or a decimal string (as cost reports send); null, absent or '' is 0."""
    if value is None or value == "":
        return 0.0
    try:
        if isinstance(value, bool):
            raise ValueError
        number = float(value)
        if not math.isfinite(number):
            raise ValueError
    except (TypeError, ValueError, OverflowError):
        raise refuse(Message(EXPECTED_GOT, expected=Message("a number"), got=describe_value(value))) from None
    if abs(number) > MAX_AMOUNT:
        raise refuse(
            Message(
                "expected {expected} {bound}, got {got}",
                expected=Message("a number"),
                bound=max_text(True),
                got=describe_value(value),
            )
        )
    return number


def _text(value: Any) -> str:
    return "" if value is None else str(value)


Count = Annotated[int, BeforeValidator(_count)]
RequiredCount = Annotated[int, BeforeValidator(_required_count)]
OptionalCount = Annotated[int | None, BeforeValidator(_optional_count)]
Amount = Annotated[float, BeforeValidator(_amount)]
Text = Annotated[str, BeforeValidator(_text)]


def _or_empty_list(value: Any) -> Any:
    return value or []


def _or_empty_object(value: Any) -> Any:
    return value or {}


# A list or an object where null, absent or any other empty value reads as empty, as the sources always read them.
Items = Annotated[list[Row], BeforeValidator(_or_empty_list)]
Section = Annotated[Row, BeforeValidator(_or_empty_object)]


def validate(model: type[Row], value: Any, filename: str, path: str) -> Row:
    """`value` as a `model`; a SourceError at `path` (and the key) for the first value it refuses."""
    if not isinstance(value, dict):
        raise SourceError(
            filename, path, None, Message(EXPECTED_GOT, expected=_what(model.WHAT), got=describe_value(value))
        )
    try:
        return model.model_validate(value)
    except ValidationError as exc:
        raise _source_error(model, exc, filename, path) from None


def _source_error(model: type[JsonRow], exc: ValidationError, filename: str, path: str) -> SourceError:
    error = exc.errors(include_url=False)[0]
    *parents, key = error["loc"] or ("",)
    where = path
    owner: Any = model
    for part in parents:
        where = _step(where, part)
        owner = _inner(owner, part)
    if error["type"] == "source":
        return SourceError(filename, where, str(key), error["ctx"]["message"])
    # A nested object or list that is not one: "expected <what>, got ...", at its own path.
    what = Message("a list") if error["type"] == "list_type" else _what(getattr(_inner(owner, key), "WHAT", ""))
    got = describe_value(error["input"])
    return SourceError(filename, _step(where, key), None, Message(EXPECTED_GOT, expected=what, got=got))


def _what(what: str) -> Message:
    """A model's WHAT ('a usage result'...) as a Message, so a page can translate it when it has a French entry."""
    return what if isinstance(what, Message) else Message(what) if what else Message("an object")


def _step(path: str, part: str | int) -> str:
    """The JSON path one key or list index further."""
    if isinstance(part, int):
        return f"{path}[{part}]"
    return f"{path}.{part}" if path else str(part)


def _inner(owner: Any, part: str | int) -> Any:
    """The type one key (a model's field) or list index (the list's item type) further."""
    if isinstance(part, int):
        args = get_args(owner)
        return args[0] if args else owner
    fields = getattr(owner, "model_fields", {})
    return fields[part].annotation if part in fields else None
