package dev.operator.sks.cli.plugin;

import dev.operator.sks.naming.Labels;
import java.util.List;
import java.util.Optional;

/**
 * What {@code kubectl sks rotate} can rotate, and the annotation that asks this operator for it. A rotation the
 * operator does not implement has no annotation, and the plugin refuses it rather than set an annotation nothing
 * reads. When the operator learns one, its entry gets the annotation from {@link Labels}: one line.
 */
final class Rotations {
    /** @param annotation the SKSCluster annotation whose each new value rotates once; empty: not implemented */
    record Rotation(String name, Optional<String> annotation, String effect) {}

    static final List<Rotation> ALL = List.of(
            new Rotation(
                    "clients-ca",
                    Optional.of(Labels.ROTATE_CLIENTS_CA_ANNOTATION),
                    "a new clients CA replaces the old one: every kubeconfig issued before stops working once the "
                            + "API servers have rolled; requests with renewBeforeSeconds are re-issued, the others "
                            + "turn Ready=False (ClientsCARotated)"),
            new Rotation(
                    "ccm-credentials",
                    Optional.of(Labels.ROTATE_CCM_CREDENTIALS_ANNOTATION),
                    "the cloud controller gets new credentials of its own; a replaced Exoscale API key is revoked once "
                            + "its successor reaches the cluster (CloudCredentialsReady says how it went)"),
            new Rotation(
                    "cluster-ca",
                    Optional.of(Labels.ROTATE_CLUSTER_CA_ANNOTATION),
                    "a new cluster CA is trusted next to the old one, then signs (certificates and kubeconfigs are "
                            + "issued again), then the old one is dropped, each step once the control plane rolled; "
                            + "nodes that joined before keep the old CA in their kubelet.conf (see the README)"),
            new Rotation(
                    "etcd-ca",
                    Optional.of(Labels.ROTATE_ETCD_CA_ANNOTATION),
                    "a new etcd CA, in the same three steps; etcd never loses its API servers"),
            new Rotation(
                    "front-proxy-ca",
                    Optional.of(Labels.ROTATE_FRONT_PROXY_CA_ANNOTATION),
                    "a new front-proxy CA, in the same three steps"),
            new Rotation(
                    "service-account-key",
                    Optional.of(Labels.ROTATE_SERVICE_ACCOUNT_KEY_ANNOTATION),
                    "a new service-account signing key; the old public key verifies tokens until every token it "
                            + "signed has expired (status.certificates.rotations says until when)"),
            new Rotation(
                    "ca",
                    Optional.empty(),
                    "every CA at once; rotate cluster-ca, etcd-ca and front-proxy-ca instead, each with its own "
                            + "dual-trust window"));

    private Rotations() {}

    static Rotation named(String name) {
        return ALL.stream()
                .filter(r -> r.name().equals(name))
                .findFirst()
                .orElseThrow(() -> new PluginException("cannot rotate \"" + name + "\": choose one of "
                        + String.join(", ", ALL.stream().map(Rotation::name).toList())));
    }
}
