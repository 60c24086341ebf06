"""A ご注意 item lives in `notes` only, never repeated in its entry's `body`.

A FAQ reply shows the body and then "ご注意:" with the notes, so a sentence in
both places is said twice. The handbook prints each ご注意 box once; where the
main answer says something close to a note in its own words (Q8: 4時間対応、
24x7 …), the two texts differ and this check does not object.

A note is compared by its opening: the first 25 characters after dropping a
leading ①/②/・ marker and a short label ending in a colon ("離島の定義：",
"①発注可能期間：") and normalising whitespace. Width (NFKC) and the sentence
marks 。、 are normalised too, so that a copy re-punctuated in the body
("表示されます（…）。" vs "表示されます。（…）") is still caught.
"""

from __future__ import annotations

import re
import unicodedata

import pytest

from knowledge.loader import load_knowledge
from knowledge.models import FaqEntry

PREFIX_CHARS = 25

# A leading item marker, then an optional short label ending in a colon. The
# label may not contain sentence punctuation, so a colon deep in a sentence
# ("… HPEコンタクトセンター Eメール：…") is not taken for a label.
_MARKER = re.compile(r"^\s*[①-⑳・•]?\s*")
_LABEL = re.compile(r"^[^\s：:。、（）()「」]{1,20}[：:]\s*")
_IGNORED = re.compile(r"[\s。、]+")


def _normalise(text: str) -> str:
    return _IGNORED.sub("", unicodedata.normalize("NFKC", text))


def note_key(note: str) -> str:
    """The opening of a note as compared against the body."""
    text = _MARKER.sub("", note, count=1)
    text = _LABEL.sub("", text, count=1)
    return _normalise(text)[:PREFIX_CHARS]


def repeated_notes(entry: FaqEntry) -> list[str]:
    """The notes of `entry` whose opening also appears in its body."""
    body = _normalise(entry.body)
    return [note for note in entry.notes if (key := note_key(note)) and key in body]


def test_note_key_drops_marker_and_label() -> None:
    assert note_key("①発注可能期間：対象ハードウェア製品の保守契約") == "対象ハードウェア製品の保守契約"
    assert note_key("・離島の定義：本土（本州・北海道）") == "本土(本州・北海道)"
    # A colon inside a sentence is not a label.
    assert note_key("ご相談下さい（Eメール：x@example.com）").startswith("ご相談下さい")
    assert len(note_key("あ" * 40)) == PREFIX_CHARS


def test_repeated_notes_catches_a_copied_note() -> None:
    entry = FaqEntry(
        id="Q5",
        section="購入前",
        page=6,
        title="t",
        summary="s",
        body="本文です。\n\n納品物を受け取るだけでは\n  サービスが受けられません。納品から一ヶ月以内です。",
        notes=["・納品物を受け取るだけではサービスが受けられません。納品から一ヶ月以内です。", "別の注意です。"],
    )
    assert repeated_notes(entry) == [entry.notes[0]]


def test_the_handbook_has_notes_to_check() -> None:
    faq = load_knowledge().faq
    assert len(faq) == 23
    with_notes = [e.id for e in faq.values() if e.notes]
    assert len(with_notes) >= 10, with_notes
    for entry in faq.values():
        for note in entry.notes:
            assert len(note_key(note)) >= 10, (entry.id, note)


@pytest.mark.parametrize("qid", [f"Q{n}" for n in range(1, 24)])
def test_no_note_is_repeated_in_the_body(qid: str) -> None:
    entry = load_knowledge().faq[qid]
    repeated = repeated_notes(entry)
    assert not repeated, f"{qid}: ご注意 text repeated in body (keep it in notes only): {repeated}"
