package dev.operator.sks.pki;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Finds the real binaries (etcd, kube-apiserver, etcdctl) that ../shared/envtest/install.sh lays
 * out for fabric8's kube-api-test. Tests that need one fail when it is missing instead of skipping:
 * CI installs them, so a skip would only hide a broken set-up.
 */
public final class TestBinaries {

    private TestBinaries() {}

    /** The binary, or an AssertionError that says how to install it. */
    public static Path require(String name) {
        return find(name)
                .orElseThrow(() -> new AssertionError(name + " not found in "
                        + kubeApiTestDirectory().resolve("k8s") + "/*/, on PATH or in " + envtestCache()
                        + ". Run ../shared/envtest/install.sh"
                        + " (it installs etcd and kube-apiserver for the tests, offline, in a few minutes)."));
    }

    /**
     * Looks in the kube-api-test directory first (newest version directory), then on PATH, then in
     * the installer's cache, which holds etcd before the slower kube-apiserver build has finished.
     */
    public static Optional<Path> find(String name) {
        List<Path> candidates = new ArrayList<>();
        Path k8s = kubeApiTestDirectory().resolve("k8s");
        if (Files.isDirectory(k8s)) {
            try (Stream<Path> versions = Files.list(k8s)) {
                versions.sorted(Comparator.comparing(TestBinaries::versionKey).reversed())
                        .map(version -> version.resolve(name))
                        .forEach(candidates::add);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
        String path = System.getenv("PATH");
        if (path != null) {
            for (String directory : path.split(File.pathSeparator)) {
                if (!directory.isEmpty()) {
                    candidates.add(Path.of(directory, name));
                }
            }
        }
        candidates.add(envtestCache().resolve("etcd/usr/bin").resolve(name));
        return candidates.stream()
                .filter(Files::isRegularFile)
                .filter(Files::isExecutable)
                .findFirst();
    }

    private static Path envtestCache() {
        String configured = System.getenv("SKS_ENVTEST_CACHE");
        return Path.of(configured != null && !configured.isBlank() ? configured : "/var/cache/sks-envtest");
    }

    static Path kubeApiTestDirectory() {
        String configured = System.getenv("KUBE_API_TEST_DIR");
        return configured != null && !configured.isBlank()
                ? Path.of(configured)
                : Path.of(System.getProperty("user.home"), ".kubeapitest");
    }

    /** As strings "1.9.0" would sort above "1.20.2": compare the numbers instead. */
    private static String versionKey(Path versionDirectory) {
        String name = versionDirectory.getFileName().toString();
        StringBuilder key = new StringBuilder();
        for (String part : name.split("-")[0].split("\\.")) {
            key.append(String.format(
                    "%06d", part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? Integer.parseInt(part) : 0));
        }
        return key.toString();
    }
}
