package dev.operator.sks.rendering;

import java.util.List;

/** Subject alternative names of a certificate, split the way X.509 (and the PKI's requests) split them. */
public record SubjectAltNames(List<String> dnsNames, List<String> ipAddresses) {
    public SubjectAltNames {
        dnsNames = List.copyOf(dnsNames);
        ipAddresses = List.copyOf(ipAddresses);
    }
}
