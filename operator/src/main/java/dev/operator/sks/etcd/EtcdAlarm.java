package dev.operator.sks.etcd;

/**
 * An alarm etcd raised: {@code NOSPACE} (the db reached its quota: etcd refuses every write but deletions and
 * compactions until it is disarmed) or {@code CORRUPT}.
 *
 * @param memberId the member that raised it
 * @param type     etcd's name for it
 */
public record EtcdAlarm(String memberId, String type) {
    public static final String NOSPACE = "NOSPACE";

    public boolean noSpace() {
        return NOSPACE.equals(type);
    }
}
