package dev.operator.sks.backup;

import dev.operator.sks.support.Digests;

/**
 * The schedule of a cluster that names none: daily, at a minute and hour taken from a hash of the cluster's UID, so a
 * fleet's backups spread over the day instead of all hitting the object store (and every etcd) at midnight, and a
 * cluster keeps its time across operator restarts.
 */
public final class BackupSchedules {
    private BackupSchedules() {}

    public static String dailyFor(String clusterUid) {
        byte[] hash = Digests.sha256(clusterUid.getBytes(java.nio.charset.StandardCharsets.UTF_8));
        int value = ((hash[0] & 0xff) << 16) | ((hash[1] & 0xff) << 8) | (hash[2] & 0xff);
        int minuteOfDay = value % (24 * 60);
        return (minuteOfDay % 60) + " " + (minuteOfDay / 60) + " * * *";
    }
}
