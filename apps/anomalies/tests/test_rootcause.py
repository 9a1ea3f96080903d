import pandas as pd

from apps.anomalies.detection.rootcause import rank_contributors


def rows(dimension: str, amounts: dict[str, float]) -> pd.DataFrame:
    return pd.DataFrame(
        [{"dimension": dimension, "value": v, "ts": 0, "amount": a} for v, a in amounts.items()]
    )


def test_a_new_resource_is_named_before_customers_that_grew_in_step():
    reference = pd.concat(
        [rows("resource_id", {"i-a": 7, "i-b": 7}), rows("customer", {"x": 10, "y": 4})]
    )
    actual = pd.concat([
        rows("resource_id", {"i-a": 1, "i-b": 1, "i-new": 1}),
        rows("customer", {"x": 10 / 14 * 3, "y": 4 / 14 * 3}),
    ])  # fmt: skip
    ranked = rank_contributors(
        actual, reference, reference_days=7, series_dimension="endpoint", series_value="rank"
    )
    assert (ranked[0]["dimension"], ranked[0]["value"]) == ("resource_id", "i-new")
    assert ranked[0]["share_of_delta"] == 1.0
    assert all(r["dimension"] != "customer" for r in ranked)


def test_a_uniform_change_names_the_series_itself():
    reference = rows("customer", {"x": 70, "y": 28})
    actual = rows("customer", {"x": 80, "y": 32})
    ranked = rank_contributors(
        actual, reference, reference_days=7, series_dimension="endpoint", series_value="rank"
    )
    assert ranked == [
        {"dimension": "endpoint", "value": "rank", "expected": None, "actual": None,
         "delta": ranked[0]["delta"], "share_of_delta": 1.0, "surprise": 0.0}
    ]  # fmt: skip
