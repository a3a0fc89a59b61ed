package dev.operator.sks.api;

/** The coarse lifecycle state shown in {@code kubectl get skc}; conditions carry the detail. */
public enum ClusterState {
    Creating,
    Running,
    Upgrading,
    Updating,
    Deleting,
    Error
}
