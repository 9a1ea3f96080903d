from apps.catalog.rules import LineItemKeys, Rule, endpoint_for, rule_matches


def test_tag_rule_matches_listed_values_or_any_value_when_empty():
    item = LineItemKeys(tags={"costgov:endpoint": "chat"})
    assert rule_matches(Rule(1, "tag", tag_key="costgov:endpoint", values=("chat",)), item)
    assert not rule_matches(Rule(1, "tag", tag_key="costgov:endpoint", values=("rank",)), item)
    assert rule_matches(Rule(1, "tag", tag_key="costgov:endpoint"), item)
    assert not rule_matches(Rule(1, "tag", tag_key="team"), item)


def test_resource_glob_matches_the_whole_id_only():
    rule = Rule(1, "resource", pattern="arn:aws:ec2:*:instance/i-0gpu*")
    assert rule_matches(rule, LineItemKeys(tags={}, resource_id="arn:aws:ec2:us:instance/i-0gpu1"))
    assert not rule_matches(
        rule, LineItemKeys(tags={}, resource_id="x-arn:aws:ec2:us:instance/i-0gpu1")
    )
    assert not rule_matches(rule, LineItemKeys(tags={}, resource_id=""))


def test_best_rule_wins_by_priority_then_kind_then_endpoint():
    item = LineItemKeys(tags={"team": "a"}, resource_id="i-1", account_id="111")
    rules = [
        Rule(7, "account", pattern="111", priority=100),
        Rule(5, "resource", pattern="i-*", priority=100),
        Rule(9, "tag", tag_key="team", priority=100),
    ]
    assert endpoint_for(rules, item) == 9
    assert endpoint_for([*rules, Rule(3, "account", pattern="111", priority=10)], item) == 3
    assert endpoint_for(rules, LineItemKeys(tags={}, account_id="222")) is None
