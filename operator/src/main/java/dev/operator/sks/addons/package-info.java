/**
 * What the operator installs into each tenant cluster besides join material: kube-proxy, CoreDNS, the konnectivity
 * agent, and the optional addons of {@code spec.addons}. Pure renderers; {@code tenant.TenantBootstrap} applies them.
 */
package dev.operator.sks.addons;
