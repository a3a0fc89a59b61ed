package dev.operator.sks.validation;

import java.util.Optional;

/** An IPv4 CIDR block, for the checks the schema's pattern cannot make (ranges, overlap, first address). */
public record Cidr(long base, int prefixLength) {

    public static Optional<Cidr> parse(String text) {
        if (text == null) {
            return Optional.empty();
        }
        int slash = text.indexOf('/');
        if (slash < 0 || !Values.isIpv4(text.substring(0, slash))) {
            return Optional.empty();
        }
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        if (prefix < 0 || prefix > 32) {
            return Optional.empty();
        }
        long address = 0;
        for (String octet : text.substring(0, slash).split("\\.")) {
            address = (address << 8) | Integer.parseInt(octet);
        }
        return Optional.of(new Cidr(address & mask(prefix), prefix));
    }

    public boolean overlaps(Cidr other) {
        int shorter = Math.min(prefixLength, other.prefixLength);
        return (base & mask(shorter)) == (other.base & mask(shorter));
    }

    /** The first usable address: the ClusterIP of the {@code kubernetes} Service when this is the service CIDR. */
    public String firstAddress() {
        return format(base + 1);
    }

    /** The tenth address: the ClusterIP of cluster DNS, as kubeadm chooses it. */
    public String tenthAddress() {
        return format(base + 10);
    }

    public long size() {
        return 1L << (32 - prefixLength);
    }

    private static long mask(int prefix) {
        return prefix == 0 ? 0 : (0xFFFFFFFFL << (32 - prefix)) & 0xFFFFFFFFL;
    }

    private static String format(long address) {
        return ((address >> 24) & 255) + "." + ((address >> 16) & 255) + "." + ((address >> 8) & 255) + "."
                + (address & 255);
    }

    @Override
    public String toString() {
        return format(base) + "/" + prefixLength;
    }
}
