/**
 * Pure renderers: an {@link dev.operator.sks.api.SKSCluster}, the version catalog and what the reconciler observed go
 * in, the desired fabric8 objects of the hosted control plane come out. No client, no key generation, no clock: the
 * same inputs always give equal objects, so the reconciler can apply them without loops.
 */
package dev.operator.sks.rendering;
