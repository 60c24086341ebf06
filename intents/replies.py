"""Answers built from the knowledge: FAQ entries, the site list, the firmware
option, small talk, did-you-mean and out-of-scope replies.

Slack threads are read on phones: the direct answer comes first, details
after, the source last (Q number, page, handbook revision).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from functools import lru_cache

from intents import leads
from intents.answer import Answer, Candidate
from intents.normalize import normalize
from intents.passage_ranking import PassageIndex, Ranking, answers_nothing
from intents.tokens import Analysis, Analyzer
from intents.warranty_models import WarrantyModels
from knowledge.calculators.common import FIRMWARE_SPEC_TITLE, handbook_citation
from knowledge.loader import HANDBOOK_AS_OF, Knowledge
from knowledge.passages import FIRMWARE_SEED, URL, Passage, sections

INTENT_TITLES = {
    "contact": "お問い合わせ窓口（電話番号・受付時間）",
    "websites": "各種ツール、ウェブサイト情報",
    "fw-option": "プロアクティブケア ファームウェアアップデートオプション",
    "pwp": "ポストワランティサービスの発注可能期間（計算）",
    "start-date": "保守開始日・終了日・購入期限（計算）",
    "smalltalk.greeting": "あいさつ",
    "smalltalk.thanks": "お礼",
    "smalltalk.capabilities": "このボットでできること",
}

EXAMPLE_QUESTIONS = (
    "保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか",
    "2026/5/10に購入したサーバーに5年の保守を付けたら、いつまで？",
    "スイッチが壊れた、今電話して修理頼める？",
    "CSNのIDはどうやって取るの？",
)

CAPABILITIES = (
    "HPE サポートサービスについて、パートナー様向けハンドブック（Rev.20181101）に沿ってお答えします。\n"
    "・サポートサービスの内容、購入前・購入後の手続き、登録方法、ポストワランティ\n"
    "・保守開始日・終了日の計算（購入日と年数を書いてください）\n"
    "・ポストワランティの発注可能期間の計算（保証・契約の終了日を書いてください）\n"
    "・目的に合ったお問い合わせ窓口と、今つながるかどうか\n"
    "コマンド: /pwp 2027-03-31 2年、/contact 修理 サーバー、/faq 質問\n"
    "例:\n" + "\n".join(f"・{q}" for q in EXAMPLE_QUESTIONS)
)

# The lead of an entry without a summary (the site list, the desks) when the question names no one item.
LISTING_LEADS = {
    "websites": "各種ツール、ウェブサイト情報です。",
    "contact": "目的別のお問い合わせ窓口です。",
}
# At most this many lines and characters of details under the lead: a Slack thread stays short.
DETAIL_LINES = 6
DETAIL_CHARS = 240
_SENTENCE = re.compile(r"[^。\n]+。?")
_NOT_COMPARED = re.compile(r"[\s・※■。、:：()（）]+")
# "Q23 (P18)" as a desk's provenance reads "Q23 / P18" in a citation.
_PAGE_IN_PARENS = re.compile(r" [(（]P(\d+)[)）]")
# Sentences shorter than this (labels, 「手順」) may recur without saying anything twice.
MIN_SENTENCE = 8
# A line that sends the reader to the sites printed after it (「詳細は下記URLをご覧ください」).
_POINTS_AHEAD = re.compile(r"(?:以下|下記)(?:の)?[^。]{0,15}?(?:URL|サイト|Webページ|ウェブサイト|ページ)")
# At most this many sites follow such a line into the lead.
MAX_REFERENTS = 2


def _key(text: str) -> str:
    return _NOT_COMPARED.sub("", unicodedata.normalize("NFKC", text)).lower()


@lru_cache(maxsize=4096)
def _said(text: str) -> tuple[tuple[str, ...], frozenset[str]]:
    """A passage's sentences as compared for repetition, and its URLs (passages recur: cached)."""
    return tuple(k for s in _SENTENCE.findall(text) if len(k := _key(s)) >= MIN_SENTENCE), frozenset(URL.findall(text))


def _referents(passage: Passage, passages: list[Passage]) -> list[Passage]:
    """The sites a line points ahead to, when it does and gives no URL itself: they are its answer."""
    if URL.search(passage.text) or not _POINTS_AHEAD.search(passage.text):
        return []
    after = passages[passage.position + 1 :]
    taken: list[Passage] = []
    for p in after[:MAX_REFERENTS]:
        if not URL.search(p.text):
            break
        taken.append(p)
    return taken


def _shown(passage: Passage) -> str:
    """A passage as said out of its place, with its section where that is part of what it says."""
    return f"{leads.section(passage)}{passage.text}"


# A site as a passage gives it: 「・サポートサービスセントラル：http://…」.
_SITE = re.compile(r"^・?(?P<title>[^:：]+?)\s*[:：]\s*(?P<url>https?://\S+)$")


def _named_sites(lead: str, passages: list[Passage], taken: list[Passage]) -> list[Passage]:
    """The entry's site the lead names without its URL (「サポートサービスセントラルをご利用ください」):
    a partner told of a tool wants its link. At most one, the first the lead names."""
    urls = set(URL.findall(lead)) | {u for p in taken for u in URL.findall(p.text)}
    for p in passages:
        site = _SITE.match(p.text.strip())
        if site and site["title"] in lead and site["url"] not in urls:
            return [p]
    return []


def _pointed_from(passage: Passage, passages: list[Passage]) -> Passage:
    """A bare URL is said with the line that points to it (「詳細は下記URLをご覧ください」), which
    brings it along (_referents); any other passage stands as it is."""
    before = passages[passage.position - 1] if passage.position > 0 else None
    if before is not None and URL.fullmatch(passage.plain.strip()) and _referents(before, passages):
        return before
    return passage


def _details(candidates: list[Passage], used: list[Passage], lead: str, skip: frozenset[str]) -> list[Passage]:
    """The first candidates that fit in the budget and say nothing the reply already says, in entry order.

    Rows of a table the lead quotes are left out: they answer for other models or items; so
    are titles and pointers to other entries (the whole entry shows them in place).
    """
    said = _key(lead)
    urls = set(URL.findall(lead))
    tables = skip | {p.ref.rsplit("/", 1)[0] for p in used if p.ref}
    used_ids = {p.id for p in used}
    taken: list[Passage] = []
    lines_left, chars_left = DETAIL_LINES, DETAIL_CHARS
    for p in candidates:
        if p.id in used_ids or p.kind == "summary" or answers_nothing(p) or (p.ref and p.ref.rsplit("/", 1)[0] in tables):
            continue
        sentences, found = _said(p.text)
        lines = p.text.count("\n") + 1
        if lines > lines_left or len(p.text) > chars_left or found & urls or any(k in said for k in sentences):
            continue
        taken.append(p)
        said += "".join(sentences)
        urls |= found
        lines_left -= lines
        chars_left -= len(p.text)
        if not lines_left:
            break
    return sorted(taken, key=lambda p: p.position)


def _own_words(desks: list[Passage], analyzer: Analyzer) -> dict[str, frozenset[str]]:
    """Per desk passage, the words of two or more characters in its first line (name and purpose)
    that no other desk's first line has: what names that desk rather than desks in general."""
    words = {p.id: frozenset(analyzer.analyze(p.text.split("\n", 1)[0]).tokens) for p in desks}
    counts = Counter(t for tokens in words.values() for t in tokens)
    return {
        desk: frozenset(t for t in tokens if counts[t] == 1 and len(t) > 1 and not t.isdigit())
        for desk, tokens in words.items()
    }


SMALLTALK = {
    "smalltalk.greeting": "こんにちは。HPE サポートサービスについてのご質問にお答えします。",
    "smalltalk.thanks": "どういたしまして。ほかにもご不明な点があれば、いつでもこのスレッドでお尋ねください。",
    "smalltalk.capabilities": "このボットでできることをご案内します。",
}


class Replies:
    def __init__(self, knowledge: Knowledge, index: PassageIndex | None = None):
        """`index` is needed to answer with an entry; titles and notices work without it."""
        self.k = knowledge
        self.index = index
        self.models = WarrantyModels(knowledge.tables)
        # Q1's rows by the service's names (without "HPE ") and the kind of service, normalised.
        self._lineup_rows = [
            (
                [normalize(name.removeprefix("HPE ").strip()) for name in row.service.split("/")],
                normalize(row.kind),
                p,
            )
            for p in (index.passages["Q1"] if index else [])
            if p.ref.startswith("lineup/") and (row := knowledge.tables.lineup[int(p.ref.split("/")[1])])
        ]
        # Each desk's own words: its name's and purpose's tokens that no other desk's name has.
        self._desk_words = _own_words(index.passages["contact"], index.analyzer) if index else {}
        # Q3's rows by their item as the question would read after normalisation.
        self._comparison_rows = [
            (normalize(knowledge.tables.care_comparison[int(p.ref.split("/")[1])].item), p)
            for p in (index.passages["Q3"] if index else [])
            if p.ref.startswith("care_comparison/")
        ]

    def title(self, intent: str) -> str:
        if intent in self.k.faq:
            return f"{intent} {self.k.faq[intent].title}"
        return INTENT_TITLES.get(intent, intent)

    def candidates(self, ranked: list[tuple[str, float]]) -> list[Candidate]:
        return [Candidate(intent=i, score=round(s, 4), title=self.title(i)) for i, s in ranked]

    def entry(
        self,
        intent: str,
        analysis: Analysis | None,
        confidence: float,
        alternatives: list[Candidate],
        extra: str = "",
        asked: Analysis | None = None,
    ) -> Answer:
        """A FAQ entry, the site list or the firmware option, shaped to the question.

        `asked` is a long message's asking sentence: its passages are ranked by it, and it
        says whether the question asks yes or no (the background's words would blur both);
        the whole message still names the rows (a model, a service) the lead quotes.

        The lead states what was asked when a passage settles it (leads.py), else the
        entry's summary; then at most DETAIL_LINES lines of the passages the question is
        about, no sentence or URL said twice; the source last. The whole entry goes
        into `sections`, for a 「全文を見る」 view.
        """
        if self.index is None:
            raise RuntimeError("Replies needs a PassageIndex to answer with an entry")
        passages = self.index.passages[intent]
        question = asked or analysis
        ranking = self.index.rank(intent, question) if question else None
        lead = (
            self._lead(intent, analysis.normalized, question.normalized, ranking)
            if analysis and question and ranking
            else None
        )
        summary = next((p for p in passages if p.kind == "summary"), None)
        if lead is None:
            lead_text = summary.text if summary else LISTING_LEADS[intent]
            used = [summary] if summary else []
            # No passage clearly wins, but the question asks more than the summary says: the
            # passage that comes closest is said right under it, in the lead paragraph.
            nearest = ranking.best_specific() if ranking else None
            if nearest is not None and nearest.kind != "summary" and nearest.plain not in lead_text:
                used = [*used, nearest]
                lead_text = f"{lead_text}\n{_shown(nearest)}"
        else:
            # A space after a URL: Slack would take the bracket into the link.
            gap = " " if URL.search(lead.text.split("\n")[-1].split()[-1]) else ""
            lead_text = f"{lead.text}{gap}（{self._short_citation(intent, lead)}）"
            used = lead.passages
        # A line that points to the sites after it is said with them (the URL after the citation:
        # Slack would take a bracket right after a URL into the link).
        pointed = [r for p in used[-1:] for r in _referents(p, passages) if r.plain not in lead_text]
        pointed += _named_sites(lead_text, passages, pointed)
        if pointed:
            lead_text = "\n".join([lead_text, *(r.text for r in pointed)])
            used = [*used, *pointed]
        order = ranking.best_first() if ranking else []
        skip = lead.tables if lead else frozenset()
        details = _details(order or [p for p in passages if p.kind != "summary"], used, lead_text, skip)
        if extra:
            lead_text = f"{lead_text}\n\n{extra}"
        full = self._whole(intent)
        return Answer(
            kind="answer",
            intent=intent,
            confidence=confidence,
            title=self.title(intent),
            lead=lead_text,
            details="\n".join(_shown(p) for p in details),
            source=self._source(intent, lead),
            alternatives=alternatives,
            passages=[*used, *details],
            sections=full,
        )

    @lru_cache(maxsize=64)  # noqa: B019 - one Replies per pipeline, a few dozen entries
    def _whole(self, intent: str) -> list[tuple[str, str]]:
        """The whole entry as (heading, text) sections, with the entries it refers to."""
        assert self.index is not None  # entry() checked
        full = sections(self.index.passages[intent])
        if intent in self.k.faq and self.k.faq[intent].see_also:
            full.append(("関連", "\n".join(f"・{self.title(q)}" for q in self.k.faq[intent].see_also)))
        return full

    def _lineup_row(self, normalized: str) -> Passage | None:
        """Q1: the one row of the service (and kind of service) the question names."""
        named = [
            (kind, p) for services, kind, p in self._lineup_rows if any(service in normalized for service in services)
        ]
        of_kind = [p for kind, p in named if kind in normalized]
        rows = of_kind or [p for _, p in named]
        return rows[0] if len(rows) == 1 else None

    def lineup_row_named(self, normalized: str) -> bool:
        """Whether the question names a service and its kind (a cell of the Q1 lineup)."""
        return any(
            kind in normalized and any(service in normalized for service in services)
            for services, kind, _ in self._lineup_rows
        )

    def names_one(self, intent: str, analysis: Analysis) -> bool:
        """Whether one desk clearly answers the question and the question says one of its own
        words (「ライセンス」, 「Aruba」), not only words every desk has (電話, 連絡先): a phone
        number is given for the desk asked about, never for one a common word ranked first."""
        if self.index is None:
            return False
        winner = self.index.rank(intent, analysis).winner()
        if winner is None:
            return False
        own = self._desk_words.get(winner.id, frozenset())
        return any(token in own for token in analysis.tokens)

    def _lead(self, intent: str, normalized: str, question: str, ranking: Ranking) -> leads.Lead | None:
        """`normalized` is the whole message (the rows it names), `question` its asking sentence."""
        if intent == "Q4" and (lead := leads.warranty_lead(self.k, self.models.match(normalized), ranking)):
            return lead
        # A comparison item named in the question selects its row, though the summary names it too.
        if intent == "Q3" and (row := leads.named_row(self._comparison_rows, normalized)):
            return leads.comparison_lead(self.k, row, question)
        if intent == "Q1" and (row := self._lineup_row(normalized)):
            return leads.lineup_lead(self.k, row)
        if intent == "Q11" and (lead := leads.registration_lead(self.k, ranking.passages, normalized, question)):
            return lead
        winner = ranking.winner()
        if winner is None:
            return None
        assert self.index is not None  # entry() checked
        winner = _pointed_from(winner, self.index.passages[intent])
        if winner.ref.startswith("care_comparison/"):
            return leads.comparison_lead(self.k, winner, question)
        if winner.ref.startswith("contacts/"):
            return leads.desk_lead(self.k, winner)
        if winner.ref.startswith("lineup/"):
            return leads.lineup_lead(self.k, winner)
        if winner.entry == "fw-option":
            return leads.firmware_lead(winner, question)
        summary = next((p.text for p in self.index.passages[intent] if p.kind == "summary"), "")
        return leads.passage_lead(winner, summary)

    def _short_citation(self, intent: str, lead: leads.Lead) -> str:
        if intent in self.k.faq:
            return f"{intent} / P{self.k.faq[intent].page} / {HANDBOOK_AS_OF}"
        desk = lead.passages[0] if intent == "contact" and lead.passages else None
        if intent == "fw-option" or (desk and desk.seed == FIRMWARE_SEED):
            return "ファームウェアアップデートオプション付表"
        if desk and desk.source:
            provenance = _PAGE_IN_PARENS.sub(r" / P\1", desk.source)
            return f"{provenance} / {HANDBOOK_AS_OF}"
        return f"P{20 if intent == 'contact' else 19} / {HANDBOOK_AS_OF}"

    def _source(self, intent: str, lead: leads.Lead | None) -> str:
        if intent in self.k.faq:
            return handbook_citation(intent, self.k.faq[intent].page).source
        desk = lead.passages[0] if intent == "contact" and lead and lead.passages else None
        if intent == "fw-option" or (desk and desk.seed == FIRMWARE_SEED):
            return FIRMWARE_SPEC_TITLE
        if desk and desk.page and desk.page != 20 and desk.source:
            # A desk the FAQ names (Q23's contact center): that entry, not the P20 table.
            return handbook_citation(desk.source.split(" ")[0], desk.page).source
        if intent == "contact":
            return handbook_citation(None, 20, label="お問い合わせ窓口情報").source
        return handbook_citation(None, 19, label="各種ツール、ウェブサイト情報").source

    def smalltalk(self, intent: str, confidence: float, alternatives: list[Candidate]) -> Answer:
        return Answer(
            kind="smalltalk",
            intent=intent,
            confidence=confidence,
            title=INTENT_TITLES[intent],
            lead=SMALLTALK[intent],
            details=CAPABILITIES if intent != "smalltalk.thanks" else "",
            alternatives=alternatives,
        )

    def did_you_mean(self, confidence: float, alternatives: list[Candidate]) -> Answer:
        choices = "\n".join(f"・{c.title}" for c in alternatives)
        return Answer(
            kind="did_you_mean",
            intent=None,
            confidence=confidence,
            title="もしかして",
            lead="ご質問の意図を絞り込めませんでした。次のどれについてのご質問でしょうか？",
            details=f"{choices}\n\nどれにも当てはまらない場合は、担当者におつなぎします。",
            alternatives=alternatives,
            offer_human=True,
        )

    def out_of_scope(self, confidence: float, alternatives: list[Candidate]) -> Answer:
        return Answer(
            kind="out_of_scope",
            intent=None,
            confidence=confidence,
            title="お答えできないご質問",
            lead=(
                "申し訳ありません。このご質問はパートナー様向けサポートサービス ハンドブックの範囲外のため、"
                "ボットではお答えできません。担当者におつなぎできます。"
            ),
            details="ハンドブックの範囲のご質問例:\n" + "\n".join(f"・{q}" for q in EXAMPLE_QUESTIONS),
            alternatives=alternatives,
            offer_human=True,
        )

    def other_vendor(self, confidence: float, alternatives: list[Candidate]) -> Answer:
        return Answer(
            kind="out_of_scope",
            intent=None,
            confidence=confidence,
            title="他社製品についてのご質問",
            lead=(
                "申し訳ありません。このボットがお答えできるのは、HPE 製品向けの HPE サポートサービスについて"
                "（パートナー様向けハンドブックの範囲）だけです。他社製品の保守や窓口はお答えできません。"
            ),
            details="HPE 製品についてのご質問でしたら、製品名を添えてもう一度お送りください。担当者におつなぎすることもできます。",
            alternatives=alternatives,
            offer_human=True,
        )

    def notice(self, lead: str, details: str = "", source: str | None = None) -> Answer:
        """A reply that is not a match: empty input, impossible dates, bad calculator input."""
        return Answer(kind="out_of_scope", intent=None, confidence=0.0, title="ご確認ください", lead=lead, details=details, source=source)
