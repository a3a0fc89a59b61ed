package dev.operator.sks.sizing;

import java.util.Objects;

/** A container's CPU and memory requests, as Kubernetes quantities. */
public record Requests(String cpu, String memory) {
    public Requests {
        Objects.requireNonNull(cpu, "cpu");
        Objects.requireNonNull(memory, "memory");
    }
}
