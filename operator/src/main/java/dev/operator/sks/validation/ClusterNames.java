package dev.operator.sks.validation;

import dev.operator.sks.api.Patterns;
import dev.operator.sks.naming.DerivedNames;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which names an SKSCluster may have: those from which every derived name ({@link DerivedNames}) is a valid object
 * name, fits its length limit, and cannot be another cluster's. A name cannot change, so a refused cluster is
 * re-created under another name; it can always be deleted.
 */
public final class ClusterNames {
    private static final Pattern FORMAT = Pattern.compile(Patterns.CLUSTER_NAME);

    private ClusterNames() {}

    /** Empty when {@code name} is a valid cluster name; otherwise what is wrong and what to do. */
    public static Optional<Violation> check(String name) {
        String shown = Values.quoted(name);
        String recreate = "; delete this SKSCluster and create it again under another name (names cannot change)";
        int max = DerivedNames.maxClusterNameLength();
        if (name == null || !FORMAT.matcher(name).matches()) {
            return Optional.of(new Violation(
                    "InvalidName",
                    "metadata.name " + shown + " is not a DNS-1035 label: "
                            + "use lowercase letters, digits and '-', starting with a letter and ending with a letter or digit, "
                            + "without dots (it becomes part of Service and host names), at most " + max + " characters"
                            + recreate));
        }
        if (name.length() > max) {
            DerivedNames.Derived tightest = DerivedNames.tightest();
            return Optional.of(new Violation(
                    "NameTooLong",
                    "metadata.name " + shown + " has " + name.length()
                            + " characters; at most " + max + " fit: the " + tightest.what() + " "
                            + tightest.kind().name().toLowerCase().replace('_', ' ') + " "
                            + tightest.of().apply(name) + " must stay within "
                            + tightest.maxLength() + " characters" + recreate));
        }
        Optional<String> ending = DerivedNames.reservedEndingOf(name);
        if (ending.isPresent()) {
            String other = name.substring(0, name.length() - ending.get().length());
            return Optional.of(new Violation(
                    "NameReserved",
                    "metadata.name " + shown + " ends with '" + ending.get()
                            + "', which is reserved: its objects would take the names of cluster '" + other
                            + "' (for example "
                            + example(name, other) + ")" + recreate));
        }
        return Optional.empty();
    }

    /** A derived name that cluster {@code name} and cluster {@code other} would share. */
    private static String example(String name, String other) {
        return DerivedNames.all().stream()
                .flatMap(mine -> DerivedNames.of(mine.kind()).stream()
                        .filter(theirs ->
                                mine.of().apply(name).equals(theirs.of().apply(other)))
                        .map(theirs -> mine.kind().name().toLowerCase().replace('_', ' ') + " "
                                + mine.of().apply(name) + ", the " + theirs.what() + " of '" + other + "'"))
                .findFirst()
                .orElse("its " + DerivedNames.all().get(0).of().apply(name));
    }
}
