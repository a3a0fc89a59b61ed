/**
 * Tenant access: reaching each hosted cluster's own API server, and preparing it for nodes to join.
 *
 * <ul>
 *   <li>{@link dev.operator.sks.tenant.TenantClients}: one cache of clients built from each cluster's admin
 *       kubeconfig, short timeouts, a {@code probe}/{@code reachable} that never throws. Callers never close the
 *       clients they get; call {@code evict(namespace, cluster)} when a cluster is deleted.</li>
 *   <li>{@link dev.operator.sks.tenant.TenantBootstrapObjects}: pure, the objects kubeadm join needs in the
 *       tenant (cluster-info, bootstrap tokens, kubeadm-config, kubelet-config, bootstrap RBAC, CSR approval,
 *       konnectivity-server's RBAC).</li>
 *   <li>{@link dev.operator.sks.tenant.TenantBootstrap}: {@code ensure(cluster)} applies them with server-side
 *       apply and returns an {@code Outcome} (APPLIED, WAITING, UNREACHABLE, FAILED) for a condition; it never
 *       throws for an absent or failing tenant and skips the tenant entirely when nothing changed.</li>
 *   <li>{@link dev.operator.sks.tenant.PoolNodes}: each pool's Nodes in the background: played kubelets and the
 *       simulated cloud-node controller ({@link dev.operator.sks.tenant.SimulatedCloudNodes}) for simulated
 *       machines, read for real ones; pool labels by {@link dev.operator.sks.tenant.NodeLabels}, departed machines'
 *       Nodes deleted by {@link dev.operator.sks.tenant.NodeProof}.</li>
 *   <li>{@link dev.operator.sks.tenant.TenantNodeDrains}: {@link dev.operator.sks.tenant.NodeDrains} as
 *       {@code kubectl drain} does it (cordon, Eviction API, PodDisruptionBudgets respected), in paced background
 *       passes; {@link dev.operator.sks.tenant.DrainPlan} decides which pods go.</li>
 *   <li>{@link dev.operator.sks.tenant.SimulatedLoadBalancers}: the simulated service controller, LoadBalancer
 *       addresses for tenants with simulated pools.</li>
 * </ul>
 */
package dev.operator.sks.tenant;
