package dev.operator.sks.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
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
    try (InputStream in = InstanceTypeCatalog.class.getResourceAsStream(RESOURCE)) {
      if (in == null) {
        throw new CatalogException("the instance type catalog " + RESOURCE + " is missing from the class path");
      }
      return load(in);
    } catch (IOException e) {
      throw new CatalogException("cannot read the instance type catalog " + RESOURCE, e);
    }
  }

  public static InstanceTypeCatalog load(InputStream yaml) {
    FileFormat file;
    try {
      file = new ObjectMapper(new YAMLFactory())
          .configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true)
          .readValue(yaml, FileFormat.class);
    } catch (IOException e) {
      throw new CatalogException("the instance type catalog is not valid YAML of the expected shape: "
          + e.getMessage(), e);
    }
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
