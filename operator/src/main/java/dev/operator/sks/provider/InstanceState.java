package dev.operator.sks.provider;

/** The life of an instance as every provider reports it (the InstancePool status shows the same words). */
public enum InstanceState {
    Starting,
    Running,
    Stopping,
    Failed
}
