package dev.operator.sks.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** The repository's own files (crds/, examples/, helm/), found from the operator module in any build. */
public final class RepoPaths {
    private RepoPaths() {}

    public static Path root() {
        String configured = System.getProperty("sks.repo.root");
        Path root = configured != null ? Path.of(configured) : Path.of("..");
        if (!Files.isDirectory(root.resolve("crds"))) {
            root = Path.of(".");
        }
        return root.toAbsolutePath().normalize();
    }

    public static Path crds() {
        return root().resolve("crds");
    }

    public static Path examples() {
        return root().resolve("examples");
    }

    public static Path helmChart() {
        return root().resolve("helm").resolve("sks-operator");
    }

    /** Where the CRD generator writes, in this build. */
    public static Path generatedCrds() {
        return root().resolve("operator/target/classes/META-INF/fabric8");
    }
}
