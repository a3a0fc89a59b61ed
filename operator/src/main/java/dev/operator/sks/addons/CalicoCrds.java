package dev.operator.sks.addons;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The CustomResourceDefinitions of Calico's Kubernetes datastore, as its manifest install (calico.yaml) ships them:
 * the {@code crd.projectcalico.org/v1} kinds calico-node, the CNI plugin and calico-kube-controllers store their state
 * in and users write policy with, and the {@code policy.networking.k8s.io} AdminNetworkPolicy kinds calico-node
 * watches since 3.29.
 *
 * <p>One list for every Calico version of the catalog (3.28 to 3.30): a kind an older calico-node does not know is
 * simply unused, while a kind a newer one watches (tiers since 3.29, staged policies since 3.30) must exist or it
 * does not start.
 *
 * <p>Names, group, scope and versions are Calico's; so is the absence of a status subresource on the
 * {@code crd.projectcalico.org} kinds (calico-node and kube-controllers write their status with plain updates, which a
 * status subresource would drop). The schemas are not: calico.yaml's run to hundreds of kilobytes (FelixConfiguration
 * alone has some hundred fields), so spec and status keep unknown fields
 * ({@code x-kubernetes-preserve-unknown-fields}) and Calico validates what it reads, as it does for objects written
 * before a schema existed. The API server still checks names, kinds and that spec is an object.
 */
public final class CalicoCrds {
    static final String GROUP = "crd.projectcalico.org";
    static final String VERSION = "v1";
    static final String POLICY_GROUP = "policy.networking.k8s.io";
    static final String POLICY_VERSION = "v1alpha1";
    static final String API_APPROVED_ANNOTATION = "api-approved.kubernetes.io";
    /** The approval the network-policy API's own CRDs cite. */
    static final String NETWORK_POLICY_API_APPROVAL = "https://github.com/kubernetes-sigs/network-policy-api/pull/30";

    /** One kind: its group and version, plural, whether namespaced, short names, and a status subresource. */
    record Kind(
            String group,
            String version,
            String kind,
            String plural,
            boolean namespaced,
            List<String> shortNames,
            boolean statusSubresource) {

        static Kind calico(String kind, String plural) {
            return new Kind(GROUP, VERSION, kind, plural, false, List.of(), false);
        }

        static Kind calicoNamespaced(String kind, String plural) {
            return new Kind(GROUP, VERSION, kind, plural, true, List.of(), false);
        }

        String name() {
            return plural + "." + group;
        }
    }

    /** In calico.yaml's order: alphabetical by plural, the Kubernetes policy kinds last. */
    static final List<Kind> KINDS = List.of(
            Kind.calico("BGPConfiguration", "bgpconfigurations"),
            Kind.calico("BGPFilter", "bgpfilters"),
            Kind.calico("BGPPeer", "bgppeers"),
            Kind.calico("BlockAffinity", "blockaffinities"),
            Kind.calico("CalicoNodeStatus", "caliconodestatuses"),
            Kind.calico("ClusterInformation", "clusterinformations"),
            Kind.calico("FelixConfiguration", "felixconfigurations"),
            Kind.calico("GlobalNetworkPolicy", "globalnetworkpolicies"),
            Kind.calico("GlobalNetworkSet", "globalnetworksets"),
            Kind.calico("HostEndpoint", "hostendpoints"),
            Kind.calico("IPAMBlock", "ipamblocks"),
            Kind.calico("IPAMConfig", "ipamconfigs"),
            Kind.calico("IPAMHandle", "ipamhandles"),
            Kind.calico("IPPool", "ippools"),
            Kind.calico("IPReservation", "ipreservations"),
            Kind.calico("KubeControllersConfiguration", "kubecontrollersconfigurations"),
            Kind.calicoNamespaced("NetworkPolicy", "networkpolicies"),
            Kind.calicoNamespaced("NetworkSet", "networksets"),
            Kind.calico("StagedGlobalNetworkPolicy", "stagedglobalnetworkpolicies"),
            Kind.calicoNamespaced("StagedKubernetesNetworkPolicy", "stagedkubernetesnetworkpolicies"),
            Kind.calicoNamespaced("StagedNetworkPolicy", "stagednetworkpolicies"),
            Kind.calico("Tier", "tiers"),
            // The Kubernetes network-policy API (sig-network); its controllers report status through the subresource.
            new Kind(
                    POLICY_GROUP,
                    POLICY_VERSION,
                    "AdminNetworkPolicy",
                    "adminnetworkpolicies",
                    false,
                    List.of("anp"),
                    true),
            new Kind(
                    POLICY_GROUP,
                    POLICY_VERSION,
                    "BaselineAdminNetworkPolicy",
                    "baselineadminnetworkpolicies",
                    false,
                    List.of("banp"),
                    true));

    private CalicoCrds() {}

    public static List<CustomResourceDefinition> all() {
        return KINDS.stream().map(CalicoCrds::definition).toList();
    }

    static CustomResourceDefinition definition(Kind kind) {
        ObjectMeta metadata = AddonParts.clusterScoped(Calico.ADDON, kind.name());
        if (kind.group().endsWith(".k8s.io")) {
            // The API server refuses a CRD in a Kubernetes group without the review that approved the API.
            metadata.setAnnotations(Map.of(API_APPROVED_ANNOTATION, NETWORK_POLICY_API_APPROVAL));
        }
        CustomResourceDefinitionBuilder builder = new CustomResourceDefinitionBuilder()
                .withMetadata(metadata)
                .withNewSpec()
                .withGroup(kind.group())
                .withScope(kind.namespaced() ? "Namespaced" : "Cluster")
                .withNewNames()
                .withKind(kind.kind())
                .withListKind(kind.kind() + "List")
                .withPlural(kind.plural())
                .withSingular(kind.kind().toLowerCase(Locale.ROOT))
                .withShortNames(kind.shortNames())
                .endNames()
                .addNewVersion()
                .withName(kind.version())
                .withServed(true)
                .withStorage(true)
                .withNewSchema()
                .withOpenAPIV3Schema(schema())
                .endSchema()
                .endVersion()
                .endSpec();
        if (kind.statusSubresource()) {
            builder.editSpec()
                    .editFirstVersion()
                    .withNewSubresources()
                    .withNewStatus()
                    .endStatus()
                    .endSubresources()
                    .endVersion()
                    .endSpec();
        }
        return builder.build();
    }

    /** The envelope is typed; spec and status keep whatever Calico writes (see the class comment for why). */
    static JSONSchemaProps schema() {
        Map<String, JSONSchemaProps> properties = new TreeMap<>();
        properties.put("apiVersion", type("string"));
        properties.put("kind", type("string"));
        properties.put("metadata", type("object"));
        properties.put("spec", open());
        properties.put("status", open());
        return new JSONSchemaPropsBuilder()
                .withType("object")
                .withProperties(properties)
                .build();
    }

    private static JSONSchemaProps type(String type) {
        return new JSONSchemaPropsBuilder().withType(type).build();
    }

    private static JSONSchemaProps open() {
        return new JSONSchemaPropsBuilder()
                .withType("object")
                .withXKubernetesPreserveUnknownFields(true)
                .build();
    }
}
