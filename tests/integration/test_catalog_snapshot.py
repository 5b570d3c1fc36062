"""The catalog read in one Query (DynamoDB, moto) is exactly what the separate reads give."""
from collections import Counter

import botocore.client

from chalicelib.domain.policies import Policies
from chalicelib.domain.routing import RoutingRule


def test_the_one_query_snapshot_equals_the_separate_reads(aws_stack):
    from chalicelib.adapters.dynamo import DynamoCatalogRepository
    from chalicelib.settings import get_settings
    catalog = DynamoCatalogRepository(get_settings().helpdesk_table)
    rules, policies = catalog.rules(), catalog.policies()
    try:
        catalog.save_rules([RoutingRule(category="technical", department="support", group="first-line",
                                        keywords=("چاپگر",))])
        catalog.save_policies(Policies(max_open_tickets=4))
        calls: Counter = Counter()
        original = botocore.client.BaseClient._make_api_call

        def counted(self, operation, params):
            calls[operation] += 1
            return original(self, operation, params)

        botocore.client.BaseClient._make_api_call = counted
        try:
            snapshot = catalog.snapshot()
        finally:
            botocore.client.BaseClient._make_api_call = original
        assert calls == Counter({"Query": 1})
        assert list(snapshot.departments) == catalog.departments() and snapshot.departments
        assert list(snapshot.rules) == catalog.rules() and snapshot.rules
        assert snapshot.policies == catalog.policies() == Policies(max_open_tickets=4)
        assert snapshot.sla_policy == catalog.sla_policy()
    finally:
        catalog.save_rules(rules)
        catalog.save_policies(policies)
