/**
 * What {@code /metrics} says about the fleet and the operator: the one place for the operator's metric names
 * ({@link dev.operator.sks.metrics.FleetMetrics}), per-resource series computed from cached status at scrape time,
 * reconcile errors by bounded reason, time to first Ready and the leader gauge. Reads the API types and status; no
 * reconciler depends on it but to report a cluster's readiness.
 */
package dev.operator.sks.metrics;
