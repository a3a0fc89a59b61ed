package dev.operator.sks.rendering;

import io.fabric8.kubernetes.api.model.KeyToPath;
import io.fabric8.kubernetes.api.model.Volume;
import java.util.List;
import java.util.Objects;

/**
 * A Secret a control-plane pod mounts, as the volume that mounts it. Each renderer keeps one list of these and derives
 * both the pod's Secret volumes and its certificates hash from it, so no Secret is mounted whose re-issue would not
 * roll the pod.
 *
 * @param volumeName the pod volume, which the containers' mounts name
 * @param secretName the Secret
 * @param items      the keys to project (e.g. a CA's certificate, never its key); empty for every key
 */
record SecretVolume(String volumeName, String secretName, List<KeyToPath> items) {
    SecretVolume {
        Objects.requireNonNull(volumeName, "volumeName");
        Objects.requireNonNull(secretName, "secretName");
        items = List.copyOf(items);
    }

    static SecretVolume of(String volumeName, String secretName, KeyToPath... items) {
        return new SecretVolume(volumeName, secretName, List.of(items));
    }

    Volume volume() {
        return PodParts.secretVolume(volumeName, secretName, items.toArray(KeyToPath[]::new));
    }
}
