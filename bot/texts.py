"""What partners and staff read besides answers: notices, refusals, errors.

Kept together so the wording can be reviewed in one place.
"""

from __future__ import annotations

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

FEEDBACK_THANKS_RESOLVED = "フィードバックありがとうございます。お役に立ててよかったです。"
FEEDBACK_THANKS_UNRESOLVED = "フィードバックありがとうございます。解決しない場合は、回答の「担当者に相談」ボタンでサポート担当者に引き継げます。"
FEEDBACK_UNKNOWN_QUESTION = "この回答の記録が見つかりませんでした。お手数ですが、もう一度ご質問ください。"

SHARED = "チャンネルに共有しました。"
SHARE_EXPIRED = "共有する回答が見つかりませんでした。もう一度コマンドを実行してください。"
SHARE_FAILED = "チャンネルに共有できませんでした（ボットがこのチャンネルに参加していない可能性があります）。"

HANDED_OVER = "担当者に引き継ぎました。担当者が決まりましたら、このスレッドでお知らせします。"
ALREADY_HANDED_OVER = "このスレッドはすでに担当者に引き継がれています。"
REOPENED = "このスレッドを再度担当者に引き継ぎました。"
STAFF_NOT_CONFIGURED = (
    "申し訳ありません。担当者への引き継ぎ先が設定されていないため、引き継げませんでした。"
    "管理者に FAQBOT_STAFF_CHANNEL の設定を依頼してください。"
)
HANDOVER_FAILED = "担当者への連絡に失敗しました。時間をおいてもう一度お試しください。"


def claimed(staff_user: str) -> str:
    return f"<@{staff_user}> さんが担当します。"


def reassigned(staff_user: str) -> str:
    return f"担当者が <@{staff_user}> さんに変わりました。"


def resolved(staff_user: str) -> str:
    return f"<@{staff_user}> さんがこのお問い合わせを解決済みにしました。ありがとうございました。"


def bot_answer_confirmed(staff_user: str) -> str:
    return f"<@{staff_user}> さんが、ボットの回答が正しいことを確認しました。このお問い合わせは解決済みになりました。"
