/**
 * A pool's machines over their life, as pure decisions: which revision they are made from ({@link
 * dev.operator.sks.lifecycle.MachineRevision}), the next step of a rolling replacement or resize ({@link
 * dev.operator.sks.lifecycle.RollingPlan}), which machines a scale-down removes ({@link
 * dev.operator.sks.lifecycle.ScaleDown}) and which ones auto-repair replaces ({@link
 * dev.operator.sks.lifecycle.HealthCheck}). The Nodepool reconciler carries them out, draining every machine before it
 * goes.
 */
package dev.operator.sks.lifecycle;
