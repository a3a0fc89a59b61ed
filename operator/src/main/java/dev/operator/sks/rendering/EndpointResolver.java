package dev.operator.sks.rendering;

import io.fabric8.kubernetes.api.model.LoadBalancerIngress;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import java.util.List;
import java.util.Optional;

/**
 * The endpoint of a cluster, from its {@code <cluster>-apiserver} Service as observed (with status), by the Service's
 * actual type: empty while there is nothing to reach yet.
 */
public final class EndpointResolver {
    private EndpointResolver() {}

    /**
     * @param observed    the Service as read from the server
     * @param nodeAddress for a NodePort Service, an address of a management-cluster node the users can reach; a
     *                    NodePort Service has no endpoint without one
     */
    public static Optional<Endpoint> resolve(Service observed, Optional<String> nodeAddress) {
        if (observed == null || observed.getSpec() == null) {
            return Optional.empty();
        }
        Optional<ServicePort> https = httpsPort(observed);
        String type = observed.getSpec().getType() == null
                ? "ClusterIP"
                : observed.getSpec().getType();
        return switch (type) {
            case "LoadBalancer" ->
                loadBalancerHost(observed)
                        .map(host -> new Endpoint(
                                host, https.map(ServicePort::getPort).orElse(ApiserverRenderer.SERVICE_PORT)));
            case "NodePort" ->
                nodeAddress
                        .filter(a -> !a.isBlank())
                        .flatMap(address ->
                                https.map(ServicePort::getNodePort).map(nodePort -> new Endpoint(address, nodePort)));
            case "ClusterIP" ->
                clusterIp(observed)
                        .map(ip -> new Endpoint(
                                ip, https.map(ServicePort::getPort).orElse(ApiserverRenderer.SERVICE_PORT)));
            default -> Optional.empty();
        };
    }

    private static Optional<ServicePort> httpsPort(Service service) {
        List<ServicePort> ports = service.getSpec().getPorts() == null
                ? List.of()
                : service.getSpec().getPorts();
        return ports.stream()
                .filter(p -> ApiserverRenderer.HTTPS_PORT_NAME.equals(p.getName()))
                .findFirst();
    }

    /** The first ingress, by IP when it has one (some clouds give both; the IP needs no DNS). */
    private static Optional<String> loadBalancerHost(Service service) {
        if (service.getStatus() == null
                || service.getStatus().getLoadBalancer() == null
                || service.getStatus().getLoadBalancer().getIngress() == null) {
            return Optional.empty();
        }
        for (LoadBalancerIngress ingress : service.getStatus().getLoadBalancer().getIngress()) {
            if (ingress.getIp() != null && !ingress.getIp().isBlank()) {
                return Optional.of(ingress.getIp());
            }
            if (ingress.getHostname() != null && !ingress.getHostname().isBlank()) {
                return Optional.of(ingress.getHostname());
            }
        }
        return Optional.empty();
    }

    private static Optional<String> clusterIp(Service service) {
        String ip = service.getSpec().getClusterIP();
        return ip == null || ip.isBlank() || "None".equals(ip) ? Optional.empty() : Optional.of(ip);
    }
}
