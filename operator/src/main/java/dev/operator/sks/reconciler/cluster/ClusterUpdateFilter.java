package dev.operator.sks.reconciler.cluster;

import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.naming.Labels;
import dev.operator.sks.reconciler.GenerationOrAnnotationFilter;

/** A cluster also reconciles when an annotation that asks for something changes: a rotation, keep, or a backup now. */
public class ClusterUpdateFilter extends GenerationOrAnnotationFilter<SKSCluster> {
    public ClusterUpdateFilter() {
        super(
                Labels.ROTATE_CLIENTS_CA_ANNOTATION,
                Labels.ROTATE_CCM_CREDENTIALS_ANNOTATION,
                Labels.KEEP_ANNOTATION,
                Labels.BACKUP_NOW_ANNOTATION,
                Labels.ROTATE_CLUSTER_CA_ANNOTATION,
                Labels.ROTATE_ETCD_CA_ANNOTATION,
                Labels.ROTATE_FRONT_PROXY_CA_ANNOTATION,
                Labels.ROTATE_SERVICE_ACCOUNT_KEY_ANNOTATION);
    }
}
