"""Answers built from the knowledge: FAQ entries, the site list, the firmware
option, small talk, did-you-mean and out-of-scope replies.

Slack threads are read on phones: the direct answer comes first, details
after, the source last (Q number, page, handbook revision).
"""

from __future__ import annotations

from intents.answer import Answer, Candidate
from knowledge.calculators.common import FIRMWARE_SPEC_TITLE, handbook_citation
from knowledge.loader import Knowledge
from knowledge.models import FaqEntry

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

SMALLTALK = {
    "smalltalk.greeting": "こんにちは。HPE サポートサービスについてのご質問にお答えします。",
    "smalltalk.thanks": "どういたしまして。ほかにもご不明な点があれば、いつでもこのスレッドでお尋ねください。",
    "smalltalk.capabilities": "このボットでできることをご案内します。",
}


class Replies:
    def __init__(self, knowledge: Knowledge):
        self.k = knowledge

    def title(self, intent: str) -> str:
        if intent in self.k.faq:
            return f"{intent} {self.k.faq[intent].title}"
        return INTENT_TITLES.get(intent, intent)

    def candidates(self, ranked: list[tuple[str, float]]) -> list[Candidate]:
        return [Candidate(intent=i, score=round(s, 4), title=self.title(i)) for i, s in ranked]

    def faq(self, entry: FaqEntry, confidence: float, alternatives: list[Candidate], extra: str = "") -> Answer:
        details = [entry.body.strip()]
        if entry.notes:
            details.append("ご注意:\n" + "\n".join(f"・{n}" for n in entry.notes))
        if entry.see_also:
            details.append("関連: " + "、".join(self.title(q) for q in entry.see_also))
        lead = entry.summary.strip()
        if extra:
            lead = f"{lead}\n\n{extra}"
        return Answer(
            kind="answer",
            intent=entry.id,
            confidence=confidence,
            title=self.title(entry.id),
            lead=lead,
            details="\n\n".join(details),
            source=handbook_citation(entry.id, entry.page).source,
            links=list(entry.links),
            alternatives=alternatives,
        )

    def websites(self, confidence: float, alternatives: list[Candidate]) -> Answer:
        sites = [w for w in self.k.websites.values() if w.source == "P19"] or list(self.k.websites.values())
        lines = []
        for site in sites:
            line = f"・{site.title}: {site.url}"
            if site.description:
                line += f"\n　{site.description}"
            lines.append(line)
        return Answer(
            kind="answer",
            intent="websites",
            confidence=confidence,
            title=INTENT_TITLES["websites"],
            lead="各種ツール、ウェブサイト情報です。",
            details="\n".join(lines),
            source=handbook_citation(None, 19, label="各種ツール、ウェブサイト情報").source,
            alternatives=alternatives,
        )

    def firmware(self, confidence: float, alternatives: list[Candidate]) -> Answer:
        fw = self.k.firmware
        sections = [
            "サービス内容:\n" + "\n".join(f"・{s.name}: {s.description}（提供時間: {s.hours}）" for s in fw.services),
            "前提条件:\n" + "\n".join(f"・{p}" for p in fw.prerequisites),
            "対象外:\n" + "\n".join(f"・{e}" for e in fw.exclusions),
            "お客様の責任範囲:\n" + "\n".join(f"・{r}" for r in fw.customer_responsibilities),
        ]
        lead = (
            f"{fw.summary.strip()}\n作業予定日の{fw.lead_time_business_days}営業日前までに"
            "アドバンストソリューションセンターへご連絡ください。"
        )
        return Answer(
            kind="answer",
            intent="fw-option",
            confidence=confidence,
            title=INTENT_TITLES["fw-option"],
            lead=lead,
            details="\n\n".join(sections),
            source=FIRMWARE_SPEC_TITLE,
            links=list(fw.links),
            alternatives=alternatives,
        )

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
