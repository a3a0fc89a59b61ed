package dev.operator.sks.validation;

import java.util.List;
import java.util.stream.Collectors;

/**
 * One thing wrong with a spec: a CamelCase reason for machines and a message telling the user what to fix.
 */
public record Violation(String reason, String message) {

    /** The reason of the first violation: the one a condition shows. */
    public static String reasonOf(List<Violation> violations) {
        return violations.get(0).reason();
    }

    /** All messages, so one status update tells the user everything to fix. */
    public static String messageOf(List<Violation> violations) {
        return violations.stream().map(Violation::message).collect(Collectors.joining("; "));
    }
}
