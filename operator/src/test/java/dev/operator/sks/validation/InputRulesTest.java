package dev.operator.sks.validation;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.KubeconfigRequestSpec;
import dev.operator.sks.api.NetworkingSpec;
import dev.operator.sks.api.OidcSpec;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.api.SKSClusterAcceptedNetworking;
import dev.operator.sks.api.SKSClusterSpec;
import dev.operator.sks.api.SKSClusterStatus;
import dev.operator.sks.catalog.VersionCatalog;
import dev.operator.sks.config.OperatorConfig;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The rules that a v1.20 API server leaves to the operator: names, networks, OIDC, subjects, Secret names. */
class InputRulesTest {
    private final ClusterValidator validator =
            new ClusterValidator(VersionCatalog.loadDefault(), OperatorConfig.DEFAULT_ZONES);

    @Test
    void clusterNamesMustBeShortDnsLabelsWithoutReservedEndings() {
        assertThat(reasons("prod")).isEmpty();
        assertThat(reasons("my.cluster")).containsExactly("InvalidName");
        assertThat(reasons("1st")).containsExactly("InvalidName");
        assertThat(reasons("Prod")).containsExactly("InvalidName");
        assertThat(reasons("a".repeat(48))).containsExactly("NameTooLong");
        assertThat(reasons("team-scheduler")).containsExactly("NameReserved");
        Violation tooLong = ClusterNames.check("a".repeat(60)).orElseThrow();
        assertThat(tooLong.message()).contains("47").contains("-etcd").doesNotContain("null");
    }

    @Test
    void cidrsMustBeCanonicalAndDisjoint() {
        SKSClusterSpec spec = spec();
        spec.networking = networking("192.168.1.5/16", "10.96.0.0/12");
        List<Violation> violations = validator.validate(spec, null, Optional.empty());
        assertThat(violations).extracting(Violation::reason).containsExactly("InvalidNetworking");
        assertThat(violations.get(0).message()).contains("192.168.0.0/16");

        spec.networking = networking("10.0.0.0/8", "10.96.0.0/12");
        assertThat(validator.validate(spec, null, Optional.empty()))
                .extracting(Violation::message)
                .anySatisfy(m -> assertThat(m).contains("overlaps"));
        for (String odd : List.of(
                "300.1.1.1/16", "10.0.0.0/33", "10.0.0.0/99999999999", "10.0.0.0", "", "010.0.0.0/8", "10.0.0.0/+8")) {
            spec.networking = networking(odd, "10.96.0.0/12");
            assertThat(validator.validate(spec, null, Optional.empty()))
                    .as(odd)
                    .extracting(Violation::reason)
                    .contains("InvalidNetworking");
        }
    }

    @Test
    void acceptedNetworkingIsRecordedOnceAndCannotChange() {
        SKSClusterSpec spec = spec();
        SKSClusterAcceptedNetworking recorded = ClusterValidator.networkingToRecord(spec, null);
        assertThat(recorded.podCIDR).isEqualTo("192.168.0.0/16");
        assertThat(recorded.serviceCIDR).isEqualTo("10.96.0.0/12");
        assertThat(recorded.dnsDomain).isEqualTo("cluster.local");
        SKSClusterStatus status = new SKSClusterStatus();
        status.networking = recorded;
        spec.networking = networking("172.16.0.0/16", "10.112.0.0/12");
        spec.networking.dnsDomain = "example.internal";
        List<Violation> violations = validator.validate(spec, status, Optional.empty());
        assertThat(violations)
                .extracting(Violation::reason)
                .containsOnly("NetworkingImmutable")
                .hasSize(3);
        assertThat(Violation.messageOf(violations)).contains("set it back to 192.168.0.0/16");
        assertThat(ClusterValidator.networkingToRecord(spec, status)).isSameAs(recorded);
    }

    @Test
    void oidcIssuerMustBeAnHttpsUrlAndClaimsMustNotSplit() {
        SKSClusterSpec spec = spec();
        spec.oidc = new OidcSpec();
        spec.oidc.clientID = "kubernetes";
        for (String issuer : List.of(
                "https://a b c",
                "http://issuer.example.com",
                "https://",
                "https://x/?q=1",
                "https://user@x",
                "https:///path")) {
            spec.oidc.issuerURL = issuer;
            assertThat(validator.validate(spec, null, Optional.empty()))
                    .as(issuer)
                    .extracting(Violation::reason)
                    .containsExactly("InvalidOIDC");
        }
        spec.oidc.issuerURL = "https://issuer.example.com/realms/x";
        assertThat(validator.validate(spec, null, Optional.empty())).isEmpty();
        Map<String, String> claims = new LinkedHashMap<>();
        claims.put("a=b,c", "d");
        spec.oidc.requiredClaims = claims;
        assertThat(validator.validate(spec, null, Optional.empty()))
                .extracting(Violation::reason)
                .containsExactly("InvalidOIDC");
        claims.clear();
        claims.put("hd", "example.com");
        assertThat(validator.validate(spec, null, Optional.empty())).isEmpty();
    }

    @Test
    void anUnsetZoneOrVersionIsNamedWithoutPrintingNull() {
        SKSClusterSpec spec = new SKSClusterSpec();
        List<Violation> violations = validator.validate(spec, null, Optional.empty());
        assertThat(violations).extracting(Violation::reason).contains("ZoneNotOffered", "VersionNotSupported");
        assertThat(Violation.messageOf(violations)).doesNotContain("null").contains("(unset)");
    }

    @Test
    void theClusterIsValidatedWithItsName() {
        SKSCluster cluster = new SKSCluster();
        cluster.setMetadata(new ObjectMetaBuilder().withName("base-clients").build());
        cluster.setSpec(spec());
        assertThat(validator.validate(cluster, null, Optional.empty()))
                .extracting(Violation::reason)
                .containsExactly("NameReserved");
        SKSClusterStatus running = new SKSClusterStatus();
        running.zone = "ch-gva-2";
        assertThat(validator.validate(cluster, running, Optional.empty()))
                .as("accepted before the rule existed")
                .isEmpty();
    }

    @Test
    void subjectsArePrintableWithoutDirectionMarks() {
        for (String user : List.of(
                "alice\u202Eevil",
                "a\u2066b",
                "a\u200Fb",
                "a\u200Bb",
                "tab\tbed",
                "bell\u0007",
                "\u0085next",
                " padded",
                "a\uFEFFb")) {
            KubeconfigRequestSpec spec = request(user);
            assertThat(KubeconfigRequestValidator.validate(spec))
                    .as(user)
                    .extracting(Violation::reason)
                    .containsExactly("InvalidUser");
            assertThat(Violation.messageOf(KubeconfigRequestValidator.validate(spec)))
                    .doesNotContain(user);
        }
        assertThat(KubeconfigRequestValidator.validate(request("Zoë O'Brien"))).isEmpty();
        KubeconfigRequestSpec grouped = request("alice");
        grouped.groups = List.of("dev", "ops\u202E");
        assertThat(KubeconfigRequestValidator.validate(grouped))
                .extracting(Violation::reason)
                .containsExactly("InvalidGroup");
    }

    @Test
    void aRequestNeverWritesAClusterSecret() {
        List<String> clusters = List.of("prod");
        assertThat(secretName("prod-kubeconfig", "prod", List.of())).contains("SecretNameReserved");
        assertThat(secretName("prod-ca", "other", clusters)).contains("SecretNameReserved");
        assertThat(secretName("later-etcd", "prod", clusters))
                .as("a future cluster's etcd CA")
                .contains("SecretNameReserved");
        assertThat(secretName("x-controller-manager-kubeconfig", "prod", clusters))
                .contains("SecretNameReserved");
        assertThat(secretName("alice-kubeconfig", "prod", clusters))
                .as("a request's default name")
                .isEmpty();
        assertThat(secretName("alice-creds", "prod", clusters)).isEmpty();
        assertThat(secretName("prod-ca.kubeconfig", "prod", clusters))
                .as("the suggested name")
                .isEmpty();
        assertThat(secretName("r".repeat(250) + "-kubeconfig", "prod", clusters))
                .as("a default past 253 characters")
                .contains("InvalidSecretName");
        assertThat(KubeconfigRequestValidator.checkSecretName("prod-ca", "prod", clusters)
                        .orElseThrow()
                        .message())
                .contains("cluster CA")
                .contains("prod-ca.kubeconfig");
    }

    @Test
    void aNodepoolNameLabelsItsObjectsSoItFitsALabelValue() {
        dev.operator.sks.api.Nodepool nodepool = new dev.operator.sks.api.Nodepool();
        nodepool.setMetadata(new ObjectMetaBuilder().withName("p".repeat(64)).build());
        nodepool.setSpec(new dev.operator.sks.api.NodepoolSpec());
        nodepool.getSpec().cluster = "prod";
        nodepool.getSpec().size = 1;
        nodepool.getSpec().instanceType = "standard.medium";
        NodepoolValidator validator = new NodepoolValidator(dev.operator.sks.catalog.InstanceTypeCatalog.loadDefault());
        assertThat(validator.validate(nodepool, null))
                .extracting(Violation::reason)
                .containsExactly("InvalidName");
        nodepool.getMetadata().setName("p".repeat(63));
        assertThat(validator.validate(nodepool, null)).isEmpty();
    }

    private static Optional<String> secretName(String name, String cluster, List<String> clusters) {
        return KubeconfigRequestValidator.checkSecretName(name, cluster, clusters)
                .map(Violation::reason);
    }

    private List<String> reasons(String name) {
        return ClusterNames.check(name).map(Violation::reason).stream().toList();
    }

    private static KubeconfigRequestSpec request(String user) {
        KubeconfigRequestSpec spec = new KubeconfigRequestSpec();
        spec.cluster = "prod";
        spec.user = user;
        return spec;
    }

    private static NetworkingSpec networking(String pods, String services) {
        NetworkingSpec networking = new NetworkingSpec();
        networking.podCIDR = pods;
        networking.serviceCIDR = services;
        return networking;
    }

    private static SKSClusterSpec spec() {
        SKSClusterSpec spec = new SKSClusterSpec();
        spec.zone = "ch-gva-2";
        spec.version = "1.33";
        return spec;
    }
}
