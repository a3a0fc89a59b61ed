package dev.operator.sks.naming;

import java.util.LinkedHashMap;
import java.util.Map;

/** Label, annotation and finalizer keys the operator reads and writes: one place, so every part agrees. */
public final class Labels {
  public static final String PREFIX = "sks.operator.dev/";

  public static final String CLUSTER = PREFIX + "cluster";
  public static final String NODEPOOL = PREFIX + "nodepool";
  public static final String NODEPOOL_ID = PREFIX + "nodepool-id";
  public static final String INSTANCE_POOL = PREFIX + "instance-pool";

  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String MANAGED_BY_VALUE = "sks-operator";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";

  /** Comma-separated instance names to remove from a Nodepool; cleared once done. */
  public static final String EVICT_ANNOTATION = PREFIX + "evict";
  /** Set on an SKSCluster to rotate its clients CA, revoking every kubeconfig issued before. */
  public static final String ROTATE_CLIENTS_CA_ANNOTATION = PREFIX + "rotate-clients-ca";
  /**
   * On the clients-CA Secret: the {@link #ROTATE_CLIENTS_CA_ANNOTATION} value that CA was made for, so one value
   * rotates the CA once, however often the cluster is reconciled.
   */
  public static final String CLIENTS_CA_ROTATION_ANNOTATION = PREFIX + "clients-ca-rotation";

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

  /** On every applied object: a digest of what was rendered, so an unchanged render is not applied again. */
  public static final String APPLIED_DIGEST_ANNOTATION = PREFIX + "applied-digest";

  public static final String FINALIZER = PREFIX + "finalizer";

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

  /** The smallest stable set that selects a component's pods (selectors are immutable, so no version in them). */
  public static Map<String, String> selector(String cluster, String component) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(CLUSTER, cluster);
    labels.put(COMPONENT, component);
    return labels;
  }
}
