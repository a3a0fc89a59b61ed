package dev.operator.sks.support;

import java.util.Optional;

/**
 * An IPv4 block in CIDR notation ({@code 198.51.100.0/24}) and its usable host addresses: all but the network and
 * broadcast addresses, except in a /31 or /32, which have none to spare.
 */
public record Ipv4Block(long network, int prefix) {
    public Ipv4Block {
        if (prefix < 0 || prefix > 32) {
            throw new IllegalArgumentException("prefix /" + prefix + " is not between 0 and 32");
        }
    }

    /**
     * @throws IllegalArgumentException when {@code cidr} is not {@code a.b.c.d/n} with the host bits zero
     */
    public static Ipv4Block parse(String cidr) {
        String text = cidr == null ? "" : cidr.trim();
        int slash = text.indexOf('/');
        if (slash < 0) {
            throw new IllegalArgumentException("'" + text + "' is not an IPv4 CIDR such as 198.51.100.0/24");
        }
        long address = toLong(text.substring(0, slash))
                .orElseThrow(() -> new IllegalArgumentException("'" + text + "' does not start with an IPv4 address"));
        int prefix;
        try {
            prefix = Integer.parseInt(text.substring(slash + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' has no prefix length after the /");
        }
        Ipv4Block block = new Ipv4Block(address, prefix);
        if ((address & ~block.mask()) != 0) {
            throw new IllegalArgumentException(
                    "'" + text + "' has host bits set: write " + toText(address & block.mask()) + "/" + prefix);
        }
        return block;
    }

    /** How many host addresses {@link #host} hands out. */
    public long size() {
        long all = 1L << (32 - prefix);
        return prefix >= 31 ? all : all - 2;
    }

    /** The {@code index}th host address (0-based), in order. */
    public String host(long index) {
        if (index < 0 || index >= size()) {
            throw new IndexOutOfBoundsException(index + " is outside " + this);
        }
        return toText(network + (prefix >= 31 ? index : index + 1));
    }

    /** The index of {@code address} among the hosts, if it is one. */
    public Optional<Long> indexOf(String address) {
        return toLong(address).map(a -> a - network - (prefix >= 31 ? 0 : 1)).filter(i -> i >= 0 && i < size());
    }

    @Override
    public String toString() {
        return toText(network) + "/" + prefix;
    }

    private long mask() {
        return prefix == 0 ? 0 : (0xffffffffL << (32 - prefix)) & 0xffffffffL;
    }

    private static Optional<Long> toLong(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return Optional.empty();
        }
        long value = 0;
        for (String part : parts) {
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(Character::isDigit)) {
                return Optional.empty();
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                return Optional.empty();
            }
            value = (value << 8) | octet;
        }
        return Optional.of(value);
    }

    private static String toText(long address) {
        return ((address >> 24) & 0xff) + "." + ((address >> 16) & 0xff) + "." + ((address >> 8) & 0xff) + "."
                + (address & 0xff);
    }
}
