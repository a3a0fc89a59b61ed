/**
 * How big a pro control plane runs: the named sizes ({@link dev.operator.sks.sizing.ControlPlaneSizes}), the load
 * figures observed in the tenant ({@link dev.operator.sks.sizing.LoadSample}) and the pure decision that moves a
 * cluster from one size to the next ({@link dev.operator.sks.sizing.SizingDecision#decide}).
 */
package dev.operator.sks.sizing;
