package dev.operator.sks.etcd;

import java.util.List;

/**
 * The maintenance calls of etcd's v3 API the operator needs to keep a cluster's db small and writable: each member's
 * status (db size allocated and in use), the alarms, compaction, defragmentation, and disarming an alarm. Status and
 * defragmentation concern the one member this client addresses; {@link #member} addresses another with the same
 * credentials. Alarms and compaction are the cluster's, through whichever member is asked.
 */
public interface EtcdMaintenance extends EtcdMembers {

    /** The addressed member's status. */
    EtcdMemberStatus status() throws EtcdException;

    /** Every alarm raised in the cluster, with the member that raised it. */
    List<EtcdAlarm> alarms() throws EtcdException;

    /** Disarms one alarm; etcd accepts writes again once no NOSPACE alarm is left. */
    void disarm(EtcdAlarm alarm) throws EtcdException;

    /**
     * Compacts the key space up to {@code revision} and waits until every member has applied it (physical), so a
     * defragmentation that follows finds the freed pages.
     */
    void compact(long revision) throws EtcdException;

    /**
     * Defragments the addressed member: copies its pages in use into a new db file and gives the rest back to the
     * disk. The member answers nothing else meanwhile (seconds for a large db), hence one member at a time.
     */
    void defragment() throws EtcdException;

    /** The same credentials addressed to another member's client URL (as etcd's member list gives it). */
    EtcdMaintenance member(String clientUrl) throws EtcdException;
}
