package dev.operator.sks.rendering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.Addon;
import dev.operator.sks.api.Cni;
import dev.operator.sks.api.Exposure;
import dev.operator.sks.api.Level;
import dev.operator.sks.api.NetworkingSpec;
import dev.operator.sks.api.OidcSpec;
import dev.operator.sks.api.SKSCluster;
import dev.operator.sks.catalog.Component;
import dev.operator.sks.catalog.KubernetesVersion;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterModelTest {

    @Test
    void whatTheSpecLeavesOutTakesItsDefault() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getSpec().level = null;

        ClusterModel model = Fixtures.model(cluster);

        assertThat(model.level()).isEqualTo(Level.STARTER);
        assertThat(model.cni()).isEqualTo(Cni.CALICO);
        assertThat(model.addons())
                .as("absent: the default set")
                .containsExactly(Addon.METRICS_SERVER, Addon.CLOUD_CONTROLLER);
        assertThat(model.exposure()).isEqualTo(Exposure.LOAD_BALANCER);
        assertThat(model.network())
                .isEqualTo(new ClusterModel.Network("192.168.0.0/16", "10.96.0.0/12", "cluster.local"));
        assertThat(model.extraSans()).isEmpty();
        assertThat(model.oidc()).isEmpty();
    }

    @Test
    void anExplicitAddonListIsTakenAsIsEvenEmpty() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getSpec().addons = List.of();
        assertThat(Fixtures.model(cluster).addons()).isEmpty();
        cluster.getSpec().addons = List.of(Addon.CLOUD_CONTROLLER);
        assertThat(Fixtures.model(cluster).addons()).containsExactly(Addon.CLOUD_CONTROLLER);
    }

    @Test
    void whatTheSpecSaysWins() {
        SKSCluster cluster = Fixtures.pro();
        cluster.getSpec().cni = Cni.NONE;
        cluster.getSpec().addons = List.of(Addon.CLOUD_CONTROLLER, Addon.METRICS_SERVER);
        Fixtures.controlPlane(cluster).exposure = Exposure.NODE_PORT;
        Fixtures.controlPlane(cluster).certSANs = List.of("api.example.com");
        cluster.getSpec().networking = new NetworkingSpec();
        cluster.getSpec().networking.podCIDR = "10.244.0.0/16";
        cluster.getSpec().networking.serviceCIDR = "172.20.0.0/16";
        cluster.getSpec().networking.dnsDomain = "corp.internal";

        ClusterModel model = Fixtures.model(cluster);

        assertThat(model.level()).isEqualTo(Level.PRO);
        assertThat(model.cni()).isEqualTo(Cni.NONE);
        assertThat(model.addons()).containsExactly(Addon.METRICS_SERVER, Addon.CLOUD_CONTROLLER);
        assertThat(model.exposure()).isEqualTo(Exposure.NODE_PORT);
        assertThat(model.extraSans()).containsExactly("api.example.com");
        assertThat(model.network())
                .isEqualTo(new ClusterModel.Network("10.244.0.0/16", "172.20.0.0/16", "corp.internal"));
    }

    @Test
    void theModelIsResolvedOnceAndLaterEditsOfTheResourceDoNotReachIt() {
        SKSCluster cluster = Fixtures.starter();
        List<Addon> addons = new ArrayList<>(List.of(Addon.METRICS_SERVER));
        cluster.getSpec().addons = addons;
        ClusterModel model = Fixtures.model(cluster);

        cluster.getSpec().level = Level.PRO;
        cluster.getSpec().cni = Cni.NONE;
        addons.add(Addon.CLOUD_CONTROLLER);
        cluster.getSpec().networking = new NetworkingSpec();
        cluster.getSpec().networking.serviceCIDR = "172.20.0.0/16";
        cluster.getMetadata().setName("renamed");

        assertThat(model.level()).isEqualTo(Level.STARTER);
        assertThat(model.cni()).isEqualTo(Cni.CALICO);
        assertThat(model.addons()).containsExactly(Addon.METRICS_SERVER);
        assertThat(model.network().serviceCidr()).isEqualTo("10.96.0.0/12");
        assertThat(model.name()).isEqualTo("demo");
    }

    @Test
    void theOwnerCarriesTheClustersIdentityButNoSpecToReadPastTheModel() {
        SKSCluster owner = Fixtures.model(Fixtures.starter()).owner();

        assertThat(owner.getKind()).isEqualTo("SKSCluster");
        assertThat(owner.getApiVersion()).isEqualTo("sks.operator.dev/v1alpha1");
        assertThat(owner.getMetadata().getName()).isEqualTo(Fixtures.NAME);
        assertThat(owner.getMetadata().getNamespace()).isEqualTo(Fixtures.NAMESPACE);
        assertThat(owner.getMetadata().getUid()).isEqualTo(Fixtures.UID);
        assertThat(owner.getSpec()).isNull();
    }

    @Test
    void theKubernetesServiceAndClusterDnsAreTheFirstAndTenthAddressOfTheServiceCidr() {
        ClusterModel.Network defaults = Fixtures.model(Fixtures.starter()).network();
        ClusterModel.Network custom = new ClusterModel.Network("10.244.0.0/16", "172.20.0.0/16", "corp.internal");

        assertThat(defaults.kubernetesServiceIp()).isEqualTo("10.96.0.1");
        assertThat(defaults.clusterDns()).isEqualTo("10.96.0.10");
        assertThat(custom.kubernetesServiceIp()).isEqualTo("172.20.0.1");
        assertThat(custom.clusterDns()).isEqualTo("172.20.0.10");
        assertThatThrownBy(() -> new ClusterModel.Network("10.244.0.0/16", "fd00::/108", "cluster.local"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("fd00::/108");
    }

    @Test
    void theRenderersReadTheAddressesOfTheModel() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getSpec().networking = new NetworkingSpec();
        cluster.getSpec().networking.podCIDR = "10.244.0.0/16";
        cluster.getSpec().networking.serviceCIDR = "172.20.0.0/16";
        ControlPlaneInputs inputs = Fixtures.inputs(cluster);
        ClusterModel.Network network = inputs.model().network();

        assertThat(inputs.model().apiserverSans(Optional.empty()).ipAddresses())
                .contains(network.kubernetesServiceIp());
        assertThat(Fixtures.single(ApiserverRenderer.apiserverArgs(inputs), "service-cluster-ip-range"))
                .isEqualTo(network.serviceCidr());
        assertThat(Fixtures.single(ControllerManagerRenderer.args(inputs, "k"), "cluster-cidr"))
                .isEqualTo(network.podCidr());
    }

    @Test
    void theTargetIsTheSpecsVersionResolvedInTheCatalog() {
        SKSCluster minor = Fixtures.starter();
        minor.getSpec().version = "1.33";
        SKSCluster patch = Fixtures.starter();
        patch.getSpec().version = "1.33.2";
        SKSCluster unknown = Fixtures.starter();
        unknown.getSpec().version = "1.99";

        assertThat(Fixtures.model(minor).targetVersion()).contains(KubernetesVersion.of("1.33.4"));
        assertThat(Fixtures.model(patch).targetVersion()).contains(KubernetesVersion.of("1.33.2"));
        assertThat(Fixtures.model(unknown).targetVersion()).isEmpty();
    }

    @Test
    void autoUpgradeTargetsTheNewestPatchOfTheMinorAskedFor() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getSpec().version = "1.32.3";
        cluster.getSpec().autoUpgrade = true;

        assertThat(Fixtures.model(cluster).targetVersion()).contains(KubernetesVersion.of("1.32.8"));
        assertThat(cluster.getSpec().version).as("the spec is never rewritten").isEqualTo("1.32.3");
    }

    @Test
    void imagesComeFromTheCatalogAtThePatchAskedFor() {
        ClusterModel model = Fixtures.model(Fixtures.starter());

        assertThat(model.image(Component.KUBE_APISERVER, Fixtures.V1_32)).endsWith("kube-apiserver:v1.32.8");
        assertThat(model.image(Component.KUBE_APISERVER, Fixtures.V1_33)).endsWith("kube-apiserver:v1.33.4");
    }

    @Test
    void oidcIsThereOnlyWithAnIssuerAndItsRequiredClaimsAreSortedWithoutNulls() {
        SKSCluster withoutIssuer = Fixtures.starter();
        withoutIssuer.getSpec().oidc = new OidcSpec();
        withoutIssuer.getSpec().oidc.clientID = "sks";
        withoutIssuer.getSpec().oidc.issuerURL = " ";
        SKSCluster withIssuer = Fixtures.starter();
        withIssuer.getSpec().oidc = new OidcSpec();
        withIssuer.getSpec().oidc.issuerURL = "https://login.example.com";
        Map<String, String> claims = new HashMap<>();
        claims.put("tier", "gold");
        claims.put("aud", null);
        withIssuer.getSpec().oidc.requiredClaims = claims;

        assertThat(Fixtures.model(withoutIssuer).oidc()).isEmpty();
        ClusterModel.Oidc oidc = Fixtures.model(withIssuer).oidc().orElseThrow();
        assertThat(oidc.issuerUrl()).isEqualTo("https://login.example.com");
        assertThat(oidc.clientId()).isNull();
        assertThat(oidc.requiredClaims()).containsExactly(Map.entry("aud", ""), Map.entry("tier", "gold"));
    }

    @Test
    void etcdCertificateNamesAreTheSameWhateverTheLevel() {
        assertThat(Fixtures.model(Fixtures.starter()).etcdServerSans())
                .isEqualTo(Fixtures.model(Fixtures.pro()).etcdServerSans());
        assertThat(Fixtures.model(Fixtures.starter()).etcdPeerSans())
                .isEqualTo(Fixtures.model(Fixtures.pro()).etcdPeerSans());
    }
}
