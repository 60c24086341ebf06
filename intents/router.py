"""route(text, now, context) -> Answer: the one pipeline behind Slack, the CLI and evaluation.

1. normalise, fold synonyms, tokenise; extract entities (dates, terms, moments…);
2. rank intents with the matcher; fold the calculator intents onto their FAQ
   entries when the question carries no date, and the FAQ entries onto their
   calculators when it does (DESIGN.md: a PWP or start-date question with a
   date is answered by the calculator, which cites the entry);
3. calibrate the confidence and decide: answer, did-you-mean or out of scope;
4. build the Answer; a follow-up in a thread recomputes the previous calculation.
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from intents import calculations, question, readings
from intents.answer import Answer, RouteContext
from intents.desks import DeskNames
from intents.entities import Entities, extract
from intents.matcher import IntentDoc, Matcher
from intents.normalize import normalize
from intents.passage_ranking import PassageIndex
from intents.policy import Decision, Policy, default_policy
from intents.replies import INTENT_TITLES, Replies
from intents.tokens import Analysis, Analyzer
from knowledge.calculators.common import CalculatorInputError
from knowledge.loader import Knowledge, load_knowledge
from knowledge.passages import build_passages

# Longer messages are judged on their beginning: a question never needs more,
# and a 40,000-character paste must not cost seconds.
MAX_CHARS = 2000
# A long message's asking sentence read with this confidence decides without matching the whole.
CLEAR_ENOUGH = 0.9
# A follow-up is a short message in a thread ("2年なら？", "確定だったら？").
FOLLOW_UP_MAX_CHARS = 40

PWP_FAMILY = {"pwp", "Q22", "Q23"}
START_FAMILY = {"start-date", "Q19"}
# The intents a thread's calculation can be followed up from, by calculator.
CALCULATOR_FAMILIES = (frozenset(PWP_FAMILY), frozenset(START_FAMILY), frozenset({"contact"}))
# Without a date the calculators fall back to the entry that explains the rule.
CALCULATOR_FALLBACK = {"pwp": "Q22", "start-date": "Q19"}
NOT_SUGGESTED = {"null"}
SMALLTALK = "smalltalk."
CONTACT_EVIDENCE = 0.15
# Words of a question the calculators answer from the warranty (a model's row is an input there).
CALCULATION_WORDS = ("ポストワランティ", "発注", "保守開始")
# A table row the question names (a comparison item, a warranty model with 保証) is evidence for its entry;
# a row and a column both named (a comparison item and a care) name one cell: twice that.
ROW_EVIDENCE = 0.15
CARE_NAMES = ("プロアクティブケア", "ファウンデーションケア")
# Words that ask how to reach someone; with a purpose (修理, 初期不良 …) they make a contact question.
REACH_WORDS = ("電話", "番号", "連絡", "窓口", "問い合わせ", "受付", "繋が", "つなが", "かけ", "メアド", "メール")
# The glossary's canonical form for other vendors' products (Dell, 富士通 …).
OTHER_VENDOR = "他社製品"
HPE_PRODUCT = re.compile(
    r"hpe|proliant|synergy|apollo|aruba|msa|3par|store(?:once|easy|ever|virtual)|nimble|primera|alletra|"
    r"(?<![a-z])(?:dl|ml|bl|sy|xl)\d"
)
# A handbook noun stays domain vocabulary unless out-of-scope examples use it
# this many times more often (relative to class size) than in-scope ones.
IN_SCOPE_FAVOUR = 2.0


@dataclass(frozen=True)
class Classification:
    analysis: Analysis
    entities: Entities
    ranked: list[tuple[str, float]]  # intents with calibrated confidence, best first
    decision: Decision
    raw: tuple[float, float]  # the matcher's top two scores after evidence, before calibration
    on_topic: bool  # the question uses the handbook's vocabulary
    other_vendor: bool  # it names another vendor's product and no HPE one
    # A long message's asking sentence (intents/question.py): what its passages are ranked by.
    asked: Analysis | None = None

    @property
    def top(self) -> tuple[str, float]:
        return self.ranked[0]


def intent_docs(knowledge: Knowledge) -> list[IntentDoc]:
    """The knowledge as matcher input: examples, the handbook's own titles, each intent's words."""
    docs = []
    for intent, examples in knowledge.examples.items():
        if intent in knowledge.faq:
            entry = knowledge.faq[intent]
            titles = [t for t in (entry.title, *entry.alt_titles) if t not in examples]
            docs.append(IntentDoc(intent, [*examples, *titles], " ".join([*titles, entry.summary])))
        else:
            docs.append(IntentDoc(intent, examples, INTENT_TITLES.get(intent, "")))
    return docs


def domain_vocabulary(knowledge: Knowledge, analyzer: Analyzer, matcher: Matcher) -> frozenset[str]:
    """The handbook's own terms: the nouns of FAQ titles and summaries, contact and
    site names, and every glossary term, as they read after synonym folding.

    A term is dropped when the out-of-scope examples use it relatively more often
    than the in-scope ones (サーバー, HPE, 価格 name things partners also ask about
    out of scope). A question containing none of these terms is not about support
    services, however close it comes to an example (a DL380's price). Terms are
    matched as substrings of the folded question, so a compound Sudachi splits
    (価格表 -> 価格 / 表) still counts.
    """
    texts: list[str] = [t for e in knowledge.faq.values() for t in (e.title, *e.alt_titles, e.summary)]
    texts += [f"{c.name} {c.purpose_label}" for c in knowledge.contacts.values()]
    texts += [w.title for w in knowledge.websites.values()]
    texts += [knowledge.firmware.title, knowledge.firmware.summary, *INTENT_TITLES.values()]
    terms = {term for text in texts for term in analyzer.terms(text)}
    terms |= {term for g in knowledge.glossary if len(term := analyzer.fold_synonyms(normalize(g.canonical))) >= 2}
    # The teaching examples only: the FAQ titles the matcher also holds are the handbook's side.
    examples = {(intent, text) for intent, texts in knowledge.examples.items() for text in texts}
    folded = [(intent, f) for intent, text, f in matcher.example_folded if (intent, text) in examples]
    in_scope = [f for intent, f in folded if intent != "null"]
    out_of_scope = [f for intent, f in folded if intent == "null"]

    def share(term: str, texts: list[str]) -> float:
        return sum(term in text for text in texts) / max(1, len(texts))

    return frozenset(t for t in terms if IN_SCOPE_FAVOUR * share(t, in_scope) >= share(t, out_of_scope))


class Pipeline:
    def __init__(self, knowledge: Knowledge, analyzer: Analyzer, matcher: Matcher, policy: Policy):
        self.knowledge = knowledge
        self.analyzer = analyzer
        self.matcher = matcher
        self.policy = policy
        self.replies = Replies(knowledge, PassageIndex(build_passages(knowledge), analyzer))
        self._row_names = [(analyzer.fold_synonyms(normalize(row.item)), "Q3") for row in knowledge.tables.care_comparison]
        self.desks = DeskNames(knowledge.contacts, lambda name: analyzer.fold_synonyms(normalize(name)))
        self.vocabulary = domain_vocabulary(knowledge, analyzer, matcher)
        # The vocabulary by each term's first two characters (every term has at least two):
        # finding one in a question is a look-up per position, not a scan of every term.
        self._vocabulary_at: dict[str, list[str]] = {}
        for term in self.vocabulary:
            self._vocabulary_at.setdefault(term[:2], []).append(term)

    @classmethod
    def build(cls, knowledge: Knowledge | None = None, policy: Policy | None = None) -> Pipeline:
        knowledge = knowledge or load_knowledge()
        analyzer = Analyzer(knowledge.glossary)
        return cls(knowledge, analyzer, Matcher(intent_docs(knowledge), analyzer), policy or default_policy())

    # --- classification ------------------------------------------------------

    def classify(self, text: str, now: datetime) -> Classification:
        text = text[:MAX_CHARS]
        analysis = self.analyzer.analyze(text)
        # Romaji and misconverted kanji are read back into the handbook's words (intents/readings.py).
        retyped = readings.romaji_to_kana(analysis.normalized) or readings.correct_misconversions(
            analysis.normalized, self.vocabulary, self.analyzer.is_word
        )
        if retyped is not None:
            text, analysis = retyped, self.analyzer.analyze(retyped)
        entities = extract(analysis.normalized, now)
        # A long message is matched whole and, unless that reads clearly, on its asking
        # sentence alone too; the clearer of the two decides, so long and short phrasings
        # of one question decide alike (and a clear one costs one match).
        views = [analysis]
        asked = self.analyzer.analyze(sentence) if (sentence := question.focus(text)) is not None else None
        if asked is not None:
            views.append(asked)
        ranked: list[tuple[str, float]] = []
        top, second = 0.0, 0.0
        for reading in views:
            raw = [(s.intent, s.score) for s in self.matcher.rank(reading)]
            other, pair = self._calibrated(raw, entities, analysis.normalized)
            if not ranked or other[0][1] > ranked[0][1]:
                ranked, (top, second) = other, pair
            if ranked[0][1] >= CLEAR_ENOUGH:
                break
        on_topic = self._on_topic(analysis)
        other_vendor = OTHER_VENDOR in analysis.normalized and not HPE_PRODUCT.search(analysis.normalized)
        decision = self.policy.decide(ranked, on_topic, other_vendor)
        return Classification(analysis, entities, ranked, decision, (top, second), on_topic, other_vendor, asked)

    def _calibrated(
        self, raw: list[tuple[str, float]], entities: Entities, normalized: str
    ) -> tuple[list[tuple[str, float]], tuple[float, float]]:
        """Intents with calibrated confidence, best first, and the raw top two scores."""
        weighed = self._weigh_rows(self._weigh_evidence(raw, entities, normalized), normalized)
        ranked = self._fold_calculators(weighed, entities)
        calibration = self.policy.calibration
        top, second = ranked[0][1], ranked[1][1] if len(ranked) > 1 else 0.0
        confidences = [calibration.confidence(top, second)]
        # The others' confidence: each as if it were on top, against the best.
        confidences += [calibration.confidence(score, top) for _, score in ranked[1:]]
        return [(intent, conf) for (intent, _), conf in zip(ranked, confidences, strict=True)], (top, second)

    def _on_topic(self, analysis: Analysis) -> bool:
        """Whether the question uses the handbook's vocabulary, allowing one typo in a word (登禄, 登緑)."""
        text = analysis.normalized
        for i in range(len(text) - 1):
            if any(text.startswith(term, i) for term in self._vocabulary_at.get(text[i : i + 2], ())):
                return True
        return any(
            process.extractOne(t, self.vocabulary, scorer=Levenshtein.distance, score_cutoff=1) is not None
            for t in analysis.tokens
            if len(t) >= 3 and not t.isascii()
        )

    def _weigh_evidence(self, raw: list[tuple[str, float]], entities: Entities, normalized: str) -> list[tuple[str, float]]:
        """Entity evidence on top of text similarity: a purpose (修理, 初期不良 …) or a
        desk's name (PIC, 時間外窓口) with a moment (今, 19時, 土曜) or a word of reaching
        someone (電話, 窓口) is a question of whom to call and whether they are open."""
        asks_to_reach = entities.moment is not None or any(w in normalized for w in REACH_WORDS)
        if not (asks_to_reach and (entities.purposes or self.desks.find(normalized))):
            return raw
        return [(i, min(1.0, s + CONTACT_EVIDENCE) if i == "contact" else s) for i, s in raw]

    def _weigh_rows(self, raw: list[tuple[str, float]], normalized: str) -> list[tuple[str, float]]:
        """Passage evidence: a row of a table named in the question points to the entry that prints it."""
        named = {intent for name, intent in self._row_names if name in normalized}
        if self.replies.lineup_row_named(normalized):
            named.add("Q1")
        # A model's standard warranty, not what a paid service adds to it (Q2), nor a date computed
        # from it (the PWP window after the warranty ends, the start of maintenance).
        asks_warranty = "保証" in normalized and not any(
            word in normalized for word in (*CARE_NAMES, *CALCULATION_WORDS)
        )
        if asks_warranty and self.replies.models.match(normalized).series:
            named.add("Q4")
        if not named:
            return raw
        cell = "Q3" in named and any(care in normalized for care in CARE_NAMES)
        evidence = {i: 2 * ROW_EVIDENCE if cell and i == "Q3" else ROW_EVIDENCE for i in named}
        weighed = [(i, min(1.0, s + evidence[i]) if i in named else s) for i, s in raw]
        return sorted(weighed, key=lambda item: item[1], reverse=True)

    @staticmethod
    def _fold_calculators(raw: list[tuple[str, float]], entities: Entities) -> list[tuple[str, float]]:
        """Map intents onto what can actually answer, keeping each target's best score."""
        has_date = bool(entities.dates)
        best: dict[str, float] = {}
        for intent, score in raw:
            if has_date and intent in PWP_FAMILY:
                target = "pwp"
            elif has_date and intent in START_FAMILY:
                target = "start-date"
            elif not has_date and intent in CALCULATOR_FALLBACK:
                target = CALCULATOR_FALLBACK[intent]
            else:
                target = intent
            if score > best.get(target, -1.0):
                best[target] = score
        return sorted(best.items(), key=lambda item: item[1], reverse=True)

    # --- answering -------------------------------------------------------------

    def route(self, text: str, now: datetime, context: RouteContext | None = None) -> Answer:
        if not text or not text.strip():
            return self.replies.notice(
                "ご質問の内容が空でした。ご質問を文章でお送りください。",
                "例: 「ポストワランティはいつまで買える？」「修理の電話番号は？」",
            )
        c = self.classify(text, now)
        if not c.analysis.normalized:
            return self.replies.notice(
                "ご質問の文字を読み取れませんでした（絵文字やメンションだけのメッセージ）。",
                "ご質問を文章でお送りください。例: 「CSNのIDはどう取る？」",
            )
        if c.entities.invalid_dates:
            shown = "、".join(c.entities.invalid_dates)
            return self.replies.notice(
                f"「{shown}」は存在しない日付のため、計算できません。",
                "日付をご確認のうえ、もう一度お送りください。例: 2027-03-31、2027年3月31日、令和9年3月31日",
            )
        if c.other_vendor:
            return self.replies.other_vendor(c.top[1], self._suggestions(c))
        if context and context.last and (follow_up := self._follow_up(text, c, context.last, now)):
            return follow_up
        alternatives = self._suggestions(c)
        intent, confidence = c.top
        if c.decision == "out_of_scope":
            return self.replies.out_of_scope(confidence, alternatives)
        if c.decision == "did_you_mean":
            return self.replies.did_you_mean(confidence, alternatives)
        return self._answer(intent, confidence, alternatives, c.entities, c.analysis, now, c.asked)

    def answer_intent(self, intent: str, now: datetime, entities: Entities | None = None) -> Answer:
        """Answer a chosen intent directly (a did-you-mean button, an App Home index)."""
        if intent not in self.knowledge.examples and intent not in self.knowledge.faq:
            raise KeyError(intent)
        return self._answer(intent, 1.0, [], entities or Entities(), None, now)

    def _suggestions(self, c: Classification):
        ranked = [(i, s) for i, s in c.ranked if i not in NOT_SUGGESTED][: self.policy.suggestions]
        return self.replies.candidates(ranked)

    def _answer(
        self,
        intent: str,
        confidence: float,
        alternatives,
        entities: Entities,
        analysis: Analysis | None,
        now: datetime,
        asked: Analysis | None = None,
    ) -> Answer:
        normalized = analysis.normalized if analysis else ""
        desk = self.desks.find(normalized) if intent == "contact" else None
        if desk is None and intent == "contact" and not entities.purposes and analysis and self.replies.names_one(
            intent, asked or analysis
        ):
            # A desk passage clearly asked about without a purpose: that desk, not the list.
            return self.replies.entry(intent, analysis, confidence, alternatives, asked=asked)
        try:
            calculated = calculations.from_entities(intent, entities, normalized, now, confidence, alternatives, desk)
        except calculations.MissingInput as exc:
            fallback = CALCULATOR_FALLBACK.get(intent, intent)
            return self.replies.entry(fallback, analysis, confidence, alternatives, extra=str(exc), asked=asked)
        except CalculatorInputError as exc:
            return self.replies.notice(str(exc))
        if calculated is not None:
            return calculated
        intent = CALCULATOR_FALLBACK.get(intent, intent)
        if intent in self.knowledge.faq or intent in ("websites", "fw-option"):
            return self.replies.entry(
                intent, analysis, confidence, alternatives, extra=calculations.invitation(intent), asked=asked
            )
        if intent.startswith(SMALLTALK):
            return self.replies.smalltalk(intent, confidence, alternatives)
        return self.replies.out_of_scope(confidence, alternatives)

    def _follow_up(self, text: str, c: Classification, last: Answer, now: datetime) -> Answer | None:
        """Recompute the thread's last calculation with what this short message changes.

        Only when the message is short and the matcher is not confident it is
        a new question: 「2年なら？」 after a PWP answer, 「2027/4/30です」 after
        the Q22 entry invited a date.
        """
        if len(text) > FOLLOW_UP_MAX_CHARS:
            return None
        # A confident question for another calculator (修理の電話番号 after a PWP answer) is a new question.
        if c.decision == "answer" and _family(c.top[0]) != _family(last.calculator or last.intent):
            return None
        try:
            return calculations.follow_up(last, c.entities, c.analysis.normalized, now)
        except CalculatorInputError as exc:
            return self.replies.notice(str(exc))


def _family(intent: str | None) -> frozenset[str] | None:
    return next((family for family in CALCULATOR_FAMILIES if intent in family), None)


_current: Pipeline | None = None
_lock = threading.Lock()


def default_pipeline() -> Pipeline:
    """The process's pipeline, built on first use from the knowledge files."""
    global _current
    if _current is None:
        with _lock:
            if _current is None:
                _current = Pipeline.build()
    return _current


def rebuild(taught: Mapping[str, Sequence[str]]) -> Pipeline:
    """Rebuild the pipeline with examples taught at run time merged into the YAML ones,
    and make it the one route() uses. Questions already being answered finish on
    the old pipeline; the swap is a single assignment.

    `taught` maps intent ids (including "null" for out of scope) to example questions.
    """
    global _current
    knowledge = load_knowledge()
    unknown = set(taught) - set(knowledge.examples)
    if unknown:
        raise KeyError(f"unknown intents: {', '.join(sorted(unknown))}")
    examples = {
        intent: list(dict.fromkeys([*texts, *taught.get(intent, ())])) for intent, texts in knowledge.examples.items()
    }
    pipeline = Pipeline.build(dataclasses.replace(knowledge, examples=examples))
    with _lock:
        _current = pipeline
    return pipeline


def route(text: str, now: datetime, context: RouteContext | None = None) -> Answer:
    return default_pipeline().route(text, now, context)


def answer_intent(intent_id: str, now: datetime) -> Answer:
    return default_pipeline().answer_intent(intent_id, now)
