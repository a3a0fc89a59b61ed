package dev.operator.sks.catalog;

import java.io.InputStream;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The instance types of {@code catalog/instance-types.yaml}, validated when loaded. */
public final class InstanceTypeCatalog {
    static final String RESOURCE = "/catalog/instance-types.yaml";

    private record FileFormat(List<InstanceType> instanceTypes) {}

    private final Map<String, InstanceType> byName;

    private InstanceTypeCatalog(Map<String, InstanceType> byName) {
        this.byName = byName;
    }

    public static InstanceTypeCatalog loadDefault() {
        return from(CatalogFiles.readResource(RESOURCE, "instance type catalog", FileFormat.class));
    }

    public static InstanceTypeCatalog load(InputStream yaml) {
        return from(CatalogFiles.read(yaml, "instance type catalog", FileFormat.class));
    }

    private static InstanceTypeCatalog from(FileFormat file) {
        if (file == null || file.instanceTypes() == null || file.instanceTypes().isEmpty()) {
            throw new CatalogException("the instance type catalog lists no instance type");
        }
        Map<String, InstanceType> byName = new LinkedHashMap<>();
        for (InstanceType type : file.instanceTypes()) {
            if (type.name() == null || !type.name().matches("^[a-z0-9-]+\\.[a-z0-9-]+$")) {
                throw new CatalogException("instance type name '" + type.name() + "' is not of the form family.size");
            }
            if (type.cpus() < 1 || type.memoryMiB() < 1 || type.gpus() < 0) {
                throw new CatalogException("instance type " + type.name() + " has no CPU or memory");
            }
            if (byName.put(type.name(), type) != null) {
                throw new CatalogException("instance type " + type.name() + " is listed twice");
            }
        }
        return new InstanceTypeCatalog(Map.copyOf(byName));
    }

    public Optional<InstanceType> find(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    public Collection<InstanceType> all() {
        return byName.values();
    }
}
