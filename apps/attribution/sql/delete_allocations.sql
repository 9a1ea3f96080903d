-- Remove the period's stored parts and daily allocations; this run writes them anew in the same
-- transaction, so readers see the old allocation until it commits.
-- Parameters: period (date). Idempotency key: billing_period_start.
DELETE FROM attribution_costallocation WHERE billing_period_start = %(period)s;

DELETE FROM attribution_allocationpart WHERE billing_period_start = %(period)s;
