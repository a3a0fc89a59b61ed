package dev.operator.sks.tenant;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The few series of kube-apiserver's {@code /metrics} (Prometheus text format 0.0.4) that size a control plane, read
 * with a parser of their own: a sample line is {@code name{label="value",...} value [timestamp]}; comments, other
 * series and lines it cannot read are skipped, never fatal, since one odd line must not blind the sizing.
 *
 * <p>Object counts are {@code apiserver_storage_objects} since Kubernetes 1.21, and {@code etcd_object_counts} before
 * (1.20 serves only that one); both carry a {@code resource} label.
 */
public final class ApiserverMetrics {
    static final String STORAGE_OBJECTS = "apiserver_storage_objects";
    static final String STORAGE_OBJECTS_BEFORE_1_21 = "etcd_object_counts";
    static final String REQUEST_TOTAL = "apiserver_request_total";
    static final String INFLIGHT = "apiserver_current_inflight_requests";

    private ApiserverMetrics() {}

    /** One sample line. */
    record Sample(String name, Map<String, String> labels, double value) {}

    /**
     * What one scrape of one API server says.
     *
     * @param nodes        stored Nodes, when the object counts name them (empty before the API server first counted)
     * @param objects      stored objects of every resource
     * @param requestTotal requests served since this API server started (a counter)
     * @param inflight     requests being served now (read-only and mutating)
     */
    public record Figures(OptionalLong nodes, long objects, double requestTotal, double inflight) {}

    public static Figures figures(String text) {
        List<Sample> samples = parse(text);
        String objectSeries = samples.stream().anyMatch(s -> s.name().equals(STORAGE_OBJECTS))
                ? STORAGE_OBJECTS
                : STORAGE_OBJECTS_BEFORE_1_21;
        long objects = 0;
        OptionalLong nodes = OptionalLong.empty();
        double requests = 0;
        double inflight = 0;
        for (Sample sample : samples) {
            if (!Double.isFinite(sample.value())) {
                continue;
            }
            if (sample.name().equals(objectSeries)) {
                // An unknown count is -1 (a resource not counted yet): it adds nothing.
                long count = Math.max(0, (long) sample.value());
                objects += count;
                if ("nodes".equals(sample.labels().get("resource")) && sample.value() >= 0) {
                    nodes = OptionalLong.of(count);
                }
            } else if (sample.name().equals(REQUEST_TOTAL)) {
                requests += sample.value();
            } else if (sample.name().equals(INFLIGHT)) {
                inflight += sample.value();
            }
        }
        return new Figures(nodes, objects, requests, inflight);
    }

    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            sample(trimmed).ifPresent(samples::add);
        }
        return samples;
    }

    private static Optional<Sample> sample(String line) {
        int nameEnd = 0;
        while (nameEnd < line.length() && isNameChar(line.charAt(nameEnd))) {
            nameEnd++;
        }
        if (nameEnd == 0) {
            return Optional.empty();
        }
        String name = line.substring(0, nameEnd);
        Map<String, String> labels = new HashMap<>();
        int at = nameEnd;
        if (at < line.length() && line.charAt(at) == '{') {
            at = labels(line, at + 1, labels);
            if (at < 0) {
                return Optional.empty();
            }
        }
        String[] rest = line.substring(at).strip().split("\\s+");
        if (rest.length == 0 || rest[0].isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(new Sample(name, labels, value(rest[0])));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    /** Reads {@code key="value",...}} from {@code at}; returns the index after the closing brace, or -1. */
    private static int labels(String line, int at, Map<String, String> labels) {
        int i = at;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (c == '}') {
                return i + 1;
            }
            if (c == ',' || c == ' ') {
                i++;
                continue;
            }
            int eq = line.indexOf('=', i);
            if (eq < 0 || eq + 1 >= line.length() || line.charAt(eq + 1) != '"') {
                return -1;
            }
            String key = line.substring(i, eq).strip();
            StringBuilder value = new StringBuilder();
            int j = eq + 2;
            for (; j < line.length(); j++) {
                char v = line.charAt(j);
                if (v == '\\' && j + 1 < line.length()) {
                    char escaped = line.charAt(++j);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else if (v == '"') {
                    break;
                } else {
                    value.append(v);
                }
            }
            if (j >= line.length()) {
                return -1;
            }
            labels.put(key, value.toString());
            i = j + 1;
        }
        return -1;
    }

    private static double value(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            case "NaN" -> Double.NaN;
            default -> Double.parseDouble(text);
        };
    }

    private static boolean isNameChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_' || c == ':';
    }
}
