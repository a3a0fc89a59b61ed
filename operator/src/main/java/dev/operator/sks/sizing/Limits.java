package dev.operator.sks.sizing;

import java.util.ArrayList;
import java.util.List;

/**
 * The load a size is made for: above any one of these figures it is too small. Request rate and in-flight requests
 * are the whole control plane's (per-replica figures times replicas), so adding replicas does not by itself make the
 * load look smaller and the size flap back.
 *
 * @param nodes             Nodes in the tenant
 * @param objects           objects stored in etcd, all resources together
 * @param requestsPerSecond requests the API servers serve per second
 * @param inflight          requests the API servers are serving at one moment
 */
public record Limits(long nodes, long objects, double requestsPerSecond, double inflight) {
    /** No upper bound: the largest size. */
    public static final Limits NONE = new Limits(Long.MAX_VALUE, Long.MAX_VALUE, Double.MAX_VALUE, Double.MAX_VALUE);

    /** The limits times {@code factor}: where a smaller size's load counts as "well below". */
    public Limits times(double factor) {
        return new Limits(
                (long) Math.floor(nodes * factor),
                (long) Math.floor(objects * factor),
                requestsPerSecond * factor,
                inflight * factor);
    }

    /** The figures of {@code sample} above these limits, in the order Nodes, objects, request rate, in-flight. */
    public List<Figure> exceeded(LoadSample sample) {
        List<Figure> over = new ArrayList<>();
        if (sample.nodes() > nodes) {
            over.add(new Figure(Figure.Kind.NODES, sample.nodes(), nodes));
        }
        if (sample.objects() > objects) {
            over.add(new Figure(Figure.Kind.OBJECTS, sample.objects(), objects));
        }
        if (sample.requestsPerSecond().isPresent() && sample.requestsPerSecond().getAsDouble() > requestsPerSecond) {
            over.add(new Figure(
                    Figure.Kind.REQUEST_RATE, sample.requestsPerSecond().getAsDouble(), requestsPerSecond));
        }
        if (sample.inflight() > inflight) {
            over.add(new Figure(Figure.Kind.INFLIGHT, sample.inflight(), inflight));
        }
        return over;
    }

    /** Whether every figure of {@code sample} is at or below these limits (an unknown request rate counts as below). */
    public boolean holds(LoadSample sample) {
        return exceeded(sample).isEmpty();
    }

    /** One figure against its limit, for the reason a size changed. */
    public record Figure(Kind kind, double value, double limit) {
        public enum Kind {
            NODES("Nodes"),
            OBJECTS("objects"),
            REQUEST_RATE("requests/s"),
            INFLIGHT("in-flight requests");

            private final String unit;

            Kind(String unit) {
                this.unit = unit;
            }

            public String unit() {
                return unit;
            }
        }

        /** "212 Nodes", "350.5 requests/s". */
        public String valueText() {
            return format(value) + " " + kind.unit();
        }

        public String limitText() {
            return format(limit);
        }

        static String format(double figure) {
            if (figure == Math.rint(figure) && Math.abs(figure) < 1e15) {
                return Long.toString((long) figure);
            }
            return String.format(java.util.Locale.ROOT, "%.1f", figure);
        }
    }
}
