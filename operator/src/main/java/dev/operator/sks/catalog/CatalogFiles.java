package dev.operator.sks.catalog;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;

/** Reads the catalogs' YAML data files strictly: an unknown key is a typo, refused at start. */
final class CatalogFiles {
    private static final ObjectMapper YAML =
            new ObjectMapper(new YAMLFactory()).configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, true);

    private CatalogFiles() {}

    /** The class-path resource {@code resource}, parsed as {@code type}. */
    static <T> T readResource(String resource, String what, Class<T> type) {
        try (InputStream in = CatalogFiles.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new CatalogException("the " + what + " " + resource + " is missing from the class path");
            }
            return read(in, what, type);
        } catch (IOException e) {
            throw new CatalogException("cannot read the " + what + " " + resource, e);
        }
    }

    static <T> T read(InputStream yaml, String what, Class<T> type) {
        try {
            return YAML.readValue(yaml, type);
        } catch (IOException e) {
            throw new CatalogException(
                    "the " + what + " is not valid YAML of the expected shape: " + e.getMessage(), e);
        }
    }
}
