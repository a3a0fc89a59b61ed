package dev.operator.sks.catalog;

/** A machine size a Nodepool may use. */
public record InstanceType(String name, int cpus, int memoryMiB, int gpus) {
    /** The kubelet, the CNI and system pods leave too little of a smaller machine for workloads. */
    public static final int MINIMUM_NODE_MEMORY_MIB = 2048;

    public boolean canRunNode() {
        return memoryMiB >= MINIMUM_NODE_MEMORY_MIB;
    }

    public String family() {
        return name.substring(0, name.indexOf('.'));
    }

    public String size() {
        return name.substring(name.indexOf('.') + 1);
    }
}
