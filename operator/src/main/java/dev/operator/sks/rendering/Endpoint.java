package dev.operator.sks.rendering;

import java.util.Objects;

/** Where users reach a cluster's API server. */
public record Endpoint(String host, int port) {
    public Endpoint {
        Objects.requireNonNull(host, "host");
        if (host.isBlank() || port < 1 || port > 65535) {
            throw new IllegalArgumentException("not an endpoint: " + host + ":" + port);
        }
    }

    /** {@code https://host:port}, with an IPv6 host in brackets. */
    public String url() {
        return "https://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}
