/**
 * The operator's own view of a cluster's etcd membership: a small client for the v3 cluster API (list, add a
 * learner, promote) and the pure plan that grows a cluster one member at a time.
 */
package dev.operator.sks.etcd;
