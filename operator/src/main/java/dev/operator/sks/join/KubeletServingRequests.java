package dev.operator.sks.join;

import dev.operator.sks.pki.Pem;
import dev.operator.sks.pki.PkiException;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequest;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestCondition;
import io.fabric8.kubernetes.api.model.certificates.v1.CertificateSigningRequestSpec;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.IPAddress;

/**
 * Which kubelet serving-certificate requests the operator approves for the machines of its pools. Kubelets join with
 * {@code serverTLSBootstrap}, so their serving certificates come from the cluster CA and metrics-server and the API
 * server can verify them; Kubernetes leaves the approval to whoever knows the machines, because a node's word about its
 * own addresses proves nothing. Approved: a Node of one of the cluster's pools asking, as itself, for a server
 * certificate naming nothing but its own name and addresses. Denied: requests that can never be right (wrong subject,
 * group, usages or signature). Left pending: names the pool does not know (yet: a machine's address may be reported
 * after its kubelet asks; a kubelet asks again), other signers, decided requests, and nodes the pools do not know
 * (someone else's approver may know them). Pending requests are garbage-collected by the tenant after a day.
 */
public final class KubeletServingRequests {
    public static final String SIGNER = "kubernetes.io/kubelet-serving";
    static final String NODE_USER_PREFIX = "system:node:";
    static final String NODES_GROUP = "system:nodes";
    private static final Set<String> PERMITTED_USAGES = Set.of("digital signature", "key encipherment", "server auth");

    public enum Verdict {
        APPROVE,
        DENY,
        LEAVE
    }

    /** {@code reason} is CamelCase for the CSR's condition; {@code message} says why, for whoever reads the CSR. */
    public record Decision(Verdict verdict, String reason, String message) {
        static Decision leave(String reason) {
            return new Decision(Verdict.LEAVE, reason, "");
        }

        static Decision deny(String reason, String message) {
            return new Decision(Verdict.DENY, reason, message);
        }
    }

    private KubeletServingRequests() {}

    /**
     * @param addressesByNode the machines of the cluster's pools: the Node name each registers with, and its addresses
     */
    public static Decision decide(
            CertificateSigningRequest csr, Map<String, ? extends Collection<String>> addressesByNode) {
        CertificateSigningRequestSpec spec = csr.getSpec();
        if (spec == null || !SIGNER.equals(spec.getSignerName())) {
            return Decision.leave("OtherSigner");
        }
        if (decided(csr)) {
            return Decision.leave("Decided");
        }
        String user = Objects.requireNonNullElse(spec.getUsername(), "");
        if (!user.startsWith(NODE_USER_PREFIX)) {
            return Decision.leave("NotANode");
        }
        String node = user.substring(NODE_USER_PREFIX.length());
        Collection<String> addresses = addressesByNode.get(node);
        if (addresses == null) {
            return Decision.leave("UnknownNode");
        }
        if (spec.getGroups() == null || !spec.getGroups().contains(NODES_GROUP)) {
            return Decision.deny("NotInNodesGroup", user + " is not in the group " + NODES_GROUP);
        }
        List<String> usages = spec.getUsages() == null ? List.of() : spec.getUsages();
        if (!usages.contains("server auth") || !PERMITTED_USAGES.containsAll(usages)) {
            return Decision.deny(
                    "UsagesNotPermitted",
                    "a kubelet serving certificate is for server auth with digital "
                            + "signature and key encipherment only; asked for " + usages);
        }
        PKCS10CertificationRequest request;
        try {
            request = Pem.parseCertificateRequest(new String(
                    Base64.getDecoder().decode(Objects.requireNonNullElse(spec.getRequest(), "")),
                    StandardCharsets.US_ASCII));
        } catch (PkiException | IllegalArgumentException e) {
            return Decision.deny("RequestUnreadable", "spec.request is not a PEM certificate request");
        }
        if (!signatureValid(request)) {
            return Decision.deny("SignatureInvalid", "the certificate request is not signed by its own key");
        }
        X500Name subject = request.getSubject();
        if (!List.of(user).equals(values(subject, BCStyle.CN))
                || !List.of(NODES_GROUP).equals(values(subject, BCStyle.O))
                || subject.getRDNs().length != 2) {
            return Decision.deny("SubjectNotTheNode", "the subject must be exactly CN=" + user + ", O=" + NODES_GROUP);
        }
        List<String> extra = new ArrayList<>();
        int names = 0;
        Set<String> ownIps = normalizedIps(addresses);
        for (GeneralName name : subjectAltNames(request)) {
            names++;
            switch (name.getTagNo()) {
                case GeneralName.dNSName -> {
                    String dns = DERIA5String.getInstance(name.getName()).getString();
                    if (!dns.equalsIgnoreCase(node)) {
                        extra.add(dns);
                    }
                }
                case GeneralName.iPAddress -> {
                    String ip = ip(ASN1OctetString.getInstance(name.getName()).getOctets());
                    if (!ownIps.contains(ip)) {
                        extra.add(ip);
                    }
                }
                default -> extra.add("a name of another kind");
            }
        }
        if (names == 0) {
            return Decision.deny("NoSubjectAltNames", "a serving certificate must name the node's name or addresses");
        }
        if (!extra.isEmpty()) {
            return new Decision(
                    Verdict.LEAVE,
                    "NamesNotTheNodes",
                    "node " + node + " asked for names that are not its " + "own: " + String.join(", ", extra)
                            + " (its known addresses: " + String.join(", ", addresses) + ")");
        }
        return new Decision(
                Verdict.APPROVE,
                "NodeServingCertificate",
                "sks-operator: node " + node
                        + " asked for a serving certificate naming only its own name and addresses");
    }

    private static boolean decided(CertificateSigningRequest csr) {
        if (csr.getStatus() == null || csr.getStatus().getConditions() == null) {
            return false;
        }
        for (CertificateSigningRequestCondition condition : csr.getStatus().getConditions()) {
            if ("Approved".equals(condition.getType())
                    || "Denied".equals(condition.getType())
                    || "Failed".equals(condition.getType())) {
                return true;
            }
        }
        return false;
    }

    private static boolean signatureValid(PKCS10CertificationRequest request) {
        try {
            return request.isSignatureValid(
                    new JcaContentVerifierProviderBuilder().build(Pem.toPublicKey(request.getSubjectPublicKeyInfo())));
        } catch (OperatorCreationException | PKCSException | RuntimeException e) {
            return false;
        }
    }

    private static List<String> values(X500Name subject, org.bouncycastle.asn1.ASN1ObjectIdentifier type) {
        List<String> values = new ArrayList<>();
        for (RDN rdn : subject.getRDNs(type)) {
            values.add(IETFUtils.valueToString(rdn.getFirst().getValue()));
        }
        return values;
    }

    private static List<GeneralName> subjectAltNames(PKCS10CertificationRequest request) {
        List<GeneralName> names = new ArrayList<>();
        for (Attribute attribute : request.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            for (var value : attribute.getAttributeValues()) {
                GeneralNames sans =
                        GeneralNames.fromExtensions(Extensions.getInstance(value), Extension.subjectAlternativeName);
                if (sans != null) {
                    names.addAll(List.of(sans.getNames()));
                }
            }
        }
        return names;
    }

    private static Set<String> normalizedIps(Collection<String> addresses) {
        Set<String> ips = new HashSet<>();
        for (String address : addresses) {
            if (!IPAddress.isValid(address)) {
                continue; // only literals: getByName would ask DNS about a name
            }
            try {
                ips.add(ip(InetAddress.getByName(address).getAddress()));
            } catch (UnknownHostException e) {
                // a literal IPAddress accepted but the JDK does not: not an address of this node then
            }
        }
        return ips;
    }

    private static String ip(byte[] octets) {
        try {
            return InetAddress.getByAddress(octets).getHostAddress();
        } catch (UnknownHostException e) {
            return "an address of " + octets.length + " bytes";
        }
    }
}
