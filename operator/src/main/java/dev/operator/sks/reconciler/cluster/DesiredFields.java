package dev.operator.sks.reconciler.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.Iterator;
import java.util.Map;

/**
 * Whether an observed object already says what the operator wants in the fields the operator sets. Pure: the
 * decision to write is made here, without a server.
 *
 * <p>Every field set in the desired object must hold the same value in the observed one, recursively; lists match
 * element by element and must have the same length (a list the operator sets is the operator's, as server-side
 * apply treats atomic and keyed lists alike when one manager sets them whole). Fields only the observed object has
 * are what the server or other controllers add (status, defaults, uid, managedFields) and are ignored. An empty
 * map or list in the desired object sets nothing, as the API server drops them; so do false, 0 and "" where the
 * observed object has no such field (the API server leaves out the zero value of an {@code omitempty} field).
 *
 * <p>Known limit: a list another manager adds elements to (a sidecar injected by a webhook) never matches, so such an
 * object is applied on every reconcile; server-side apply keeps the other manager's elements, so nothing breaks.
 */
public final class DesiredFields {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    private DesiredFields() {}

    public static boolean satisfiedBy(HasMetadata desired, HasMetadata observed) {
        return matches(
                SERIALIZATION.convertValue(desired, JsonNode.class),
                SERIALIZATION.convertValue(observed, JsonNode.class));
    }

    static boolean matches(JsonNode desired, JsonNode observed) {
        if (isUnset(desired)) {
            return observed == null || isUnset(observed);
        }
        if (observed == null || observed.isNull() || observed.isMissingNode()) {
            return isZero(desired);
        }
        if (desired.isObject()) {
            if (!observed.isObject()) {
                return false;
            }
            for (Iterator<Map.Entry<String, JsonNode>> fields = desired.fields(); fields.hasNext(); ) {
                Map.Entry<String, JsonNode> field = fields.next();
                if (!matches(field.getValue(), observed.get(field.getKey()))) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isArray()) {
            if (!observed.isArray() || observed.size() != desired.size()) {
                return false;
            }
            for (int i = 0; i < desired.size(); i++) {
                if (!matches(desired.get(i), observed.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (desired.isNumber() && observed.isNumber()) {
            // 1 read back as a long is still 1.
            return desired.decimalValue().compareTo(observed.decimalValue()) == 0;
        }
        return desired.equals(observed);
    }

    private static boolean isZero(JsonNode node) {
        return (node.isBoolean() && !node.booleanValue())
                || (node.isNumber() && node.decimalValue().signum() == 0)
                || (node.isTextual() && node.textValue().isEmpty());
    }

    private static boolean isUnset(JsonNode node) {
        return node == null || node.isNull() || node.isMissingNode() || (node.isContainerNode() && node.isEmpty());
    }
}
