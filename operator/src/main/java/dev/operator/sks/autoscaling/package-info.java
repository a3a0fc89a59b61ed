/**
 * Autoscaling with the upstream cluster-autoscaler: the operator serves its externalgrpc cloud-provider protocol
 * ({@code src/main/proto/externalgrpc.proto}) over mutual TLS, one identity per cluster, and renders each autoscaled
 * cluster's cluster-autoscaler next to its control plane. The decisions (bounds, which group a node is in, the template
 * Node) are pure functions in {@link dev.operator.sks.autoscaling.NodeGroups} and
 * {@link dev.operator.sks.autoscaling.TemplateNode}; the server only looks up and writes.
 */
package dev.operator.sks.autoscaling;
