/**
 * Join material: what a new machine needs to become a node of a hosted cluster, all made on the management side so
 * instance pools never wait on the tenant API.
 *
 * <ul>
 *   <li>{@link dev.operator.sks.join.BootstrapToken}, {@link dev.operator.sks.join.BootstrapTokens}: the kubeadm
 *       token, its lifetime and rotation, the tenant Secret it becomes.</li>
 *   <li>{@link dev.operator.sks.join.JoinTokenStore}: the cluster's token in a management Secret, made once,
 *       rotated when due.</li>
 *   <li>{@link dev.operator.sks.join.UserDataRenderer}: pure cloud-init with a kubeadm JoinConfiguration.</li>
 *   <li>{@link dev.operator.sks.join.NodeSetupScript}: the pure shell script the user-data runs: host preparation,
 *       containerd, kubelet and kubeadm pinned to the cluster's patch when the image lacks them, one join.</li>
 *   <li>{@link dev.operator.sks.join.UserDataSecrets}: an instance pool's user-data Secret, written on change.</li>
 *   <li>{@link dev.operator.sks.join.JoinMaterial}: the one call for a pool:
 *       {@code new JoinMaterial(client, clock).ensureUserData(cluster, nodepool, ownerReferenceOfTheInstancePool)}
 *       returns {@code Ready(secretName, changed, digest)}, {@code Waiting(reason, message)} or, when a
 *       same-named Secret was not made for its owner, {@code Conflicting(conflict, message)}.</li>
 * </ul>
 *
 * <p>The token is a credential: it appears in Secrets and user-data only; every {@code toString} here shows its id.
 */
package dev.operator.sks.join;
