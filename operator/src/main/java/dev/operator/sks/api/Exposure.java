package dev.operator.sks.api;

import com.fasterxml.jackson.annotation.JsonProperty;

/** How the tenant API server is reached: the type of the {@code <cluster>-apiserver} Service. */
public enum Exposure {
    @JsonProperty("LoadBalancer")
    LOAD_BALANCER,
    @JsonProperty("NodePort")
    NODE_PORT,
    @JsonProperty("ClusterIP")
    CLUSTER_IP
}
