package dev.operator.sks.etcd;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.support.SecretLookup;
import io.fabric8.kubernetes.client.KubernetesClient;

/**
 * Opens a membership client for one cluster's etcd. Production uses {@link TlsEtcdConnector} (the API server's etcd
 * client certificate, over HTTPS); tests of the reconciler may script the answers instead.
 */
@FunctionalInterface
public interface EtcdConnector {

    /**
     * @param management the management cluster, where the cluster's certificate Secrets live
     * @param clientUrl  the in-cluster client URL of a voting member ({@code EtcdRenderer.firstMemberClientUrl})
     */
    EtcdMembers connect(KubernetesClient management, SKSCluster cluster, String clientUrl) throws EtcdException;

    /**
     * This connector, reading the clusters' certificate Secrets from {@code secrets} (the operator's informer) before
     * asking the API server; one that reads no Secret is returned as it is.
     */
    default EtcdConnector readingSecretsFrom(SecretLookup secrets) {
        return this;
    }

    /**
     * A maintenance client at {@code clientUrl}: the client {@link #connect} opens, when it offers the maintenance
     * calls (the production one does; a scripted membership client may not).
     */
    default EtcdMaintenance maintenance(KubernetesClient management, SKSCluster cluster, String clientUrl)
            throws EtcdException {
        EtcdMembers members = connect(management, cluster, clientUrl);
        if (members instanceof EtcdMaintenance maintenance) {
            return maintenance;
        }
        throw new EtcdException("the etcd connection offers no maintenance calls");
    }

    /**
     * The snapshot side of the Maintenance API (status, snapshot stream) of the member at {@code clientUrl}, for
     * backups. Only the TLS connector has one; a connector scripted for membership tests has none.
     */
    default HttpEtcdMaintenance snapshots(KubernetesClient management, SKSCluster cluster, String clientUrl)
            throws EtcdException {
        throw new EtcdException("this etcd connector offers no Maintenance API");
    }
}
