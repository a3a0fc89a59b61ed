package dev.operator.sks.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.security.PrivateKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.RSAPrivateCrtKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;

/** Assertions that text meant for humans (toString, exception messages) holds no key material. */
final class SecretLeaks {

    private SecretLeaks() {}

    /** Every message and stack frame of an exception and its causes: what a log line would show. */
    static String describe(Throwable throwable) {
        StringWriter out = new StringWriter();
        throwable.printStackTrace(new PrintWriter(out));
        return out.toString();
    }

    /** Forms in which a private key could leak: base64 and hex of its encoding, its secret numbers. */
    static List<String> fingerprints(PrivateKey key) {
        List<String> forms = new ArrayList<>();
        byte[] der = key.getEncoded();
        String base64 = Base64.getEncoder().encodeToString(der);
        String hex = HexFormat.of().formatHex(der);
        // Chunks from the tail, where the secret part of the DER sits.
        forms.add(base64.substring(base64.length() - 40, base64.length() - 8));
        forms.add(hex.substring(hex.length() - 40));
        if (key instanceof ECPrivateKey ec) {
            forms.add(ec.getS().toString());
            forms.add(ec.getS().toString(16));
        }
        if (key instanceof RSAPrivateCrtKey rsa) {
            forms.add(rsa.getPrivateExponent().toString().substring(0, 30));
            forms.add(rsa.getPrivateExponent().toString(16).substring(0, 30));
            forms.add(rsa.getPrimeP().toString(16).substring(0, 30));
        }
        return forms;
    }

    static void assertNoKeyIn(String text, PrivateKey key) {
        for (String form : fingerprints(key)) {
            assertThat(text).doesNotContainIgnoringCase(form);
        }
    }

    /** No 24-character run of the PEM body appears in the text. */
    static void assertNoneOf(String pemBody, String text) {
        String flat = pemBody.replace("\n", "");
        for (int i = 0; i + 24 <= flat.length(); i += 12) {
            assertThat(text).doesNotContain(flat.substring(i, i + 24));
        }
    }
}
