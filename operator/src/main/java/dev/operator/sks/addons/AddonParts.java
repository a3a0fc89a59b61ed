package dev.operator.sks.addons;

import dev.operator.sks.naming.Labels;
import dev.operator.sks.naming.Names;
import dev.operator.sks.support.Digests;
import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.Toleration;
import io.fabric8.kubernetes.api.model.TolerationBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBinding;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Pieces every addon shares: labels, service accounts, RBAC, tolerations, a digest that rolls pods. */
final class AddonParts {
    static final String NAMESPACE = Names.TENANT_KUBE_SYSTEM;
    static final String RBAC_GROUP = "rbac.authorization.k8s.io";
    /** Where every pod finds its service-account token and the cluster CA (published by the controller-manager). */
    static final String SERVICE_ACCOUNT_DIR = "/var/run/secrets/kubernetes.io/serviceaccount";
    /** The label upstream manifests select addon pods by; kept so their documentation and dashboards apply. */
    static final String APP_LABEL = "k8s-app";

    static final String NODE_CRITICAL = "system-node-critical";
    static final String CLUSTER_CRITICAL = "system-cluster-critical";
    static final Map<String, String> LINUX_NODES = Map.of("kubernetes.io/os", "linux");

    private AddonParts() {}

    /** Labels of every object of {@code addon}: managed by the operator, and which addon. */
    static Map<String, String> labels(String addon) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put(Labels.MANAGED_BY, Labels.MANAGED_BY_VALUE);
        labels.put(Labels.ADDON, addon);
        labels.put(Labels.NAME, addon);
        return labels;
    }

    /** Pod labels: the upstream selector label plus the object labels. */
    static Map<String, String> podLabels(String addon, String app) {
        Map<String, String> labels = new LinkedHashMap<>(selector(app));
        labels.putAll(labels(addon));
        return labels;
    }

    static Map<String, String> selector(String app) {
        return Map.of(APP_LABEL, app);
    }

    static ObjectMeta namespaced(String addon, String name) {
        return new ObjectMetaBuilder()
                .withName(name)
                .withNamespace(NAMESPACE)
                .withLabels(labels(addon))
                .build();
    }

    static ObjectMeta clusterScoped(String addon, String name) {
        return new ObjectMetaBuilder().withName(name).withLabels(labels(addon)).build();
    }

    static ServiceAccount serviceAccount(String addon, String name) {
        return new ServiceAccountBuilder().withMetadata(namespaced(addon, name)).build();
    }

    static ClusterRole clusterRole(String addon, String name, PolicyRule... rules) {
        return new ClusterRoleBuilder()
                .withMetadata(clusterScoped(addon, name))
                .withRules(rules)
                .build();
    }

    static PolicyRule rule(String apiGroup, List<String> resources, String... verbs) {
        return new PolicyRuleBuilder()
                .withApiGroups(apiGroup)
                .withResources(resources)
                .withVerbs(verbs)
                .build();
    }

    /** Binds {@code clusterRole} to the kube-system service account {@code serviceAccount}. */
    static ClusterRoleBinding clusterRoleBinding(String addon, String name, String clusterRole, String serviceAccount) {
        return new ClusterRoleBindingBuilder()
                .withMetadata(clusterScoped(addon, name))
                .withNewRoleRef(RBAC_GROUP, "ClusterRole", clusterRole)
                .withSubjects(serviceAccountSubject(serviceAccount))
                .build();
    }

    /** Binds the kube-system Role {@code role} to the kube-system service account {@code serviceAccount}. */
    static RoleBinding roleBinding(String addon, String name, String role, String serviceAccount) {
        return new RoleBindingBuilder()
                .withMetadata(namespaced(addon, name))
                .withNewRoleRef(RBAC_GROUP, "Role", role)
                .withSubjects(serviceAccountSubject(serviceAccount))
                .build();
    }

    static Subject serviceAccountSubject(String serviceAccount) {
        return new SubjectBuilder()
                .withKind("ServiceAccount")
                .withName(serviceAccount)
                .withNamespace(NAMESPACE)
                .build();
    }

    /** Node agents run on every node, whatever a nodepool's taints: without them the node does not work. */
    static List<Toleration> tolerateEverything() {
        return List.of(new TolerationBuilder().withOperator("Exists").build());
    }

    static Toleration criticalAddonsOnly() {
        return new TolerationBuilder()
                .withKey("CriticalAddonsOnly")
                .withOperator("Exists")
                .build();
    }

    /**
     * A digest of configuration files a pod reads at start, put on its template so a change rolls the pods: each name
     * and content followed by a NUL (which neither contains), in name order; 8 bytes are plenty to tell versions apart.
     */
    static String digest(Map<String, String> files) {
        StringBuilder text = new StringBuilder();
        new TreeMap<>(files)
                .forEach((name, content) ->
                        text.append(name).append('\0').append(content).append('\0'));
        return Digests.sha256Hex(text.toString(), 8);
    }
}
