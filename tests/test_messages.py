"""apps.core.messages: English text that keeps its template, rendered again in another language."""

import json

from apps.core.messages import Message, render

FRENCH = {
    "expected a whole number >= 0, got {value}{hint}": "nombre entier >= 0 attendu, reçu {value}{hint}",
    " (is the file {kind}?)": " (le fichier est-il {kind} ?)",
}


def fr(text: str) -> str:
    return FRENCH.get(text, text)


def test_a_message_is_its_english_text_and_keeps_template_and_values():
    hint = Message(" (is the file {kind}?)", kind="CSV")
    msg = Message("expected a whole number >= 0, got {value}{hint}", value="'abc'", hint=hint)
    assert msg == "expected a whole number >= 0, got 'abc' (is the file CSV?)"
    assert msg.to_dict() == {
        "template": "expected a whole number >= 0, got {value}{hint}",
        "params": {"value": "'abc'", "hint": {"template": " (is the file {kind}?)", "params": {"kind": "CSV"}}},
    }


def test_render_translates_the_template_and_its_nested_messages_after_a_json_round_trip():
    msg = Message(
        "expected a whole number >= 0, got {value}{hint}",
        value=12.5,
        hint=Message(" (is the file {kind}?)", kind="CSV"),
    )
    stored = json.loads(json.dumps(msg.to_dict()))
    assert render(stored, fr) == "nombre entier >= 0 attendu, reçu 12.5 (le fichier est-il CSV ?)"
    assert render(stored, lambda s: s) == str(msg)


def test_plain_text_and_a_broken_translation_fall_back_to_english():
    assert render("an old run's message", fr) == "an old run's message"
    stored = Message("got {value}", value=3).to_dict()
    assert render(stored, lambda s: "reçu {valeur}") == "got 3"
