package dev.operator.sks.rendering;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.operator.sks.api.NetworkingSpec;
import dev.operator.sks.api.SKSCluster;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CertificateSansTest {

    @Test
    void apiserverCarriesTheKubernetesServiceNamesTheManagementServiceAndLoopback() {
        SubjectAltNames sans = Fixtures.model(Fixtures.starter()).apiserverSans(Optional.empty());

        assertThat(sans.dnsNames())
                .containsExactly(
                        "kubernetes",
                        "kubernetes.default",
                        "kubernetes.default.svc",
                        "kubernetes.default.svc.cluster.local",
                        "demo-apiserver",
                        "demo-apiserver.tenant-a",
                        "demo-apiserver.tenant-a.svc",
                        "demo-apiserver.tenant-a.svc.cluster.local",
                        "localhost");
        // 10.96.0.0/12 is the default service CIDR: its first address is the kubernetes Service.
        assertThat(sans.ipAddresses()).containsExactly("10.96.0.1", "127.0.0.1");
    }

    @Test
    void apiserverFollowsACustomServiceCidrAndDnsDomain() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getSpec().networking = new NetworkingSpec();
        cluster.getSpec().networking.serviceCIDR = "172.20.0.0/16";
        cluster.getSpec().networking.dnsDomain = "tenant.example";

        SubjectAltNames sans = Fixtures.model(cluster).apiserverSans(Optional.empty());

        assertThat(sans.ipAddresses()).containsExactly("172.20.0.1", "127.0.0.1");
        assertThat(sans.dnsNames())
                .contains("kubernetes.default.svc.tenant.example")
                .doesNotContain("kubernetes.default.svc.cluster.local");
    }

    @Test
    void apiserverAddsTheEndpointHostAndCertSansSortedIntoDnsAndIp() {
        SKSCluster cluster = Fixtures.starter();
        Fixtures.controlPlane(cluster).certSANs = List.of(
                "api.example.com", "198.51.100.7", "2001:db8::1", "*.apps.example.com", "API.example.com", "10.96.0.1");

        ClusterModel model = Fixtures.model(cluster);
        SubjectAltNames withIp = model.apiserverSans(Optional.of("203.0.113.10"));
        SubjectAltNames withHostname = model.apiserverSans(Optional.of("lb-123.elb.example.net"));

        assertThat(withIp.ipAddresses())
                .containsExactly("10.96.0.1", "127.0.0.1", "203.0.113.10", "198.51.100.7", "2001:db8::1");
        assertThat(withIp.dnsNames())
                .contains("api.example.com", "*.apps.example.com")
                .doesNotHaveDuplicates();
        assertThat(withHostname.dnsNames()).contains("lb-123.elb.example.net");
        assertThat(withHostname.ipAddresses()).doesNotContain("203.0.113.10");
    }

    @Test
    void aServiceCidrTheModelCannotReadIsRefused() {
        SKSCluster cluster = Fixtures.starter();
        cluster.getSpec().networking = new NetworkingSpec();
        cluster.getSpec().networking.serviceCIDR = "not-a-cidr";

        assertThatThrownBy(() -> Fixtures.model(cluster))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("not-a-cidr");
    }

    @Test
    void etcdServerNamesEveryMemberUnderThePeerServiceTheClientServiceAndLoopback() {
        SubjectAltNames sans = Fixtures.model(Fixtures.pro()).etcdServerSans();

        for (int i = 0; i < 3; i++) {
            String member = "demo-etcd-" + i + ".demo-etcd-peer";
            assertThat(sans.dnsNames())
                    .contains(
                            member,
                            member + ".tenant-a",
                            member + ".tenant-a.svc",
                            member + ".tenant-a.svc.cluster.local");
        }
        assertThat(sans.dnsNames())
                .contains(
                        "demo-etcd-client",
                        "demo-etcd-client.tenant-a",
                        "demo-etcd-client.tenant-a.svc",
                        "demo-etcd-client.tenant-a.svc.cluster.local",
                        "localhost");
        assertThat(sans.ipAddresses()).containsExactly("127.0.0.1");
    }

    @Test
    void etcdServerIsTheSameForStarterAndPro() {
        // Going pro adds members; their names are in the certificate from the start, so nothing is re-issued.
        assertThat(Fixtures.model(Fixtures.starter()).etcdServerSans())
                .isEqualTo(Fixtures.model(Fixtures.pro()).etcdServerSans());
    }

    @Test
    void everyAdvertisedEtcdUrlHostIsInTheCertificates() {
        ControlPlaneInputs inputs = Fixtures.inputs(Fixtures.pro());
        SubjectAltNames server = inputs.model().etcdServerSans();
        SubjectAltNames peer = inputs.model().etcdPeerSans();

        for (String entry : EtcdRenderer.initialCluster(inputs).split(",")) {
            String host = entry.substring(entry.indexOf("https://") + 8, entry.lastIndexOf(':'));
            assertThat(peer.dnsNames()).contains(host);
            assertThat(server.dnsNames()).contains(host);
        }
        for (String url : List.of(EtcdRenderer.clientUrl(inputs), EtcdRenderer.firstMemberClientUrl(inputs))) {
            assertThat(server.dnsNames()).contains(url.substring(8, url.lastIndexOf(':')));
        }
    }

    @Test
    void theControlPlaneKubeconfigServersAreInTheApiserverCertificate() {
        SKSCluster cluster = Fixtures.starter();
        SubjectAltNames sans = Fixtures.model(cluster).apiserverSans(Optional.empty());

        assertThat(ApiserverUrls.inManagementCluster(cluster)).isEqualTo("https://demo-apiserver.tenant-a.svc:443");
        assertThat(sans.dnsNames()).contains("demo-apiserver.tenant-a.svc");
        assertThat(ApiserverUrls.LOCAL).isEqualTo("https://127.0.0.1:6443");
        assertThat(sans.ipAddresses()).contains("127.0.0.1");
    }
}
