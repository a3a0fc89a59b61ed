package dev.operator.sks.naming;

import dev.operator.sks.support.Digests;
import java.util.LinkedHashMap;
import java.util.Map;

/** Label, annotation and finalizer keys the operator reads and writes: one place, so every part agrees. */
public final class Labels {
    public static final String PREFIX = "sks.operator.dev/";

    public static final String CLUSTER = PREFIX + "cluster";
    public static final String NODEPOOL = PREFIX + "nodepool";
    public static final String NODEPOOL_ID = PREFIX + "nodepool-id";
    public static final String INSTANCE_POOL = PREFIX + "instance-pool";
    /**
     * On SKSClusters, Nodepools, KubeconfigRequests and InstancePools when the operator runs sharded: the shard (0 to
     * N-1) whose replica serves them, stamped from the namespace ({@code sharding/Shards}). Routing for the watches'
     * label selectors, never ownership.
     */
    public static final String SHARD = PREFIX + "shard";

    public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
    public static final String MANAGED_BY_VALUE = "sks-operator";
    /** The field manager of every server-side apply the operator makes, in the management cluster and in tenants. */
    public static final String FIELD_MANAGER = "sks-operator";
    /**
     * The field manager that applies a nodepool's labels to its tenant Nodes: a manager of their own, so the API server
     * records exactly which labels the operator set there, and a label dropped from the nodepool can be told from one
     * somebody else set.
     */
    public static final String NODE_LABELS_FIELD_MANAGER = "sks-operator-nodepool-labels";

    public static final String COMPONENT = "app.kubernetes.io/component";
    public static final String PART_OF = "app.kubernetes.io/part-of";
    public static final String NAME = "app.kubernetes.io/name";
    public static final String INSTANCE = "app.kubernetes.io/instance";

    /** Comma-separated instance names to remove from a Nodepool; cleared once done. */
    public static final String EVICT_ANNOTATION = PREFIX + "evict";
    /**
     * On an InstancePool of the {@code simulated} provider, a test and demo switch: comma-separated instance names
     * whose played kubelets stop (their Node Lease is no longer renewed nor Ready posted), so the tenant's node
     * lifecycle controller marks their Nodes NotReady as it would a dead machine's. Ignored by every other provider.
     */
    public static final String STOP_HEARTBEATS_ANNOTATION = PREFIX + "stop-heartbeats";
    /** Set on an SKSCluster to rotate its clients CA, revoking every kubeconfig issued before. */
    public static final String ROTATE_CLIENTS_CA_ANNOTATION = PREFIX + "rotate-clients-ca";
    /** On a cluster: {@code "true"} exempts a starter cluster from deletion for having no nodepool. */
    public static final String KEEP_ANNOTATION = PREFIX + "keep";
    /**
     * On a cluster: a new value takes an etcd backup at once; the value acted on is recorded in
     * {@code status.backup.lastRequest}, so each value takes one backup.
     */
    public static final String BACKUP_NOW_ANNOTATION = PREFIX + "backup-now";
    /** On a cluster: a new value asks for a new cloud-controller API key; the previous one is then revoked. */
    public static final String ROTATE_CCM_CREDENTIALS_ANNOTATION = PREFIX + "rotate-ccm-credentials";
    /** On the cloud-controller credentials Secret: the rotation value its key was made for. */
    public static final String CCM_CREDENTIALS_ROTATION_ANNOTATION = PREFIX + "ccm-credentials-rotation";
    /** On the cloud-controller credentials Secret: the key (its public id) it holds, what revocation names. */
    public static final String CCM_CREDENTIALS_KEY_ANNOTATION = PREFIX + "ccm-credentials-key";
    /**
     * On the tenant cloud controller's pod template: the revision of the credentials it was started with, so new ones
     * roll its pods.
     */
    public static final String CREDENTIALS_REVISION_ANNOTATION = PREFIX + "credentials-revision";
    /** On the cloud-controller credentials Secret: when credentials that expire are to be renewed (ISO-8601). */
    public static final String CCM_CREDENTIALS_RENEW_AFTER_ANNOTATION = PREFIX + "ccm-credentials-renew-after";
    /** On the cloud-controller credentials Secret: ids of replaced keys not yet revoked, comma-separated. */
    public static final String CCM_RETIRED_KEYS_ANNOTATION = PREFIX + "ccm-retired-keys";
    /**
     * On the clients-CA Secret: the {@link #ROTATE_CLIENTS_CA_ANNOTATION} value that CA was made for, so one value
     * rotates the CA once, however often the cluster is reconciled.
     */
    public static final String CLIENTS_CA_ROTATION_ANNOTATION = PREFIX + "clients-ca-rotation";

    /**
     * On an SKSCluster: a new value rotates the cluster CA with a dual-trust window (new CA trusted, leaves re-issued,
     * old CA dropped), each phase once the control plane has rolled. The same value never rotates twice.
     */
    public static final String ROTATE_CLUSTER_CA_ANNOTATION = PREFIX + "rotate-cluster-ca";
    /** On an SKSCluster: as {@link #ROTATE_CLUSTER_CA_ANNOTATION}, for the etcd CA. */
    public static final String ROTATE_ETCD_CA_ANNOTATION = PREFIX + "rotate-etcd-ca";
    /** On an SKSCluster: as {@link #ROTATE_CLUSTER_CA_ANNOTATION}, for the front-proxy CA. */
    public static final String ROTATE_FRONT_PROXY_CA_ANNOTATION = PREFIX + "rotate-front-proxy-ca";
    /**
     * On an SKSCluster: a new value rotates the service-account signing key; the previous public key stays trusted
     * until every token it signed has expired.
     */
    public static final String ROTATE_SERVICE_ACCOUNT_KEY_ANNOTATION = PREFIX + "rotate-service-account-key";
    /**
     * On a CA or service-account key Secret: the rotate annotation value its newest key was made for, so one value
     * rotates once, however often the cluster is reconciled.
     */
    public static final String KEY_ROTATION_ANNOTATION = PREFIX + "key-rotation";
    /** On the service-account key Secret: until when the previous public key stays trusted (RFC 3339). */
    public static final String PREVIOUS_KEY_TRUSTED_UNTIL_ANNOTATION = PREFIX + "previous-key-trusted-until";

    // On a KubeconfigRequest's Secret: what it was issued for, read back to decide whether to issue again.
    /** A digest of the cluster, user, groups and TTL the certificate was issued for. */
    public static final String KUBECONFIG_ISSUED_FOR_ANNOTATION = PREFIX + "issued-for";
    /** Serial number (hex) of the certificate, kept when the data is removed. */
    public static final String KUBECONFIG_SERIAL_ANNOTATION = PREFIX + "serial-number";
    /** Expiry (RFC 3339) of the certificate, kept when the data is removed. */
    public static final String KUBECONFIG_EXPIRATION_ANNOTATION = PREFIX + "expiration-time";
    /** Why the data was removed: {@code Expired} or {@code ClientsCARotated}. */
    public static final String KUBECONFIG_WITHDRAWN_ANNOTATION = PREFIX + "withdrawn";
    /** Component label of a KubeconfigRequest's Secret. */
    public static final String KUBECONFIG_COMPONENT = "kubeconfig";

    /** On control-plane pod templates: a digest of the certificate Secrets the pods mount, so they roll on re-issue. */
    public static final String CERTIFICATES_HASH_ANNOTATION = PREFIX + "certificates-hash";
    /** On control-plane pod templates: a digest of the rendered configuration files the pods mount. */
    public static final String CONFIG_HASH_ANNOTATION = PREFIX + "config-hash";
    /** On each control-plane workload: the Kubernetes patch it was rendered for, read back to order upgrades. */
    public static final String KUBERNETES_VERSION_ANNOTATION = PREFIX + "kubernetes-version";

    /**
     * On the etcd StatefulSet: how many of its members etcd lists as voting. Below its replicas while a learner is
     * catching up; absent on StatefulSets from before member-by-member growth, which count as all voting.
     */
    public static final String ETCD_VOTING_MEMBERS_ANNOTATION = PREFIX + "etcd-voting-members";

    /**
     * On every applied object: a digest of what was rendered for it. The object is compared field by field, never by
     * this digest; a difference while the digest still matches the render means the object was changed by hand.
     */
    public static final String APPLIED_DIGEST_ANNOTATION = PREFIX + "applied-digest";

    public static final String FINALIZER = PREFIX + "finalizer";

    /** On every addon object in a tenant: which addon it belongs to, so one addon's objects can be found and removed. */
    public static final String ADDON = PREFIX + "addon";

    /**
     * On a tenant object the operator creates when absent and never updates, so the user may edit it (CoreDNS's
     * Corefile, as SKS promises); its value says so to whoever reads the object.
     */
    public static final String CREATE_ONLY_ANNOTATION = PREFIX + "apply";

    public static final String CREATE_ONLY_VALUE = "create-only";

    /**
     * On a user-data Secret: the machine revision ({@code InstancePool spec.revision}) it was rendered for. A pool
     * boots machines only from user-data of its own revision, so a machine's recorded revision is what it booted with.
     */
    public static final String USER_DATA_REVISION_ANNOTATION = PREFIX + "machine-revision";

    /** Component label of node join material: the bootstrap token Secret and the user-data Secrets. */
    public static final String JOIN_COMPONENT = "join";

    /**
     * On a KubeVirt VirtualMachine: the order it was made in within its pool. Creation timestamps have one-second
     * resolution, too coarse to find the newest member when several start in the same second.
     */
    public static final String INSTANCE_ORDINAL_ANNOTATION = PREFIX + "instance-ordinal";

    /** Labels of an Exoscale instance pool (plain keys: Exoscale labels are not Kubernetes labels). */
    public static final String EXOSCALE_MANAGED_BY = "managed-by";

    public static final String EXOSCALE_NAMESPACE = "sks-namespace";
    public static final String EXOSCALE_CLUSTER = "sks-cluster";

    private static final int MAX_LABEL_VALUE = 63;
    private static final int LABEL_HASH_CHARS = 10;

    private Labels() {}

    /** Labels every object made for a cluster carries, so {@code kubectl get all -l sks.operator.dev/cluster=X} works. */
    public static Map<String, String> forCluster(String cluster) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(MANAGED_BY, MANAGED_BY_VALUE);
        labels.put(PART_OF, "sks-cluster");
        labels.put(INSTANCE, cluster);
        labels.put(CLUSTER, cluster);
        return labels;
    }

    public static Map<String, String> forComponent(String cluster, String component) {
        Map<String, String> labels = forCluster(cluster);
        labels.put(COMPONENT, component);
        return labels;
    }

    /**
     * {@code text} as a label value: unchanged when it fits in 63 characters, otherwise cut and ended with a hash of the
     * whole, so two long names that share a beginning still get different values.
     */
    public static String value(String text) {
        if (text.length() <= MAX_LABEL_VALUE) {
            return text;
        }
        String hash = Digests.sha256Hex(text).substring(0, LABEL_HASH_CHARS);
        return text.substring(0, MAX_LABEL_VALUE - LABEL_HASH_CHARS - 1) + "-" + hash;
    }

    /**
     * The labels the KubeVirt cloud controller's LoadBalancer Services in the management cluster select the virt-launcher
     * pods of a cluster's workers by (upstream cloud-provider-kubevirt follows Cluster API's names): on the template of
     * each VirtualMachine, so KubeVirt puts them on its pod.
     */
    public static final String KUBEVIRT_CLUSTER_NAME = "cluster.x-k8s.io/cluster-name";

    public static final String KUBEVIRT_ROLE = "cluster.x-k8s.io/role";
    public static final String KUBEVIRT_ROLE_WORKER = "worker";

    /** Labels of the template of a KubeVirt VirtualMachine of a pool: its own, and those the cloud controller selects. */
    public static Map<String, String> forKubevirtLauncher(String cluster, String instancePool) {
        Map<String, String> labels = forKubevirtInstance(cluster, instancePool);
        labels.put(KUBEVIRT_CLUSTER_NAME, cluster);
        labels.put(KUBEVIRT_ROLE, KUBEVIRT_ROLE_WORKER);
        return labels;
    }

    /** Labels of an Exoscale instance pool the operator made, so it can be told apart in the Exoscale console. */
    public static Map<String, String> forExoscalePool(String namespace, String cluster) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(EXOSCALE_MANAGED_BY, MANAGED_BY_VALUE);
        labels.put(EXOSCALE_NAMESPACE, namespace);
        labels.put(EXOSCALE_CLUSTER, cluster);
        return labels;
    }

    /** Labels of a KubeVirt VirtualMachine (and, through its template, its VirtualMachineInstance) of a pool. */
    public static Map<String, String> forKubevirtInstance(String cluster, String instancePool) {
        Map<String, String> labels = forComponent(cluster, "node");
        labels.put(INSTANCE_POOL, value(instancePool));
        return labels;
    }

    /** The smallest stable set that selects a component's pods (selectors are immutable, so no version in them). */
    public static Map<String, String> selector(String cluster, String component) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(CLUSTER, cluster);
        labels.put(COMPONENT, component);
        return labels;
    }
}
