import json
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from ja_timex import TimexParser

from intents.normalize import normalize
from intents.timex import parser, required_characters
from knowledge.loader import load_knowledge

REFERENCE = datetime(2026, 11, 21, 10, 0)
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.mark.parametrize(
    "pattern, required",
    [
        (r"(西暦)?(?P<year>[0-9]{1,4})年(?P<month>1[0-2]|0?[1-9])月", {"年", "月"}),
        (r"(前|まえ)", set()),  # either will do: neither is required
        (r"[0-9]+(ヶ|か|カ)?月(間)?", {"月"}),
        (r"(?:毎)+週(?=末)", {"毎", "週"}),  # a look-ahead's characters are not part of the match
        (r"x{0,3}y", {"y"}),
    ],
)
def test_required_characters(pattern, required):
    assert required_characters(pattern) == required


def _texts() -> list[str]:
    texts = [json.loads(line)["text"] for name in ("dev.jsonl", "holdout.jsonl") for line in (DATA / name).open()]
    texts += [t for examples in load_knowledge().examples.values() for t in examples]
    return [normalize(t) for t in texts]


@pytest.fixture(scope="module")
def parsers():
    return TimexParser(reference=REFERENCE), parser(REFERENCE)


def test_same_results_as_stock_ja_timex_on_every_question_we_hold(parsers):
    stock, fast = parsers
    for text in _texts():
        assert fast.parse(text) == stock.parse(text), text


FRAGMENTS = [
    "2027年3月31日", "令和9年3月31日", "12/25", "来月末", "今日", "明日", "昨日", "先月15日", "3週間後", "半年後",
    "5年", "2年間", "19時", "夜9時", "今", "土曜", "来週の月曜", "毎週", "午前10時半", "年末", "3ヶ月前", "四月一日",
    "平成31年", "1年半前", "保守", "PWP", "の", "、", "DL360 Gen10", "24時間", "2026-11-30", "毎月1日", "朝",
]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6))
def test_same_results_as_stock_ja_timex_on_any_mix_of_expressions(parsers, fragments):
    stock, fast = parsers
    text = normalize("".join(fragments))
    assert fast.parse(text) == stock.parse(text)


def test_one_parser_per_day():
    assert parser(REFERENCE) is parser(REFERENCE.replace(hour=18))
    assert parser(REFERENCE) is not parser(REFERENCE.replace(day=22))
