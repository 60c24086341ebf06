"""What partners and staff read besides answers: notices, refusals, errors.

Kept together so the wording can be reviewed in one place.
"""

from __future__ import annotations

from datetime import date, datetime

from knowledge.calculators.common import fmt_date

# A question longer than this is almost always a pasted log or document; the
# matcher would only find noise in it.
MAX_QUESTION_CHARS = 2000

EMPTY_QUESTION = (
    "ご質問の内容が空のようです。サポートサービスについて知りたいことを書いてください。\n"
    "例: 「保証終了日が2027年3月31日ですが、ポストワランティはいつから発注できますか」"
)
TOO_LONG_QUESTION = (
    f"ご質問が長すぎます（{MAX_QUESTION_CHARS}文字まで）。知りたいことを1～2文にまとめて、もう一度お尋ねください。"
    "ログや資料の確認が必要な場合は「担当者に相談」をご利用ください。"
)
ANSWER_FAILED = "申し訳ありません。回答を表示できませんでした。時間をおいてもう一度お試しいただくか、担当者にご相談ください。"
INTERNAL_ERROR = "申し訳ありません。処理中にエラーが発生しました。時間をおいてもう一度お試しください。"
# A button or form whose value does not belong where it was pressed (stale, or forged).
INVALID_BUTTON = "このボタンは無効です。お手数ですが、メッセージを開き直して操作してください。"

FEEDBACK_THANKS_RESOLVED = "フィードバックありがとうございます。お役に立ててよかったです。"
FEEDBACK_THANKS_UNRESOLVED = "フィードバックありがとうございます。解決しない場合は、回答の「担当者に相談」ボタンでサポート担当者に引き継げます。"
FEEDBACK_UNKNOWN_QUESTION = "この回答の記録が見つかりませんでした。お手数ですが、もう一度ご質問ください。"

SHARED = "チャンネルに共有しました。"
ALREADY_SHARED = "この回答はすでにチャンネルに共有しています。"
SHARE_EXPIRED = "共有する回答が見つかりませんでした。もう一度コマンドを実行してください。"
SHARE_FAILED = "チャンネルに共有できませんでした（ボットがこのチャンネルに参加していない可能性があります）。"
SHARE_DELAYED = "Slack との通信が不安定なため、共有が少し遅れて表示されます。"

HANDED_OVER = "担当者に引き継ぎました。担当者が決まりましたら、このスレッドでお知らせします。"
ALREADY_HANDED_OVER = "このスレッドはすでに担当者に引き継がれています。"
REOPENED = "このスレッドを再度担当者に引き継ぎました。"
STAFF_NOT_CONFIGURED = (
    "申し訳ありません。担当者への引き継ぎ先が設定されていないため、引き継げませんでした。"
    "管理者に FAQBOT_STAFF_CHANNEL の設定を依頼してください。"
)
HANDOVER_FAILED = "担当者への連絡に失敗しました。時間をおいてもう一度お試しください。"
HANDOVER_DELAYED = (
    "担当者への引き継ぎを受け付けました。Slack との通信が回復しだい担当者に通知し、このスレッドでお知らせします。"
)


def claimed(staff_user: str) -> str:
    return f"<@{staff_user}> さんが担当します。"


def reassigned(staff_user: str) -> str:
    return f"担当者が <@{staff_user}> さんに変わりました。"


def resolved(staff_user: str) -> str:
    return f"<@{staff_user}> さんがこのお問い合わせを解決済みにしました。ありがとうございました。"


def bot_answer_confirmed(staff_user: str) -> str:
    return f"<@{staff_user}> さんが、ボットの回答が正しいことを確認しました。このお問い合わせは解決済みになりました。"


# --- the staff's workbench: App Home, teaching, SLA, reminders ---------------------------


def duration(minutes: float) -> str:
    """A waiting time as staff read it: 45分, 2時間5分, 3日2時間."""
    total = int(minutes)
    if total < 1:
        return "1分未満"
    days, rest = divmod(total, 24 * 60)
    hours, mins = divmod(rest, 60)
    if days:
        return f"{days}日{hours}時間" if hours else f"{days}日"
    if hours:
        return f"{hours}時間{mins}分" if mins else f"{hours}時間"
    return f"{mins}分"


def moment(at: datetime) -> str:
    """2027年4月1日（木）9:00"""
    return f"{fmt_date(at.date())}{at.hour}:{at.minute:02d}"


def sla_reminder(case_id: int, waited_minutes: float, sla_minutes: int, question: str, link: str | None) -> str:
    where = f"\n<{link}|スレッドを開く>" if link else ""
    return (
        f":alarm_clock: エスカレーション #{case_id} が、営業時間内で{duration(waited_minutes)}担当者未定のままです"
        f"（目標 {sla_minutes}分以内）。対応できる方は「担当する」を押してください。\n>{question}{where}"
    )


def case_reopened(case_id: int, by: str, question: str, link: str | None) -> str:
    where = f"\n<{link}|スレッドを開く>" if link else ""
    return (
        f":leftwards_arrow_with_hook: 解決済みのエスカレーション #{case_id} が <@{by}> さんにより再度引き継がれました。"
        f"対応できる方は案件カードの「担当する」を押してください。\n>{question}{where}"
    )


HOME_ANSWER_SENT = "回答をこのアプリの「メッセージ」タブにお送りしました。"


def home_claimed(case_id: int) -> str:
    return f"エスカレーション #{case_id} を担当しました。質問者のスレッドにもお知らせしました。"


TEACH_QUESTION_GONE = "教える対象の質問が見つかりませんでした。画面を開き直してください。"
TEACH_UNKNOWN_INTENT = "選んだ項目が見つかりません。一覧から選び直してください。"


def taught(staff_user: str, title: str, out_of_scope: bool) -> str:
    if out_of_scope:
        return f"<@{staff_user}> さんがこの質問を「対象外（ハンドブックの範囲外）」として登録しました。次からは回答せず、担当者への相談を案内します。"
    return f"<@{staff_user}> さんがこの質問を「{title}」の例として登録しました。次からはこの項目で回答します。"


def taught_notice(question: str, title: str, out_of_scope: bool) -> str:
    target = "対象外（ハンドブックの範囲外）" if out_of_scope else title
    return f"「{question}」を「{target}」として登録しました。すでに回答に反映されています。"


REMINDERS_TITLE = "登録中のリマインド"
REMINDER_NOT_FOUND = "このリマインドは見つかりませんでした（すでに取り消したか、送信済みです）。"
REMINDER_CANCEL_FAILED = "リマインドを取り消せませんでした。時間をおいてもう一度お試しください。"
REMINDERS_NONE = (
    "登録中のリマインドはありません。ポストワランティの発注可能期間がまだ始まっていない回答の"
    "「発注開始日にリマインド」ボタンで登録できます。"
)


def reminder_window_open(start: date) -> str:
    return f"発注可能期間はすでに始まっています（{fmt_date(start)}から）。今すぐ発注できます。"


def reminder_registered(at: datetime) -> str:
    return (
        f"{moment(at)} に、このアプリからのダイレクトメッセージでお知らせします。"
        "確認・取り消しは `/pwp reminders` でできます。"
    )


def reminder_exists(at: datetime) -> str:
    return f"このリマインドはすでに登録されています（{moment(at)}）。確認・取り消しは `/pwp reminders` でできます。"


def reminder_cancelled(at: datetime) -> str:
    return f"{moment(at)} のリマインドを取り消しました。"


def pwp_reminder(coverage_end: date, years: int, window_start: date, window_end: date, recheck: str) -> str:
    return (
        f":bell: リマインド: 保証・契約終了日が {fmt_date(coverage_end)} の製品のポストワランティサービス（{years}年）は、"
        f"本日 {fmt_date(window_start)} から発注できます（発注可能期間は {fmt_date(window_end)} まで）。\n"
        "製品ごとのポストワランティサービス終了日も、発注前に終了日確認サイトでご確認ください（Q22、Q23）。\n"
        f"もう一度計算する: `/pwp {recheck}`"
    )
