package dev.operator.sks.rendering;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Exposure;
import dev.operator.sks.api.SKSCluster;
import io.fabric8.kubernetes.api.model.LoadBalancerIngressBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class EndpointResolverTest {

    @Test
    void loadBalancerUsesItsIngressIpOnPort443() {
        Service service = observed(Exposure.LOAD_BALANCER);
        service.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder()
                .withNewLoadBalancer()
                .withIngress(new LoadBalancerIngressBuilder()
                        .withIp("203.0.113.10")
                        .withHostname("lb.example.net")
                        .build())
                .endLoadBalancer()
                .build());

        Optional<Endpoint> endpoint = EndpointResolver.resolve(service, Optional.empty());

        assertThat(endpoint).contains(new Endpoint("203.0.113.10", 443));
        assertThat(endpoint.get().url()).isEqualTo("https://203.0.113.10:443");
    }

    @Test
    void loadBalancerWithAHostnameOnly() {
        Service service = observed(Exposure.LOAD_BALANCER);
        service.setStatus(new io.fabric8.kubernetes.api.model.ServiceStatusBuilder()
                .withNewLoadBalancer()
                .withIngress(new LoadBalancerIngressBuilder()
                        .withHostname("lb-1.elb.example.net")
                        .build())
                .endLoadBalancer()
                .build());

        assertThat(EndpointResolver.resolve(service, Optional.empty()).map(Endpoint::url))
                .contains("https://lb-1.elb.example.net:443");
    }

    @Test
    void loadBalancerWithoutAnAddressYetHasNoEndpoint() {
        Service pending = observed(Exposure.LOAD_BALANCER);
        pending.getSpec().setClusterIP("10.0.0.20");

        assertThat(EndpointResolver.resolve(pending, Optional.of("192.0.2.1"))).isEmpty();
    }

    @Test
    void nodePortUsesTheGivenNodeAddressAndTheAllocatedPort() {
        Service service = observed(Exposure.NODE_PORT);
        service.getSpec().getPorts().get(0).setNodePort(31443);
        service.getSpec().getPorts().get(1).setNodePort(31132);

        assertThat(EndpointResolver.resolve(service, Optional.of("192.0.2.1")))
                .contains(new Endpoint("192.0.2.1", 31443));
    }

    @Test
    void nodePortWithoutANodeAddressOrAPortHasNoEndpoint() {
        Service allocated = observed(Exposure.NODE_PORT);
        allocated.getSpec().getPorts().get(0).setNodePort(31443);
        Service unallocated = observed(Exposure.NODE_PORT);

        assertThat(EndpointResolver.resolve(allocated, Optional.empty())).isEmpty();
        assertThat(EndpointResolver.resolve(unallocated, Optional.of("192.0.2.1")))
                .isEmpty();
    }

    @Test
    void clusterIpUsesTheClusterIpOnPort443() {
        Service service = observed(Exposure.CLUSTER_IP);
        service.getSpec().setClusterIP("10.0.0.20");

        assertThat(EndpointResolver.resolve(service, Optional.empty()).map(Endpoint::url))
                .contains("https://10.0.0.20:443");
    }

    @Test
    void clusterIpNotAllocatedYetHasNoEndpoint() {
        assertThat(EndpointResolver.resolve(observed(Exposure.CLUSTER_IP), Optional.empty()))
                .isEmpty();
        assertThat(EndpointResolver.resolve(null, Optional.empty())).isEmpty();
    }

    @Test
    void resolvesByTheObservedTypeNotTheSpec() {
        // The spec moved to ClusterIP, the server still has the old LoadBalancer Service.
        Service stillLoadBalancer = observed(Exposure.LOAD_BALANCER);
        stillLoadBalancer.getSpec().setClusterIP("10.0.0.20");

        assertThat(EndpointResolver.resolve(stillLoadBalancer, Optional.empty()))
                .isEmpty();
    }

    @Test
    void ipv6HostsAreBracketedInTheUrl() {
        assertThat(new Endpoint("2001:db8::10", 443).url()).isEqualTo("https://[2001:db8::10]:443");
    }

    private static Service observed(Exposure exposure) {
        SKSCluster cluster = Fixtures.starter();
        Fixtures.controlPlane(cluster).exposure = exposure;
        return new ServiceBuilder(ApiserverRenderer.service(Fixtures.inputs(cluster))).build();
    }
}
