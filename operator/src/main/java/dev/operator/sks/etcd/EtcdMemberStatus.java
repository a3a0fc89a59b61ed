package dev.operator.sks.etcd;

import java.util.List;

/**
 * One member's answer to the Maintenance Status call.
 *
 * @param memberId    the answering member (a uint64 as a decimal string, as the member list gives IDs)
 * @param leaderId    the member it follows as leader; {@code "0"} when it knows none
 * @param revision    the key space's current revision, as this member has applied it
 * @param dbSize      bytes the db file takes on disk (what the quota is checked against)
 * @param dbSizeInUse bytes of it holding data; the rest is free pages only a defragmentation gives back
 * @param errors      what the member reports wrong with itself (an alarm, a failed check); empty when healthy
 */
public record EtcdMemberStatus(
        String memberId, String leaderId, long revision, long dbSize, long dbSizeInUse, List<String> errors) {

    public EtcdMemberStatus {
        errors = errors == null ? List.of() : List.copyOf(errors);
    }

    /** Bytes a defragmentation would give back. */
    public long reclaimable() {
        return Math.max(0, dbSize - dbSizeInUse);
    }

    public boolean isLeader() {
        return memberId.equals(leaderId);
    }
}
