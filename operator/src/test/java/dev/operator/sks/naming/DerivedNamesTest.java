package dev.operator.sks.naming;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.api.Patterns;
import dev.operator.sks.validation.ClusterNames;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Derived names never collide between two accepted cluster names, whatever they are: a seeded property test over
 * random names and names built from the suffixes themselves, the way a collision would be made on purpose.
 */
class DerivedNamesTest {
    private static final long SEED = 20261130L;
    private static final Pattern DNS_LABEL = Pattern.compile(Patterns.DNS_LABEL);
    private static final Pattern DNS_SUBDOMAIN = Pattern.compile(Patterns.DNS_SUBDOMAIN);

    @Test
    void theClustersCaOfBaseClientsIsRefusedBecauseItIsTheClientsCaOfBase() {
        assertThat(Names.clusterCa("base-clients")).isEqualTo(Names.clientsCa("base"));
        assertThat(DerivedNames.reservedEndings()).contains("-clients");
        assertThat(ClusterNames.check("base-clients")).hasValueSatisfying(v -> {
            assertThat(v.reason()).isEqualTo("NameReserved");
            assertThat(v.message()).contains("base-clients-ca").contains("'base'");
        });
        assertThat(ClusterNames.check("base")).isEmpty();
    }

    @Test
    void theRulesInTheSchemaAreTheOnesComputedFromNames() {
        assertThat(Patterns.CLUSTER_NAME_MAX_LENGTH).isEqualTo(DerivedNames.maxClusterNameLength());
        String computed = DerivedNames.reservedEndings().stream()
                .map(e -> "'" + e + "'")
                .collect(Collectors.joining(", ", "[", "]"));
        assertThat(Patterns.CLUSTER_NAME_RESERVED_ENDINGS_CEL).isEqualTo(computed);
    }

    @Test
    void theLongestNameIsBoundByTheEtcdRevisionHashLabel() {
        assertThat(DerivedNames.maxClusterNameLength()).isEqualTo(63 - "-etcd".length() - 11);
        assertThat(DerivedNames.tightest().kind()).isEqualTo(DerivedNames.Kind.STATEFUL_SET);
        String longest = "a".repeat(DerivedNames.maxClusterNameLength());
        assertThat(ClusterNames.check(longest)).isEmpty();
        assertThat(ClusterNames.check(longest + "b"))
                .hasValueSatisfying(v -> assertThat(v.reason()).isEqualTo("NameTooLong"));
    }

    @Test
    void everyKindSharesOnePrefixSoTheSuffixRuleCoversIt() {
        for (DerivedNames.Kind kind : DerivedNames.Kind.values()) {
            assertThat(DerivedNames.of(kind).stream()
                            .map(DerivedNames.Derived::prefix)
                            .distinct())
                    .as(kind.name())
                    .hasSizeLessThanOrEqualTo(1);
        }
    }

    @Test
    void noTwoAcceptedClusterNamesShareADerivedNameOfOneKind() {
        List<String> candidates = candidates(new Random(SEED));
        List<String> accepted =
                candidates.stream().filter(n -> ClusterNames.check(n).isEmpty()).toList();
        List<String> refused = candidates.stream()
                .filter(n -> ClusterNames.check(n).isPresent())
                .toList();
        assertThat(accepted).hasSizeGreaterThan(1_000);
        assertThat(refused).as("the adversarial names reach the rule").hasSizeGreaterThan(300);

        // Index every derived name of every accepted cluster: a second owner of one kind and name is a collision.
        // Plain checks collected into one list: hundreds of thousands of names.
        Map<String, String> owners = new HashMap<>();
        List<String> problems = new ArrayList<>();
        long checked = 0;
        for (String cluster : accepted) {
            for (DerivedNames.Derived derived : DerivedNames.all()) {
                String name = derived.of().apply(cluster);
                String key = derived.kind() + "/" + name;
                String previous = owners.putIfAbsent(key, cluster);
                if (previous != null && !previous.equals(cluster)) {
                    problems.add(key + " is derived from both " + previous + " and " + cluster);
                }
                Pattern format = derived.maxLength() <= DerivedNames.DNS_LABEL_MAX ? DNS_LABEL : DNS_SUBDOMAIN;
                if (name.length() > derived.maxLength() || !format.matcher(name).matches()) {
                    problems.add(key + " is no valid name of at most " + derived.maxLength() + " characters");
                }
                checked++;
            }
            if (cluster.length() > 63) {
                problems.add(cluster + " is too long for a label value");
            }
        }
        assertThat(problems).isEmpty();
        assertThat(checked).isGreaterThan(50_000);
    }

    @Test
    void withoutTheReservedEndingsTheAdversarialNamesWouldCollide() {
        // The property above can fail: the same names, checked only for format and length, do collide.
        List<String> formatOnly = candidates(new Random(SEED)).stream()
                .filter(n -> n.matches(Patterns.CLUSTER_NAME) && n.length() <= DerivedNames.maxClusterNameLength())
                .toList();
        Set<String> seen = new java.util.HashSet<>();
        long collisions = 0;
        for (String cluster : formatOnly) {
            for (DerivedNames.Derived derived : DerivedNames.all()) {
                if (!seen.add(derived.kind() + "/" + derived.of().apply(cluster))) {
                    collisions++;
                }
            }
        }
        assertThat(collisions).isGreaterThan(100);
    }

    /** Random names, and names made of other names plus the pieces of the suffixes (where collisions hide). */
    private static List<String> candidates(Random random) {
        Set<String> names = new LinkedHashSet<>();
        List<String> pieces = new ArrayList<>();
        for (DerivedNames.Derived derived : DerivedNames.all()) {
            String suffix = derived.suffix();
            for (int i = 0; i < suffix.length(); i++) {
                if (suffix.charAt(i) == '-') {
                    pieces.add(suffix.substring(0, i));
                    pieces.add(suffix.substring(i));
                }
            }
            pieces.add(suffix);
        }
        pieces.addAll(DerivedNames.reservedEndings());
        pieces.removeIf(String::isEmpty);
        List<String> bases = new ArrayList<>(List.of("a", "base", "prod", "x1", "etcd", "ca", "clients", "kubeconfig"));
        for (int i = 0; i < 1_000; i++) {
            bases.add(randomName(random));
        }
        for (String base : bases) {
            names.add(base);
            for (int i = 0; i < 3; i++) {
                String piece = pieces.get(random.nextInt(pieces.size()));
                names.add(trim(base + (piece.startsWith("-") ? piece : "-" + piece)));
                String other = pieces.get(random.nextInt(pieces.size()));
                names.add(trim(base
                        + (piece.startsWith("-") ? piece : "-" + piece)
                        + (other.startsWith("-") ? other : "-" + other)));
            }
        }
        return new ArrayList<>(names);
    }

    private static String trim(String name) {
        return name.endsWith("-") ? name + "x" : name;
    }

    private static String randomName(Random random) {
        String letters = "abcdefghijklmnopqrstuvwxyz";
        String middle = letters + "0123456789-";
        int length = 1 + random.nextInt(DerivedNames.maxClusterNameLength() + 4);
        StringBuilder name = new StringBuilder().append(letters.charAt(random.nextInt(letters.length())));
        for (int i = 1; i < length; i++) {
            name.append(middle.charAt(random.nextInt(middle.length())));
        }
        while (name.charAt(name.length() - 1) == '-') {
            name.setCharAt(name.length() - 1, 'z');
        }
        return name.toString();
    }
}
