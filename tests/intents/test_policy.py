import math

import pytest

from intents.policy import Calibration, Policy, default_policy

POLICY = Policy(
    calibration=Calibration(score=4.0, margin=8.0, bias=-1.7),
    answer_threshold=0.6,
    suggest_threshold=0.45,
    min_margin=0.3,
    suggestions=3,
    null_min_confidence=0.4,
    off_topic_min_confidence=0.9,
    smalltalk_min_confidence=0.6,
)


@pytest.mark.parametrize(
    "ranked, on_topic, other_vendor, decision",
    [
        ([("Q12", 0.95), ("Q13", 0.10)], True, False, "answer"),
        ([("Q12", 0.70), ("Q13", 0.55)], True, False, "did_you_mean"),  # too close to the runner-up
        ([("Q12", 0.50), ("Q13", 0.05)], True, False, "did_you_mean"),  # middling confidence
        ([("Q12", 0.30), ("Q13", 0.05)], True, False, "out_of_scope"),  # below the floor
        ([("null", 0.90), ("Q4", 0.10)], True, False, "out_of_scope"),
        ([("null", 0.35), ("Q4", 0.30)], True, False, "did_you_mean"),  # a doubtful refusal on topic
        ([("null", 0.35), ("Q4", 0.30)], False, False, "out_of_scope"),
        ([("Q4", 0.80), ("Q1", 0.05)], False, False, "out_of_scope"),  # no handbook vocabulary
        ([("Q4", 0.95), ("Q1", 0.05)], False, False, "answer"),  # a very close match survives a typo
        ([("smalltalk.greeting", 0.99), ("Q1", 0.01)], False, False, "answer"),
        ([("smalltalk.greeting", 0.50), ("Q1", 0.01)], False, False, "out_of_scope"),
        ([("Q22", 0.99), ("Q23", 0.01)], True, True, "out_of_scope"),  # another vendor's product
    ],
)
def test_decisions(ranked, on_topic, other_vendor, decision):
    assert POLICY.decide(ranked, on_topic, other_vendor) == decision


def test_calibration_is_monotone_in_score_and_margin():
    c = POLICY.calibration
    assert c.confidence(0.8, 0.2) > c.confidence(0.6, 0.2) > c.confidence(0.4, 0.2)
    assert c.confidence(0.6, 0.1) > c.confidence(0.6, 0.5)
    assert math.isclose(c.confidence(0.0, 0.0), 1 / (1 + math.exp(1.7)))


def test_the_shipped_policy_loads_and_orders_its_thresholds():
    p = default_policy()
    assert p.suggest_threshold <= p.answer_threshold
