package dev.operator.sks.etcd;

import java.util.List;

/** The membership calls of etcd's v3 cluster API the operator needs to grow a cluster member by member. */
public interface EtcdMembers {

    /** Every member, voting or learner, started or not. */
    List<EtcdMember> list() throws EtcdException;

    /** {@code member add --learner}: the new member may then start with {@code --initial-cluster-state=existing}. */
    EtcdMember addLearner(String peerUrl) throws EtcdException;

    /** {@code member promote}: refused by etcd while the learner is behind ({@link EtcdException#learnerNotCaughtUp}). */
    void promote(String memberId) throws EtcdException;
}
