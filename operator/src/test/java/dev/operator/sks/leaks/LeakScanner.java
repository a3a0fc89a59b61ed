package dev.operator.sks.leaks;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds secret material in text that must never hold any: logs, Events, statuses. Pure: text in, findings out. A
 * finding names where and what kind of material it saw, never the material itself, so the report of a leak is not a
 * second leak.
 *
 * <p>What it looks for is what the operator handles: PEM blocks (keys and certificates; a certificate is not secret,
 * but one in a log means a Secret's data was printed, and its key is likely next to it), private-key markers, bootstrap
 * tokens ({@code [a-z0-9]{6}.[a-z0-9]{16}}, kubeadm's format), and the same material base64-encoded as it sits in a
 * Secret's data: a base64 PEM header, or DER key and certificate structures ({@code MI...}, {@code M..CAQEE} for a SEC1
 * EC key, {@code M..CAQAw} for a short PKCS#8 key).
 */
public final class LeakScanner {

    /** One place secret material was seen: {@code source} and line, and which kind. */
    public record Finding(String source, int line, String kind) {
        @Override
        public String toString() {
            return source + ":" + line + ": " + kind;
        }
    }

    private record Rule(String kind, Pattern pattern) {}

    private static final List<Rule> RULES = List.of(
            new Rule("PEM block", Pattern.compile("-----BEGIN [A-Z0-9 ]+-----")),
            new Rule("private-key marker", Pattern.compile("PRIVATE KEY")),
            new Rule(
                    "bootstrap token",
                    Pattern.compile("(?<![A-Za-z0-9._-])[a-z0-9]{6}\\.[a-z0-9]{16}(?![A-Za-z0-9_-])")),
            // "-----BEGIN" base64-encoded at each of the three alignments a PEM block can start at.
            new Rule("base64 PEM", Pattern.compile("LS0tLS1CRUdJT|LS0tLUJFR0lO|tLS0tQkVHSU4")),
            // A DER SEQUENCE with a two- or three-byte length, as every key and certificate starts, followed by
            // enough base64 to be one: shorter runs of "MI..." occur in ordinary identifiers.
            new Rule("base64 DER key or certificate", Pattern.compile("(?<![A-Za-z0-9+/])MI[GIJ][A-Za-z0-9+/]{60,}")),
            // A short private key (EC, Ed25519) has a one-byte length: PKCS#8 goes on with INTEGER 0 and a SEQUENCE,
            // SEC1 with INTEGER 1 and an OCTET STRING, whatever the length byte encodes to.
            new Rule("base64 PKCS#8 private key", Pattern.compile("M[A-Za-z0-9+/]{2}CAQAw[A-Za-z0-9+/]{20,}")),
            new Rule("base64 SEC1 EC private key", Pattern.compile("M[A-Za-z0-9+/]{2}CAQEE[A-Za-z0-9+/]{20,}")));

    private LeakScanner() {}

    /** Every finding in {@code text}, with lines counted from 1, named by {@code source}. */
    public static List<Finding> scan(String source, String text) {
        List<Finding> findings = new ArrayList<>();
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            for (Rule rule : RULES) {
                Matcher matcher = rule.pattern().matcher(lines[i]);
                if (matcher.find()) {
                    findings.add(new Finding(source, i + 1, rule.kind()));
                }
            }
        }
        return findings;
    }
}
