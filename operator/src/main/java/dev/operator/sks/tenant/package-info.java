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
 * </ul>
 */
package dev.operator.sks.tenant;
