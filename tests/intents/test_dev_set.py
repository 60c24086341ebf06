"""Regression floors on the labelled dev set.

The figures themselves are reported by `faqbot eval`; these floors sit a little
under what the matcher achieves, so a change that makes it clearly worse fails
here instead of being discovered in the weekly report.
"""

from pathlib import Path

import pytest

from intents import evaluation
from intents.router import default_pipeline

DEV = Path(__file__).resolve().parents[1] / "data" / "dev.jsonl"


@pytest.fixture(scope="module")
def summary():
    items = evaluation.load_labelled(DEV)
    return evaluation.summarize(evaluation.evaluate(default_pipeline(), items))


def test_the_dev_set_is_the_size_the_issue_asks_for(summary):
    assert summary.n >= 300 and summary.out_of_scope >= 40


def test_accuracy_floors(summary):
    assert summary.top1 >= 0.93
    assert summary.top3 >= 0.98


def test_out_of_scope_floors(summary):
    assert summary.oos_recall >= 0.90
    assert summary.false_rejection <= 0.03


def test_every_calculator_figure_is_right(summary):
    assert summary.calc_checked >= 25
    assert summary.calc_wrong == 0
