package dev.operator.sks.api;

/** The coarse lifecycle state of a Nodepool or an InstancePool; conditions carry the detail. */
public enum PoolState {
    Creating,
    Running,
    Scaling,
    Deleting,
    Error
}
