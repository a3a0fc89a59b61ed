package dev.operator.sks.join;

import static org.assertj.core.api.Assertions.assertThat;

import dev.operator.sks.join.KubeletServingRequests.Decision;
import dev.operator.sks.join.KubeletServingRequests.Verdict;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestBuilder;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;

public class KubeletServingRequestsTest {
    static final String NODE = "pool-abc12";
    static final Map<String, List<String>> MACHINES =
            Map.of(NODE, List.of("10.0.0.7", "2001:db8::7"), "pool-def34", List.of("10.0.0.8"));
    static final List<String> SERVING = List.of("digital signature", "server auth");

    @Test
    void aPoolMachineAskingForItsOwnNameAndAddressesIsApproved() throws Exception {
        Decision decision = KubeletServingRequests.decide(
                csr(
                        "system:node:" + NODE,
                        List.of("system:nodes", "system:authenticated"),
                        SERVING,
                        request(
                                "CN=system:node:" + NODE + ",O=system:nodes",
                                List.of(NODE),
                                List.of("10.0.0.7", "2001:db8:0:0:0:0:0:7"))),
                MACHINES);
        assertThat(decision.verdict()).isEqualTo(Verdict.APPROVE);
        assertThat(decision.message()).contains(NODE);
    }

    @Test
    void anotherMachinesAddressIsNeverApproved() throws Exception {
        Decision decision = KubeletServingRequests.decide(
                csr(
                        "system:node:" + NODE,
                        List.of("system:nodes"),
                        SERVING,
                        request("CN=system:node:" + NODE + ",O=system:nodes", List.of(NODE), List.of("10.0.0.8"))),
                MACHINES);
        assertThat(decision.verdict())
                .as("left pending: the address may be its own, not yet reported")
                .isEqualTo(Verdict.LEAVE);
        assertThat(decision.reason()).isEqualTo("NamesNotTheNodes");
        assertThat(decision.message()).contains("10.0.0.8");
        assertThat(KubeletServingRequests.decide(
                                csr(
                                        "system:node:" + NODE,
                                        List.of("system:nodes"),
                                        SERVING,
                                        request(
                                                "CN=system:node:" + NODE + ",O=system:nodes",
                                                List.of("kubernetes.default"),
                                                List.of())),
                                MACHINES)
                        .verdict())
                .isEqualTo(Verdict.LEAVE);
    }

    @Test
    void requestsThatCanNeverBeRightAreDenied() throws Exception {
        String subject = "CN=system:node:" + NODE + ",O=system:nodes";
        assertThat(KubeletServingRequests.decide(
                                csr(
                                        "system:node:" + NODE,
                                        List.of("system:nodes"),
                                        SERVING,
                                        request("CN=system:node:pool-def34,O=system:nodes", List.of(NODE), List.of())),
                                MACHINES)
                        .reason())
                .isEqualTo("SubjectNotTheNode");
        assertThat(KubeletServingRequests.decide(
                                csr(
                                        "system:node:" + NODE,
                                        List.of("system:nodes"),
                                        SERVING,
                                        request(
                                                "CN=system:node:" + NODE + ",O=system:masters",
                                                List.of(NODE),
                                                List.of())),
                                MACHINES)
                        .reason())
                .isEqualTo("SubjectNotTheNode");
        assertThat(KubeletServingRequests.decide(
                                csr(
                                        "system:node:" + NODE,
                                        List.of("system:authenticated"),
                                        SERVING,
                                        request(subject, List.of(NODE), List.of())),
                                MACHINES)
                        .reason())
                .isEqualTo("NotInNodesGroup");
        assertThat(KubeletServingRequests.decide(
                                csr(
                                        "system:node:" + NODE,
                                        List.of("system:nodes"),
                                        List.of("digital signature", "server auth", "client auth"),
                                        request(subject, List.of(NODE), List.of())),
                                MACHINES)
                        .reason())
                .isEqualTo("UsagesNotPermitted");
        assertThat(KubeletServingRequests.decide(
                                csr(
                                        "system:node:" + NODE,
                                        List.of("system:nodes"),
                                        SERVING,
                                        request(subject, List.of(), List.of())),
                                MACHINES)
                        .reason())
                .isEqualTo("NoSubjectAltNames");
        assertThat(KubeletServingRequests.decide(
                                csr(
                                        "system:node:" + NODE,
                                        List.of("system:nodes"),
                                        SERVING,
                                        Base64.getEncoder()
                                                .encodeToString("not a request".getBytes(StandardCharsets.US_ASCII))),
                                MACHINES)
                        .reason())
                .isEqualTo("RequestUnreadable");
        assertThat(KubeletServingRequests.decide(
                                csr(
                                        "system:node:" + NODE,
                                        List.of("system:nodes"),
                                        SERVING,
                                        request(subject, List.of(NODE), List.of(), ecKeys(), ecKeys())),
                                MACHINES)
                        .reason())
                .isEqualTo("SignatureInvalid");
        assertThat(KubeletServingRequests.decide(
                                csr(
                                        "system:node:" + NODE,
                                        List.of("system:nodes"),
                                        SERVING,
                                        request(subject, List.of(NODE), List.of())),
                                MACHINES)
                        .verdict())
                .isEqualTo(Verdict.APPROVE);
    }

    @Test
    void whatIsNotOursToJudgeIsLeftAlone() throws Exception {
        String request = request("CN=system:node:stranger,O=system:nodes", List.of("stranger"), List.of());
        assertThat(KubeletServingRequests.decide(
                                csr("system:node:stranger", List.of("system:nodes"), SERVING, request), MACHINES)
                        .reason())
                .isEqualTo("UnknownNode");
        assertThat(KubeletServingRequests.decide(
                                csr("alice", List.of("system:authenticated"), SERVING, request), MACHINES)
                        .reason())
                .isEqualTo("NotANode");
        CertificateSigningRequest client = csr("system:node:" + NODE, List.of("system:nodes"), SERVING, request);
        client.getSpec().setSignerName("kubernetes.io/kube-apiserver-client-kubelet");
        assertThat(KubeletServingRequests.decide(client, MACHINES).reason()).isEqualTo("OtherSigner");
        CertificateSigningRequest approved = new CertificateSigningRequestBuilder(csr(
                        "system:node:" + NODE,
                        List.of("system:nodes"),
                        SERVING,
                        request("CN=system:node:" + NODE + ",O=system:nodes", List.of(NODE), List.of())))
                .withNewStatus()
                .addNewCondition()
                .withType("Approved")
                .withStatus("True")
                .endCondition()
                .endStatus()
                .build();
        assertThat(KubeletServingRequests.decide(approved, MACHINES).reason()).isEqualTo("Decided");
    }

    static CertificateSigningRequest csr(String user, List<String> groups, List<String> usages, String request) {
        return new CertificateSigningRequestBuilder()
                .withNewMetadata()
                .withName("csr-1")
                .endMetadata()
                .withNewSpec()
                .withSignerName(KubeletServingRequests.SIGNER)
                .withUsername(user)
                .withGroups(groups)
                .withUsages(usages)
                .withRequest(request)
                .endSpec()
                .build();
    }

    /** The CertificateSigningRequest a kubelet with serverTLSBootstrap posts for its serving certificate. */
    public static CertificateSigningRequest servingRequest(String subject, List<String> dnsNames, List<String> ips)
            throws Exception {
        return new CertificateSigningRequestBuilder()
                .withNewMetadata()
                .withGenerateName("csr-")
                .endMetadata()
                .withNewSpec()
                .withSignerName(KubeletServingRequests.SIGNER)
                .withUsages("digital signature", "key encipherment", "server auth")
                .withRequest(request(subject, dnsNames, ips))
                .endSpec()
                .build();
    }

    /** A PKCS#10 request as a kubelet makes it, base64 of its PEM as in a CertificateSigningRequest's spec. */
    public static String request(String subject, List<String> dnsNames, List<String> ips) throws Exception {
        KeyPair keys = ecKeys();
        return request(subject, dnsNames, ips, keys, keys);
    }

    private static KeyPair ecKeys() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        return generator.generateKeyPair();
    }

    /** @param signer the key that signs: another than {@code keys} makes a forged request */
    private static String request(String subject, List<String> dnsNames, List<String> ips, KeyPair keys, KeyPair signer)
            throws Exception {
        JcaPKCS10CertificationRequestBuilder builder =
                new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic());
        List<GeneralName> names = new ArrayList<>();
        dnsNames.forEach(n -> names.add(new GeneralName(GeneralName.dNSName, n)));
        ips.forEach(ip -> names.add(new GeneralName(GeneralName.iPAddress, ip)));
        if (!names.isEmpty()) {
            ExtensionsGenerator extensions = new ExtensionsGenerator();
            extensions.addExtension(
                    Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
            builder.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, extensions.generate());
        }
        PKCS10CertificationRequest request =
                builder.build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer.getPrivate()));
        StringWriter pem = new StringWriter();
        try (JcaPEMWriter writer = new JcaPEMWriter(pem)) {
            writer.writeObject(request);
        }
        return Base64.getEncoder().encodeToString(pem.toString().getBytes(StandardCharsets.US_ASCII));
    }
}
