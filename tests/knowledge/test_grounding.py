"""Provenance in the data, and the grounding check (knowledge/grounding.py).

- The checker: normalisation, sentences, its thresholds pinned on both sides —
  every invented sentence issue 15 quoted is caught, the handbook's own
  restructurings pass.
- The interpretation mark: applied where the data declares an interpretation,
  loudly refused where the declared text is missing.
- Every interpretation rests on seed lines that really print what it quotes.
- Every text of knowledge/data is grounded or marked (the rendered replies are
  checked by tests/intents/test_reply_grounding.py).
- Every interpretation / guidance id the code says is declared, and every one
  declared is said somewhere.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pydantic import ValidationError

from knowledge import grounding
from knowledge.grounding import Seeds, check, classify, knowledge_texts, normalise, sentences
from knowledge.loader import load_knowledge
from knowledge.models import INTERPRETATION_MARK, FaqEntry, Interpretation, with_mark

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def seeds(seeds_path: Path) -> Seeds:
    return Seeds.load(seeds_path)


@pytest.fixture(scope="module")
def knowledge():
    return load_knowledge()


# --- the checker -----------------------------------------------------------------------------


def test_normalise_drops_width_space_punctuation_and_bullets() -> None:
    assert normalise("・ＰＷＰ の\n発注、可能（期間）！") == "pwpの発注可能期間"
    assert normalise("0120-802 -075") == normalise("0120-802-075") == "0120802075"
    assert normalise("① ○ × ■ ▶") == "1"


def test_sentences_keep_brackets_whole_and_drop_markers_and_labels() -> None:
    text = "・まず一文です。次の文（例: 「いつ？」、または /pwp）。\n適用したルール: 規則です\n1. 手順です"
    assert sentences(text) == ["まず一文です。", "次の文（例: 「いつ？」、または /pwp）。", "規則です", "手順です"]


# Sentences issue 15 quotes as invented or over-reaching, in the words the bot used.
INVENTED = [
    "欠品・初期不良の窓口は納品後一週間以内が対象で、それ以降は修理の窓口です（P20）。",
    "プロアクティブケアのご契約時に案内される連絡先をご利用いただくか、パートナー・インフォメーション・センター（PIC）にご確認ください。",
    "「月～金」の窓口は、土日・祝日（振替休日を含む）と年末年始（12/30～1/3）を休みとして扱っています"
    "（ハンドブックは「年末年始」とだけ記載し、12/30～1/3 はファームウェアアップデートオプション付表の記載によります）。",
    "弊社休業日は公表されていないため考慮していません。",
    "それより前の発注は無効になり、再発注が必要です。",
    "5年のサービスは開始日から5年後の前日までです（2/29開始で終了年に2/29がない場合は2/28まで）。",
    "リアクティブの項目では、お問合わせコール窓口とHPE通報サービスの設定が異なり、その他は共通です。",
    "時刻はすべて日本時間（JST）です。",
    "P20にはこの窓口の番号は1つ（フリーダイヤル）だけ記載されています。",
    "12:00～13:00は受付時間外です（P20の受付時間が午前・午後の2つに分かれています）。",
    "申込先のFAX番号・メールアドレスは、ご購入後に送付されるサービス申込書に記載されています。",
    "至急ご登録のうえ、登録方法に応じた窓口へご相談ください（Q10、Q18）。",
]

# The handbook's own text restructured: joined sentences, table rows as sentences, short results.
RESTRUCTURED = [
    "サポートサービスまたは製品標準保証の終了90日前から終了日当日までの当社受注分で、更新保守として1年または2年単位でポストワランティサービスをご購入いただけます。",
    "・1年／1年：ProLiant MicroServer Gen10",
    "期間：延長1,2年",
    "24時間保証ネットワーク製品は、上記以外（夜間,土日祝）は「修理依頼（24時間保証ネットワーク製品用時間外）」へご連絡ください。",
    "修理は「修理依頼（サーバー、ストレージ製品用）」（0120-220-119）へご連絡ください。",
    "発注可能期間は 2026年11月2日（月）～2027年1月31日（日）（終了日当日まで）です。",
    "2026年11月20日（金） 22:00 は受付時間外（次の受付開始: 2026年11月24日（火） 9:00）です。",
    "発注可能期間前です（あと12日）。",
    "休業日: 11月21日（土）土曜日、11月22日（日）日曜日、11月23日（月）祝日（勤労感謝の日）。",
]


@pytest.mark.parametrize("sentence", INVENTED)
def test_invented_sentences_are_caught(seeds: Seeds, sentence: str) -> None:
    finding = classify(sentence, seeds, [])
    assert finding.verdict == "unmarked", finding


@pytest.mark.parametrize("sentence", RESTRUCTURED)
def test_the_handbooks_restructured_sentences_pass(seeds: Seeds, sentence: str) -> None:
    finding = classify(sentence, seeds, [])
    assert finding.verdict == "grounded", finding


def test_thresholds_have_a_margin(seeds: Seeds) -> None:
    """The invented sentences are caught by a clear margin, not by the last character."""
    for sentence in INVENTED:
        share, gap = grounding.coverage(sentence, seeds)
        assert gap >= grounding.MAX_GAP + 1 or share <= grounding.MIN_COVERAGE - 0.05, (sentence, share, gap)


def test_a_url_must_be_printed_in_the_seeds(seeds: Seeds) -> None:
    assert classify("・サポートサービスセントラル: http://www.hpe.com/jp/supportservices-ssc", seeds, []).verdict == "grounded"
    # The PDF splits this one across two lines.
    assert classify("・サーバー製品: http://www.hpe.com/jp/supportservices-areamap-ia", seeds, []).verdict == "grounded"
    finding = classify("・サーバー製品: http://www.hpe.com/jp/supportservices-invented", seeds, [])
    assert finding.verdict == "unmarked" and "URL" in finding.reason


def test_marked_sentences_and_guidance_are_counted_apart(seeds: Seeds, knowledge) -> None:
    texts = [
        ("a", with_mark("それ以降は修理の窓口です。")),
        ("b", "年数を指定いただければ終了日も計算します。"),
        ("c", "それ以降は修理の窓口です。"),
        ("d", "発注可能期間"),
    ]
    report = check(texts, seeds, knowledge.provenance.guidance)
    assert report.counts == {"interpretation": 1, "guidance": 1, "unmarked": 1, "grounded": 1}
    assert [f.source for f in report.unmarked] == ["c"]
    assert "c: それ以降は修理の窓口です。" in report.offenders()
    assert report.summary()[-1] == "根拠も印もない文: 1件"


# --- the mark ----------------------------------------------------------------------------------


def _entry(**extra) -> dict:
    return dict(id="Q5", section="購入前", page=6, title="t", summary="要約です。", body="本文です。解釈の文です。", **extra)


def _interpretation(text: str) -> dict:
    return {"text": text, "why": "理由", "rests_on": [{"seed": "handbook", "lines": "5", "where": "表紙", "quote": "本書は"}]}


def test_the_mark_goes_with_the_declared_sentence() -> None:
    entry = FaqEntry.model_validate(_entry(notes=["解釈の文です"], interpretations=[_interpretation("解釈の文です。")]))
    assert entry.body == f"本文です。解釈の文です（{INTERPRETATION_MARK}）。"
    assert entry.notes == [f"解釈の文です（{INTERPRETATION_MARK}）"]
    assert entry.summary == "要約です。"
    # Validating the marked entry again does not mark twice.
    assert FaqEntry.model_validate(entry.model_dump()).body == entry.body


def test_a_declared_interpretation_missing_from_the_texts_fails_loudly() -> None:
    with pytest.raises(ValidationError, match="not found"):
        FaqEntry.model_validate(_entry(interpretations=[_interpretation("どこにもない文です。")]))


def test_an_interpretation_is_one_sentence() -> None:
    with pytest.raises(ValidationError, match="one sentence"):
        Interpretation.model_validate(_interpretation("一文目です。二文目です。"))
    assert Interpretation.model_validate(_interpretation("括弧の中（例: 「いつ？」）は一文です。"))


def test_with_mark_is_idempotent() -> None:
    once = with_mark("文です。")
    assert once == f"文です（{INTERPRETATION_MARK}）。"
    assert with_mark(once) == once


# --- provenance: the seed lines -------------------------------------------------------------------


def _all_interpretations(knowledge) -> list[tuple[str, Interpretation]]:
    items = [(f"faq.yaml {e.id}", e) for e in knowledge.faq.values()]
    items += [(f"contacts.yaml {c.id}", c) for c in knowledge.contacts.values()]
    items += [(f"websites.yaml {w.id}", w) for w in knowledge.websites.values()]
    items += [("tables.yaml", knowledge.tables), ("firmware_option.yaml", knowledge.firmware)]
    found = [(where, i) for where, item in items for i in item.interpretations]
    return found + [(f"provenance.yaml {i.id}", i) for i in knowledge.provenance.interpretations]


def test_every_interpretation_rests_on_seed_lines_that_print_its_quote(seeds: Seeds, knowledge) -> None:
    wrong = []
    for where, interpretation in _all_interpretations(knowledge):
        for ref in interpretation.rests_on:
            first, last = ref.line_range
            if normalise(ref.quote) not in normalise(seeds.lines(ref.seed, first, last)):
                wrong.append(f"{where}: {ref.seed} lines {ref.lines} do not print {ref.quote!r}")
    assert not wrong, "\n".join(wrong)


def test_there_are_interpretations_in_data_and_code(knowledge) -> None:
    found = _all_interpretations(knowledge)
    assert len([w for w, _ in found if not w.startswith("provenance")]) >= 10
    assert len(knowledge.provenance.interpretations) >= 15


# --- every data text is grounded or marked ------------------------------------------------------


def test_every_text_of_the_knowledge_data_is_grounded_or_marked(seeds: Seeds, knowledge) -> None:
    report = check(knowledge_texts(knowledge), seeds, knowledge.provenance.guidance)
    assert not report.unmarked, "sentences neither in the seeds nor marked:\n" + report.offenders()
    assert report.counts["grounded"] > 400
    assert report.counts["interpretation"] >= 10


def test_knowledge_texts_cover_every_kind_of_item(knowledge) -> None:
    sources = {source.split(" ")[0] for source, _ in knowledge_texts(knowledge)}
    assert sources == {"faq.yaml", "tables.yaml", "contacts.yaml", "websites.yaml", "firmware_option.yaml"}


# --- the registry is used, and only what it declares is said --------------------------------------

_SAID = re.compile(r"""\b(interpretation|guidance)\(\s*["']([a-z0-9-]+)["']""")


def _said_in_code() -> dict[str, set[str]]:
    said: dict[str, set[str]] = {"interpretation": set(), "guidance": set()}
    for path in [*REPO.glob("knowledge/**/*.py"), *REPO.glob("intents/**/*.py")]:
        for kind, name in _SAID.findall(path.read_text(encoding="utf-8")):
            said[kind].add(name)
    # calculations.invitation() picks its guidance id from a table.
    said["guidance"] |= set(re.findall(r'"([a-z]+-invitation)"', (REPO / "intents/calculations.py").read_text(encoding="utf-8")))
    return said


def test_every_registered_sentence_is_said_and_every_said_one_is_registered(knowledge) -> None:
    said = _said_in_code()
    declared = {
        "interpretation": {i.id for i in knowledge.provenance.interpretations},
        "guidance": {g.id for g in knowledge.provenance.guidance},
    }
    for kind in declared:
        assert said[kind] <= declared[kind], f"{kind} ids said but not in provenance.yaml: {said[kind] - declared[kind]}"
        assert declared[kind] <= said[kind], f"{kind} ids in provenance.yaml that no code says: {declared[kind] - said[kind]}"
