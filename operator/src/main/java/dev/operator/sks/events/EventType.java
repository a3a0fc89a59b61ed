package dev.operator.sks.events;

/** The two types Kubernetes knows: Warning for what needs a person, Normal for the rest. */
public enum EventType {
    Normal,
    Warning
}
