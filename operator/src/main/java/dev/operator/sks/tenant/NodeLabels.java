package dev.operator.sks.tenant;

import dev.operator.sks.naming.Labels;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Node;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which of a pool's labels to put on one of its Nodes, and which to take off: pure, from the Node (its labels and who
 * set each, as {@code metadata.managedFields} records) and the labels the Nodepool asks for now.
 *
 * <p>The operator applies the pool's labels by server-side apply with a field manager of its own
 * ({@link Labels#NODE_LABELS_FIELD_MANAGER}), so the API server records which labels it set: a label the pool no longer
 * has is one the operator's manager owns and does not apply any more. Server-side apply removes such a label only when
 * no other manager owns it too, and the kubelet does: it registered the Node with the pool's labels (the join
 * configuration's, which the operator wrote). So a label the operator set and dropped is removed explicitly when the
 * kubelet's registration is its only other owner; one that anybody else also set is left to them.
 */
public final class NodeLabels {
    /** The field manager of a kubelet's own writes (registration, status). */
    public static final String KUBELET_MANAGER = "kubelet";

    private NodeLabels() {}

    /**
     * @param apply the labels to apply (all of the pool's, so the operator's manager owns exactly these)
     * @param remove labels the operator set and the pool dropped, to delete first (others' labels are never here)
     * @param needed false when the Node already carries the pool's labels as the operator's and nothing is to go
     */
    public record Plan(Map<String, String> apply, Set<String> remove, boolean needed) {
        public Plan {
            apply = Map.copyOf(apply);
            remove = Set.copyOf(new TreeSet<>(remove));
        }
    }

    public static Plan plan(Node node, Map<String, String> wanted) {
        Map<String, String> current = node.getMetadata().getLabels() == null
                ? Map.of()
                : node.getMetadata().getLabels();
        Map<String, Set<String>> owners = labelOwners(node);
        Set<String> ours = new HashSet<>();
        owners.forEach((label, managers) -> {
            if (managers.contains(Labels.NODE_LABELS_FIELD_MANAGER)) {
                ours.add(label);
            }
        });
        Set<String> remove = new HashSet<>();
        for (String label : ours) {
            if (wanted.containsKey(label) || !current.containsKey(label)) {
                continue;
            }
            Set<String> others = new HashSet<>(owners.get(label));
            others.remove(Labels.NODE_LABELS_FIELD_MANAGER);
            others.remove(KUBELET_MANAGER);
            if (others.isEmpty()) {
                remove.add(label);
            }
        }
        boolean valuesDiffer =
                wanted.entrySet().stream().anyMatch(e -> !e.getValue().equals(current.get(e.getKey())));
        boolean needed = valuesDiffer || !remove.isEmpty() || !ours.equals(wanted.keySet());
        return new Plan(wanted, remove, needed);
    }

    /** Each label's field managers, read from the Node's managed fields ({@code f:metadata} / {@code f:labels}). */
    static Map<String, Set<String>> labelOwners(Node node) {
        Map<String, Set<String>> owners = new HashMap<>();
        List<ManagedFieldsEntry> entries = node.getMetadata().getManagedFields();
        if (entries == null) {
            return owners;
        }
        for (ManagedFieldsEntry entry : entries) {
            if (entry.getFieldsV1() == null
                    || entry.getManager() == null
                    || entry.getSubresource() != null && !entry.getSubresource().isEmpty()) {
                continue;
            }
            Object metadata = entry.getFieldsV1().getAdditionalProperties().get("f:metadata");
            Object labels = metadata instanceof Map<?, ?> m ? m.get("f:labels") : null;
            if (labels instanceof Map<?, ?> fields) {
                for (Object key : fields.keySet()) {
                    String field = String.valueOf(key);
                    if (field.startsWith("f:")) {
                        owners.computeIfAbsent(field.substring(2), k -> new HashSet<>())
                                .add(entry.getManager());
                    }
                }
            }
        }
        return owners;
    }
}
