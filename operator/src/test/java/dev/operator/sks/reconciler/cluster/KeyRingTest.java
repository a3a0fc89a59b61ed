package dev.operator.sks.reconciler.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.naming.Names;
import dev.operator.sks.pki.BouncyCastlePki;
import dev.operator.sks.pki.IssuedCertificate;
import dev.operator.sks.pki.KeyAlgorithm;
import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.RotationPlan.Held;
import dev.operator.sks.pki.ServiceAccountKey;
import dev.operator.sks.reconciler.cluster.KeyRing.Kind;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KeyRingTest {
    static final BouncyCastlePki PKI = new BouncyCastlePki(Clock.systemUTC());

    @Test
    void aCaGoesThroughTheThreePhasesWithTheSigningCaFirstInItsBundle() {
        IssuedCertificate old = PKI.createCa("kubernetes");
        IssuedCertificate fresh = PKI.createCa("kubernetes");
        Map<String, String> one =
                Map.of(Names.TLS_CERTIFICATE_KEY, old.certificatePem(), Names.TLS_PRIVATE_KEY_KEY, old.privateKeyPem());
        assertThat(KeyRing.held(one)).isEqualTo(Held.ONE);
        // A Secret from before bundles gets one that is exactly its CA: leaves that carry it stay current.
        assertThat(KeyRing.withBundle(Kind.CERTIFICATE_AUTHORITY, one))
                .containsEntry(Names.CA_CERTIFICATE_KEY, old.certificatePem());

        Map<String, String> trusting =
                KeyRing.begin(Kind.CERTIFICATE_AUTHORITY, one, fresh.certificatePem(), fresh.privateKeyPem());
        assertThat(KeyRing.held(trusting)).isEqualTo(Held.OLD_SIGNS_BOTH_TRUSTED);
        assertThat(trusting.get(Names.TLS_PRIVATE_KEY_KEY)).isEqualTo(old.privateKeyPem());
        assertThat(Pem.parseCertificates(trusting.get(Names.CA_CERTIFICATE_KEY)))
                .containsExactly(old.certificate(), fresh.certificate());

        Map<String, String> signing = KeyRing.promote(Kind.CERTIFICATE_AUTHORITY, trusting);
        assertThat(KeyRing.held(signing)).isEqualTo(Held.NEW_SIGNS_BOTH_TRUSTED);
        assertThat(IssuedCertificate.fromPem(
                        signing.get(Names.TLS_CERTIFICATE_KEY), signing.get(Names.TLS_PRIVATE_KEY_KEY)))
                .isEqualTo(fresh);
        assertThat(signing).doesNotContainKeys(Names.NEXT_CERTIFICATE_KEY, Names.NEXT_PRIVATE_KEY_KEY);
        // The old CA's key is gone: it never signs again.
        assertThat(signing.values()).noneMatch(v -> v.equals(old.privateKeyPem()));
        assertThat(Pem.parseCertificates(signing.get(Names.CA_CERTIFICATE_KEY)))
                .containsExactly(fresh.certificate(), old.certificate());

        Map<String, String> done = KeyRing.retire(Kind.CERTIFICATE_AUTHORITY, signing);
        assertThat(KeyRing.held(done)).isEqualTo(Held.ONE);
        assertThat(Pem.parseCertificates(done.get(Names.CA_CERTIFICATE_KEY))).containsExactly(fresh.certificate());
        assertThat(done).doesNotContainKey(Names.PREVIOUS_CERTIFICATE_KEY);
    }

    @Test
    void theServiceAccountKeyKeepsItsVerificationKeysInTlsCrtTheSigningOneFirst() {
        ServiceAccountKey old = PKI.generateServiceAccountKey(KeyAlgorithm.DEFAULT);
        ServiceAccountKey fresh = PKI.generateServiceAccountKey(KeyAlgorithm.DEFAULT);
        Map<String, String> one =
                Map.of(Names.TLS_CERTIFICATE_KEY, old.publicKeyPem(), Names.TLS_PRIVATE_KEY_KEY, old.privateKeyPem());
        assertThat(KeyRing.withBundle(Kind.SERVICE_ACCOUNT_KEY, one)).isEqualTo(one);

        Map<String, String> trusting =
                KeyRing.begin(Kind.SERVICE_ACCOUNT_KEY, one, fresh.publicKeyPem(), fresh.privateKeyPem());
        assertThat(trusting.get(Names.TLS_PRIVATE_KEY_KEY)).isEqualTo(old.privateKeyPem());
        assertThat(KeyRing.blocks(trusting.get(Names.TLS_CERTIFICATE_KEY)))
                .containsExactly(old.publicKeyPem(), fresh.publicKeyPem());

        Map<String, String> signing = KeyRing.promote(Kind.SERVICE_ACCOUNT_KEY, trusting);
        assertThat(signing.get(Names.TLS_PRIVATE_KEY_KEY)).isEqualTo(fresh.privateKeyPem());
        assertThat(KeyRing.blocks(signing.get(Names.TLS_CERTIFICATE_KEY)))
                .containsExactly(fresh.publicKeyPem(), old.publicKeyPem());
        assertThat(signing.values()).noneMatch(v -> v.equals(old.privateKeyPem()));

        Map<String, String> done = KeyRing.retire(Kind.SERVICE_ACCOUNT_KEY, signing);
        assertThat(done.get(Names.TLS_CERTIFICATE_KEY)).isEqualTo(fresh.publicKeyPem());
        assertThat(ServiceAccountKey.fromPem(done.get(Names.TLS_CERTIFICATE_KEY), done.get(Names.TLS_PRIVATE_KEY_KEY)))
                .isNotNull();
    }
}
