/**
 * The model of a cluster and its pure renderers: a {@link dev.operator.sks.rendering.ClusterModel} (built once per
 * reconcile from the {@link dev.operator.sks.api.SKSCluster} and the version catalog) and what the reconciler observed
 * go in, the desired fabric8 objects of the hosted control plane come out. No client, no key generation, no clock: the
 * same inputs always give equal objects, so the reconciler can apply them without loops.
 */
package dev.operator.sks.rendering;
