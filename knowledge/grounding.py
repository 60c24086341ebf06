"""Is every sentence the bot can say the handbook's, or marked as the bot's reading?

A sentence is
- **interpretation** when it carries INTERPRETATION_MARK (declared in the data
  with why and the seed lines it rests on: knowledge.models.Interpretation);
- **guidance** when it is one of the bot's sentences about itself
  (knowledge/data/provenance.yaml `guidance`: how to ask for a calculation, a
  person takes over), which state no rule;
- **grounded** when it is found in the seed texts after normalisation, as
  defined below;
- **unmarked** otherwise: an offender, listed with the place in the data (or
  the calculator case) it comes from.

Normalisation (both sides): NFKC, lower case, and only letters and digits
kept, so whitespace, PDF line breaks, punctuation, brackets, bullets (・ • ■ ▶
①→1) and symbols (○ × ～) do not count. URLs are taken out of the sentence and
must each be a URL printed in the seeds (lines rejoined where the PDF broke
them). Values a calculator computes (dates, times of day after a date,
「あと／残り N日」) are taken out too: they split the sentence into segments
and are not looked up, since the handbook cannot contain them; the words around
them are.

Found in the seeds means either
1. every fragment between separators (：／、・（）「」 and spaces) occurs verbatim
   in the seeds — a table cell restructured as 「期間：延長1年」 or
   「1年／1年：ProLiant MicroServer Gen10」; or
2. character 4-gram containment: no run of more than MAX_GAP (6) characters
   lies outside every 4-gram that occurs in the seeds, and either at least
   MIN_COVERAGE (80 %) of the sentence's characters lie inside such 4-grams or
   at most MAX_OUTSIDE_SHORT (4) characters lie outside them (a short sentence:
   「発注可能期間の前です」 is the handbook's term and an ending).

Why 4-grams, 80 % and 6. A 4-gram is about one Japanese word or compound
(発注可能, 終了日当, 営業日前), so a covered character sits in a phrase the
handbook prints; trigrams are too short (「の窓口」「は修理」 occur by chance,
and invented clauses reached 57 % coverage with them). Restructured handbook
text — the FAQ summaries joining two of its sentences, a table row written as a
sentence — keeps the handbook's phrases and adds particles and endings (は、を、
です、の): on the FAQ data those additions stay under 20 % of a sentence and
never run longer than 6 characters (「例えば」, 「(左：…)」); in a sentence of a dozen
characters an ending alone is over 20 %, hence the absolute allowance of 4
characters, which holds a particle and an ending but not a rule. An invented clause is a
run of the bot's own words: the defects quoted in issue 15 leave uncovered runs
of 8–24 characters (「それ以降は修理の窓口です」 19, 「ご契約時に案内される連絡先」 13,
「それより前の発注は無効になり」 10) or coverage of 0–62 %. Both limits reject
every one of those and accept the handbook's own restructurings; the margin is
pinned by tests/knowledge/test_grounding.py. What the check cannot see is a
wrong recombination of the handbook's own phrases (a condition moved to the
wrong row); the numbered defects' tests pin those.
"""

from __future__ import annotations

import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Literal

from knowledge.models import INTERPRETATION_MARK, SEED_FILES, Guidance, split_sentences

SEEDS_ENV = "FAQBOT_SEEDS_DIR"
SEEDS_MISSING = f"原文（seeds）が見つからないため、根拠の確認は行っていません（{SEEDS_ENV} で原文のディレクトリを指定できます）。"
NGRAM = 4
MIN_COVERAGE = 0.8
MAX_GAP = 6
MAX_OUTSIDE_SHORT = 4

Verdict = Literal["grounded", "interpretation", "guidance", "unmarked"]

# Labels the replies put before a part (「計算結果:」「適用したルール: …」): they
# name the part and claim nothing; the text after them is checked.
REPLY_LABELS = ("計算結果", "適用したルール", "前提", "関連", "ご注意", "時間外")
# Computed values: dates (with weekday and time), 「あと12日」「残り72日」「納品から19日」, a deadline's
# 「（過ぎています）」, a desk's
# computed state with its date (「受付中（…まで）」「受付時間外（次の受付開始: …）」)
# and the names of public holidays (jpholiday: 「祝日（勤労感謝の日）」).
_DATE = r"\d{4}年\d{1,2}月\d{1,2}日(?:（[月火水木金土日]）)?(?:\s*\d{1,2}:\d{2})?"
_COMPUTED = re.compile(
    rf"受付(?:中|時間外)(?:（(?:次の受付開始: )?{_DATE}(?:まで)?）|（24時間）)"
    rf"|{_DATE}"
    r"|\d{1,2}月\d{1,2}日（[月火水木金土日]）(?:\s*\d{1,2}:\d{2})?"
    r"|\d{4}-\d{2}-\d{2}"
    r"|(?:あと|残り|納品から)\d+日"
    r"|（過ぎています）"
    r"|(?<=祝日)（[^（）]{1,20}）"
)
# The bot's citations 「（Q23）」「（P20）」「（Q1、Q22）」「（付表 前提条件）」: the reply's pointers, not its claims.
_CITE_TOKEN = r"(?:Q\d{1,2}|P\d{1,2}|付表|ご注意|参照|前提条件|※注\d|ラインアップ)"
_CITATION = re.compile(rf"[（(](?:Q\d{{1,2}}|P\d{{1,2}}|付表)(?:[ 、,]*{_CITE_TOKEN})*[）)]")
_URL = re.compile(r"https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'*+,;=%]+")
_URL_LINE_BREAK = re.compile(r"(https?://[^\s]*-)[ \t]*\r?\n[ \t]*(?=[A-Za-z0-9])")
_FRAGMENT_SEPARATORS = re.compile(r"[\s：:／/、，,・（）()「」『』【】\[\]→~～〜=＝]+")
_LINE_MARKER = re.compile(r"^\s*(?:[・•■▶►※\-]|\d+(?:-[①-⑳])?[.．]|[①-⑳])\s*")
_LABEL = re.compile(rf"^(?:{'|'.join(REPLY_LABELS)})\s*[:：]\s*")


def seeds_dir() -> Path | None:
    """Where the seed texts are: $FAQBOT_SEEDS_DIR, else <repo>/../shared/seeds; None if neither has them."""
    candidates = []
    if os.environ.get(SEEDS_ENV):
        candidates.append(Path(os.environ[SEEDS_ENV]))
    candidates.append(Path(__file__).resolve().parents[2] / "shared" / "seeds")
    for candidate in candidates:
        if all((candidate / name).is_file() for name in SEED_FILES.values()):
            return candidate
    return None


def normalise(text: str) -> str:
    """NFKC, lower case, letters and digits only."""
    text = unicodedata.normalize("NFKC", text).lower()
    return "".join(ch for ch in text if unicodedata.category(ch)[0] in "LN")


def rejoin_urls(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _URL_LINE_BREAK.sub(r"\1", text)
    return text


@dataclass(frozen=True)
class Seeds:
    texts: dict[str, str]  # seed name ("handbook", "firmware") -> raw text

    @classmethod
    def load(cls, directory: Path) -> Seeds:
        return cls({name: (directory / file).read_text(encoding="utf-8") for name, file in SEED_FILES.items()})

    @cached_property
    def normalised(self) -> str:
        # One string per seed, joined by a character no normalised text contains.
        return "\n".join(normalise(text) for text in self.texts.values())

    @cached_property
    def ngrams(self) -> frozenset[str]:
        s = self.normalised
        return frozenset(s[i : i + NGRAM] for i in range(len(s) - NGRAM + 1))

    @cached_property
    def urls(self) -> frozenset[str]:
        found = set()
        for text in self.texts.values():
            found |= {u.rstrip(".,;:)'") for u in _URL.findall(rejoin_urls(text))}
        return frozenset(found)

    def lines(self, seed: str, first: int, last: int) -> str:
        return "\n".join(self.texts[seed].split("\n")[first - 1 : last])

    def contains(self, fragment: str) -> bool:
        return normalise(fragment) in self.normalised


@dataclass(frozen=True)
class Finding:
    sentence: str
    verdict: Verdict
    source: str  # where the text comes from ("faq.yaml Q12 notes[1]", "calculator pwp: 終了日後")
    coverage: float = 1.0
    gap: int = 0  # longest run of characters outside every seed 4-gram
    reason: str = ""


@dataclass
class Report:
    findings: list[Finding] = field(default_factory=list)

    @property
    def counts(self) -> Counter:
        """Distinct sentences per verdict."""
        return Counter(verdict for _, verdict in {(f.sentence, f.verdict) for f in self.findings})

    @property
    def unmarked(self) -> list[Finding]:
        seen: set[str] = set()
        out = []
        for f in self.findings:
            if f.verdict == "unmarked" and f.sentence not in seen:
                seen.add(f.sentence)
                out.append(f)
        return out

    def summary(self) -> list[str]:
        c = self.counts
        return [
            f"根拠のある文（ハンドブックに見つかる）: {c['grounded']}件",
            f"本ボットの解釈（※印つき）: {c['interpretation']}件",
            f"ボット自身の案内（使い方・担当者へのおつなぎ）: {c['guidance']}件",
            f"根拠も印もない文: {c['unmarked']}件",
        ]

    def offenders(self) -> str:
        return "\n".join(
            f"- {f.source}: {f.sentence}  [{f.reason or f'coverage {f.coverage:.2f}, gap {f.gap}'}]"
            for f in self.unmarked
        )


def sentences(text: str) -> list[str]:
    """The sentences of a reply text: lines, without list markers and part labels, cut at 。！？."""
    out = []
    for line in text.split("\n"):
        line = _LABEL.sub("", _LINE_MARKER.sub("", line.strip()))
        for piece in split_sentences(line):
            if normalise(_URL.sub("", piece)) or _URL.search(piece):
                out.append(piece)
    return out


def _segments(sentence: str) -> list[str]:
    text = _URL.sub("\x00", sentence)
    text = _CITATION.sub("\x00", _COMPUTED.sub("\x00", text))
    return [normalise(part) for part in text.split("\x00") if normalise(part)]


def coverage(sentence: str, seeds: Seeds) -> tuple[float, int]:
    """Share of the sentence's characters inside a seed 4-gram, and the longest run outside."""
    share, gap, _ = _coverage(sentence, seeds)
    return share, gap


def _coverage(sentence: str, seeds: Seeds) -> tuple[float, int, int]:
    covered = total = gap = 0
    for segment in _segments(sentence):
        if len(segment) < NGRAM:
            flags = [segment in seeds.normalised] * len(segment)
        else:
            flags = [False] * len(segment)
            for i in range(len(segment) - NGRAM + 1):
                if segment[i : i + NGRAM] in seeds.ngrams:
                    flags[i : i + NGRAM] = [True] * NGRAM
        run = 0
        for flag in flags:
            run = 0 if flag else run + 1
            gap = max(gap, run)
        covered += sum(flags)
        total += len(flags)
    return (covered / total if total else 1.0), gap, total - covered


def _fragments_verbatim(sentence: str, seeds: Seeds) -> bool:
    text = _CITATION.sub(" ", _COMPUTED.sub(" ", _URL.sub(" ", sentence)))
    fragments = [normalise(f) for f in _FRAGMENT_SEPARATORS.split(text)]
    fragments = [f for f in fragments if f]
    return bool(fragments) and all(f in seeds.normalised for f in fragments)


def _guidance_patterns(guidance: Iterable[Guidance]) -> list[re.Pattern[str]]:
    patterns = []
    for g in guidance:
        parts = re.split(r"\{[a-z_]+\}", g.text.rstrip().removesuffix("。"))
        patterns.append(re.compile("^" + "(.+?)".join(re.escape(p) for p in parts) + "。?$"))
    return patterns


def classify(sentence: str, seeds: Seeds, guidance: list[re.Pattern[str]], source: str = "") -> Finding:
    if INTERPRETATION_MARK in sentence:
        return Finding(sentence, "interpretation", source)
    if any(p.match(sentence) for p in guidance):
        return Finding(sentence, "guidance", source)
    bad_urls = [u for u in _URL.findall(sentence) if u.rstrip(".,;:)'") not in seeds.urls]
    if bad_urls:
        return Finding(sentence, "unmarked", source, reason=f"URL not in the seeds: {', '.join(bad_urls)}")
    if _fragments_verbatim(sentence, seeds):
        return Finding(sentence, "grounded", source)
    share, gap, outside = _coverage(sentence, seeds)
    grounded = gap <= MAX_GAP and (share >= MIN_COVERAGE or outside <= MAX_OUTSIDE_SHORT)
    return Finding(sentence, "grounded" if grounded else "unmarked", source, share, gap)


def check(texts: Iterable[tuple[str, str]], seeds: Seeds, guidance: Iterable[Guidance] = ()) -> Report:
    """Classify every sentence of (source, text) pairs."""
    patterns = _guidance_patterns(guidance)
    report = Report()
    cache: dict[str, Finding] = {}
    for source, text in texts:
        for sentence in sentences(text):
            if sentence not in cache:
                cache[sentence] = classify(sentence, seeds, patterns)
            found = cache[sentence]
            report.findings.append(Finding(found.sentence, found.verdict, source, found.coverage, found.gap, found.reason))
    return report


def check_knowledge(knowledge, rendered: Iterable[tuple[str, str]] = ()) -> Report | None:
    """Every text of the knowledge data plus `rendered` (source, text) pairs, against the seeds;
    None when the seed texts are not found (see seeds_dir)."""
    directory = seeds_dir()
    if directory is None:
        return None
    return check([*knowledge_texts(knowledge), *rendered], Seeds.load(directory), knowledge.provenance.guidance)


# --- the data's texts ----------------------------------------------------------------


def knowledge_texts(k) -> list[tuple[str, str]]:
    """Every text of knowledge/data a reply can show, with where it is (file, item, field).

    `k` is a knowledge.loader.Knowledge (not imported here: the loader imports nothing of this module).
    """
    out: list[tuple[str, str]] = []
    for e in k.faq.values():
        here = f"faq.yaml {e.id}"
        out += [(f"{here} title", t) for t in (e.title, *e.alt_titles)]
        out += [(f"{here} summary", e.summary), (f"{here} body", e.body)]
        out += [(f"{here} notes[{i}]", n) for i, n in enumerate(e.notes)]
        out += [(f"{here} links[{i}].title", link.title) for i, link in enumerate(e.links)]
    t = k.tables
    for i, row in enumerate(t.lineup):
        out += [(f"tables.yaml lineup[{i}]", x) for x in (row.service, row.kind, *row.contents, *row.levels, *row.terms, *row.notes)]
    for i, row in enumerate(t.care_comparison):
        here = f"tables.yaml care_comparison[{i}]"
        out += [(here, x) for x in (row.item, row.proactive_care, row.foundation_care, row.note or "")]
    for i, row in enumerate(t.registration_methods):
        out += [(f"tables.yaml registration_methods[{i}]", x) for x in (row.method, row.audience, *row.suited_for)]
    for i, row in enumerate(t.designated_registration):
        out += [(f"tables.yaml designated_registration[{i}]", x) for x in (row.purchase or "", *row.services, row.rule)]
    for i, row in enumerate(t.pwp_states):
        out += [(f"tables.yaml pwp_states[{i}]", x) for x in (row.label, row.meaning)]
    for name in ("lineup_note", "care_comparison_note", "standard_warranty_note"):
        if getattr(t, name):
            out.append((f"tables.yaml {name}", getattr(t, name)))
    for c in k.contacts.values():
        here = f"contacts.yaml {c.id}"
        out += [(f"{here} name", c.name), (f"{here} purpose_label", c.purpose_label), (f"{here} hours.text", c.hours.text)]
        out += [(f"{here} notes[{i}]", n) for i, n in enumerate(c.notes)]
    for w in k.websites.values():
        out += [(f"websites.yaml {w.id} title", w.title)]
        if w.description:
            out.append((f"websites.yaml {w.id} description", w.description))
    f = k.firmware
    out += [("firmware_option.yaml title", f.title), ("firmware_option.yaml summary", f.summary)]
    for i, s in enumerate(f.services):
        out += [(f"firmware_option.yaml services[{i}]", x) for x in (s.name, s.description, s.hours)]
    for name in ("prerequisites", "exclusions", "customer_responsibilities"):
        out += [(f"firmware_option.yaml {name}[{i}]", x) for i, x in enumerate(getattr(f, name))]
    out += [(f"firmware_option.yaml links[{i}].title", link.title) for i, link in enumerate(f.links)]
    return [(source, text) for source, text in out if text]


def reply_texts(source: str, lead: str, details: str, link_titles: Iterable[str] = ()) -> list[tuple[str, str]]:
    """A rendered reply's texts to check: lead, details and link titles.

    Left out: the source line (the citation itself) and the 「読み取った条件」 part,
    which echoes the partner's own inputs back (dates and terms as read from the question).
    """
    kept = []
    skipping = False
    for line in details.split("\n"):
        if line.startswith("読み取った条件"):
            skipping = True
        elif skipping and not line.strip():
            skipping = False
        elif not skipping:
            kept.append(line)
    return [(f"{source} lead", lead), (f"{source} details", "\n".join(kept))] + [
        (f"{source} link", title) for title in link_titles
    ]
