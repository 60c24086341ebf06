"""`faqbot stats --html`: the report as one self-contained page for the weekly review.

Charts are inline SVG drawn here (no script, no CDN, no web font), so the file
can be mailed, attached to a ticket or opened offline, and shows the same
figures as the text report.
"""

from __future__ import annotations

from html import escape

from bot.desk import texts
from bot.desk.stats import REASON_LABELS, Report, median, minutes_text, p90, share

COLORS = {
    "answered": "#01a982",
    "did_you_mean": "#f0b400",
    "out_of_scope": "#d9534f",
    "smalltalk": "#9aa5b1",
    "escalated": "#5a3e9b",
    "helpful": "#2f80ed",
    "unhelpful": "#eb5757",
    "to_claim": "#01a982",
    "to_resolve": "#5a3e9b",
}
# Upper bounds (minutes) of the case-time histogram's buckets; the last is open-ended.
TIME_BUCKETS = [
    (15, "〜15分"),
    (30, "〜30分"),
    (60, "〜1時間"),
    (120, "〜2時間"),
    (240, "〜4時間"),
    (480, "〜8時間"),
    (1440, "〜1日"),
]
ABSTAINED_SHOWN = 20
INTENTS_SHOWN = 15

WIDTH = 720
HEIGHT = 240
MARGIN_LEFT = 40
MARGIN_BOTTOM = 40
MARGIN_TOP = 16

Series = tuple[str, str, list[float]]  # (label, colour, one value per category)


def bar_chart(title: str, categories: list[str], series: list[Series], *, stacked: bool) -> str:
    """Vertical bars per category: stacked (parts of a whole) or side by side."""
    plot_w = WIDTH - MARGIN_LEFT - 10
    plot_h = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    totals = [sum(s[2][i] for s in series) for i in range(len(categories))] if stacked else []
    top = max(totals if stacked else [v for s in series for v in s[2]], default=0) or 1
    slot = plot_w / max(1, len(categories))
    bar_w = slot * 0.7 / (1 if stacked else len(series))
    parts = [_axis(top, plot_h)]
    for i, category in enumerate(categories):
        x0 = MARGIN_LEFT + i * slot + slot * 0.15
        base = 0.0
        for k, (label, color, values) in enumerate(series):
            value = values[i]
            h = plot_h * value / top
            x = x0 if stacked else x0 + k * bar_w
            y = MARGIN_TOP + plot_h - h - (plot_h * base / top if stacked else 0)
            if value:
                parts.append(
                    f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{color}">'
                    f"<title>{escape(category)} {escape(label)}: {value:g}</title></rect>"
                )
            base += value
        parts.append(
            f'<text x="{x0 + slot * 0.35:.1f}" y="{HEIGHT - MARGIN_BOTTOM + 16}" class="tick" '
            f'text-anchor="middle">{escape(category)}</text>'
        )
    return _svg(title, parts) + _legend(series)


def hbar_chart(title: str, rows: list[tuple[str, float]], color: str) -> str:
    """One horizontal bar per row, labelled on the left: for long labels such as FAQ titles."""
    label_w, row_h = 300, 22
    height = MARGIN_TOP + row_h * max(1, len(rows)) + 8
    top = max((v for _, v in rows), default=0) or 1
    parts = []
    for i, (label, value) in enumerate(rows):
        y = MARGIN_TOP + i * row_h
        w = (WIDTH - label_w - 60) * value / top
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" class="tick" text-anchor="end">{escape(_clip(label, 26))}'
            f"<title>{escape(label)}</title></text>"
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" fill="{color}"/>'
            f'<text x="{label_w + w + 4:.1f}" y="{y + 15}" class="tick">{value:g}</text>'
        )
    return _svg(title, parts, height)


def _axis(top: float, plot_h: float) -> str:
    lines = []
    for fraction in (0, 0.5, 1):
        y = MARGIN_TOP + plot_h * (1 - fraction)
        lines.append(
            f'<line x1="{MARGIN_LEFT}" x2="{WIDTH - 10}" y1="{y:.1f}" y2="{y:.1f}" class="grid"/>'
            f'<text x="{MARGIN_LEFT - 4}" y="{y + 4:.1f}" class="tick" text-anchor="end">{top * fraction:g}</text>'
        )
    return "".join(lines)


def _svg(title: str, parts: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" role="img" '
        f'aria-label="{escape(title)}"><title>{escape(title)}</title>{"".join(parts)}</svg>'
    )


def _legend(series: list[Series]) -> str:
    items = "".join(
        f'<span><i style="background:{color}"></i>{escape(label)}</span>' for label, color, _ in series
    )
    return f'<div class="legend">{items}</div>'


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _bucket_counts(minutes: list[float]) -> list[float]:
    counts = [0.0] * (len(TIME_BUCKETS) + 1)
    for value in minutes:
        index = next((i for i, (bound, _) in enumerate(TIME_BUCKETS) if value <= bound), len(TIME_BUCKETS))
        counts[index] += 1
    return counts


def _table(head: list[str], rows: list[list[str]]) -> str:
    header = "".join(f"<th>{escape(h)}</th>" for h in head)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{header}</tr></thead><tbody>{body}</tbody></table>"


def render_html(r: Report) -> str:
    t, c = r.totals, r.cases
    days = [d.strftime("%m/%d") for d, _ in r.days]
    period = f"{r.first_day.isoformat()}〜{r.last_day.isoformat()}（{len(r.days)}日間）"
    daily = bar_chart(
        "日別の質問（回答の種類別）",
        days,
        [
            ("回答", COLORS["answered"], [n.answered for _, n in r.days]),
            ("候補の提示", COLORS["did_you_mean"], [n.did_you_mean for _, n in r.days]),
            ("対象外", COLORS["out_of_scope"], [n.out_of_scope for _, n in r.days]),
            ("雑談", COLORS["smalltalk"], [n.smalltalk for _, n in r.days]),
        ],
        stacked=True,
    )
    follow = bar_chart(
        "日別のエスカレーションとフィードバック",
        days,
        [
            ("エスカレーション", COLORS["escalated"], [n.escalated for _, n in r.days]),
            ("👍", COLORS["helpful"], [n.helpful for _, n in r.days]),
            ("👎", COLORS["unhelpful"], [n.unhelpful for _, n in r.days]),
        ],
        stacked=False,
    )
    intents = hbar_chart(
        "インテント別の回答数",
        [(row.title, row.count) for row in r.intents[:INTENTS_SHOWN]],
        COLORS["answered"],
    )
    buckets = [label for _, label in TIME_BUCKETS] + ["1日超"]
    times = bar_chart(
        "案件の対応時間（件数）",
        buckets,
        [
            ("担当決定まで", COLORS["to_claim"], _bucket_counts(c.to_claim)),
            ("解決まで", COLORS["to_resolve"], _bucket_counts(c.to_resolve)),
        ],
        stacked=False,
    )
    summary = _table(
        ["指標", "件数", "割合"],
        [
            ["質問", str(t.questions), ""],
            ["回答", str(t.answered), share(t.answered, t.questions)],
            ["候補の提示", str(t.did_you_mean), share(t.did_you_mean, t.questions)],
            ["対象外", str(t.out_of_scope), share(t.out_of_scope, t.questions)],
            ["雑談", str(t.smalltalk), share(t.smalltalk, t.questions)],
            ["エスカレーション", str(t.escalated), ""],
            ["👍", str(t.helpful), share(t.helpful, t.helpful + t.unhelpful)],
            ["👎", str(t.unhelpful), share(t.unhelpful, t.helpful + t.unhelpful)],
            ["教えた例文", str(r.taught_in_period), f"累計 {r.taught_total}"],
        ],
    )
    intent_rows = _table(
        ["項目", "回答数", "👍", "👎"],
        [[row.title, str(row.count), str(row.helpful), str(row.unhelpful)] for row in r.intents],
    )
    abstained = _table(
        ["回数", "理由", "質問", "判断済み"],
        [
            [str(a.count), "・".join(REASON_LABELS[x] for x in a.reasons), a.text, "✓" if a.decided else ""]
            for a in r.abstained[:ABSTAINED_SHOWN]
        ],
    )
    case_rows = _table(
        ["", "件数", "中央値", "90%点"],
        [
            ["担当決定まで", str(c.claimed), minutes_text(median(c.to_claim)), minutes_text(p90(c.to_claim))],
            [
                "解決まで",
                str(c.resolved),
                minutes_text(median(c.to_resolve)),
                minutes_text(p90(c.to_resolve)),
            ],
        ],
    )
    return f"""<!DOCTYPE html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>faqbot 利用状況 {escape(period)}</title>
<style>
body {{ font-family: "Hiragino Sans", "Noto Sans JP", "Yu Gothic", sans-serif; margin: 2em auto; max-width: 760px; color: #222; }}
h1 {{ font-size: 1.4em; }} h2 {{ font-size: 1.1em; margin-top: 2em; border-bottom: 1px solid #ddd; }}
table {{ border-collapse: collapse; margin: 0.5em 0; }} th, td {{ border: 1px solid #ddd; padding: 0.25em 0.6em; text-align: left; }}
td:nth-child(n+2) {{ white-space: nowrap; }}
svg {{ display: block; margin: 0.5em 0; }} .grid {{ stroke: #eee; }} .tick {{ font-size: 11px; fill: #555; }}
.legend span {{ margin-right: 1em; font-size: 0.9em; }} .legend i {{ display: inline-block; width: 0.8em; height: 0.8em; margin-right: 0.3em; }}
.note {{ color: #666; font-size: 0.9em; }}
</style>
</head>
<body>
<h1>faqbot 利用状況 {escape(period)}</h1>
<p class="note">作成 {escape(texts.moment(r.generated_at))}（JST）。期間は日本時間の暦日です。</p>
<h2>質問と回答</h2>
{summary}
{daily}
{follow}
<h2>インテント別</h2>
{intents}
{intent_rows}
<h2>回答できなかった質問（多い順）</h2>
<p class="note">対象外・候補の提示になった質問と 👎 の付いた回答。「判断済み」は担当者が教えたか、ボットの回答を正しいと確認したもの。</p>
{abstained}
<h2>案件の対応時間</h2>
<p>案件 {c.cases} 件（担当決定 {c.claimed}、解決 {c.resolved}）。目標（営業時間内 {r.sla_minutes} 分以内に担当決定）を超えた案件 {c.sla_breaches} 件。</p>
{case_rows}
{times}
</body>
</html>
"""
