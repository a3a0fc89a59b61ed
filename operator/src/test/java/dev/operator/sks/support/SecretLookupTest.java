package dev.operator.sks.support;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SecretLookupTest {
    /** A Secret that appears in a cache between two reads of one reconcile is seen by neither, or by both. */
    @Test
    void onceAnswersEachNameAsItsFirstReadDid() {
        List<Optional<Secret>> answers = new ArrayList<>(List.of(
                Optional.empty(),
                Optional.of(new SecretBuilder()
                        .withNewMetadata()
                        .withName("alpha-ca")
                        .endMetadata()
                        .build())));
        List<String> asked = new ArrayList<>();
        SecretLookup cache = (namespace, name) -> {
            asked.add(namespace + "/" + name);
            return answers.isEmpty() ? Optional.empty() : answers.remove(0);
        };
        SecretLookup once = SecretLookup.once(cache);

        assertThat(once.find("ns", "alpha-ca")).isEmpty();
        assertThat(once.find("ns", "alpha-ca")).isEmpty();
        assertThat(asked).containsExactly("ns/alpha-ca");
        // A new lookup (the next reconcile) reads again.
        assertThat(SecretLookup.once(cache).find("ns", "alpha-ca")).isPresent();
    }
}
