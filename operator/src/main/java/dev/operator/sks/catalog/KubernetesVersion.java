package dev.operator.sks.catalog;

import java.util.Comparator;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Kubernetes release "major.minor.patch"; a spec may name only "major.minor" (patch absent). */
public record KubernetesVersion(int major, int minor, Optional<Integer> patch)
        implements Comparable<KubernetesVersion> {
    private static final Pattern FORMAT = Pattern.compile("^v?(\\d+)\\.(\\d+)(?:\\.(\\d+))?$");
    private static final Comparator<KubernetesVersion> ORDER = Comparator.comparingInt(KubernetesVersion::major)
            .thenComparingInt(KubernetesVersion::minor)
            .thenComparingInt(v -> v.patch().orElse(-1));

    public static Optional<KubernetesVersion> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(text.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        Optional<Integer> patch = m.group(3) == null ? Optional.empty() : Optional.of(Integer.parseInt(m.group(3)));
        return Optional.of(new KubernetesVersion(Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), patch));
    }

    public static KubernetesVersion of(String text) {
        return parse(text).orElseThrow(() -> new IllegalArgumentException("not a Kubernetes version: " + text));
    }

    public String minorVersion() {
        return major + "." + minor;
    }

    public boolean isPatch() {
        return patch.isPresent();
    }

    /** How many minors this version is ahead of {@code other} (negative when behind). */
    public int minorsAheadOf(KubernetesVersion other) {
        if (major != other.major) {
            throw new IllegalArgumentException("versions of different majors: " + this + " and " + other);
        }
        return minor - other.minor;
    }

    @Override
    public int compareTo(KubernetesVersion other) {
        return ORDER.compare(this, other);
    }

    @Override
    public String toString() {
        return patch.map(p -> minorVersion() + "." + p).orElse(minorVersion());
    }
}
