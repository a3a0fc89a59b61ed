package dev.operator.sks.api;

/** How a Nodepool's running machines follow a new revision (Kubernetes version, image, instance type, disk). */
public enum UpgradeStrategy {
    /** Machines are replaced one surge at a time: add a new one, wait for its Node Ready, drain and remove an old one. */
    Replace,
    /** Running machines are left alone: only machines that are evicted, repaired or added come with the new revision. */
    OnDelete
}
