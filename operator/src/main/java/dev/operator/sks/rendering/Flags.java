package dev.operator.sks.rendering;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Command-line flags, rendered sorted by name so the same settings always give the same argument list. */
final class Flags {
    private final Map<String, List<String>> values = new TreeMap<>();

    Flags set(String name, Object value) {
        values.put(name, new ArrayList<>(List.of(String.valueOf(value))));
        return this;
    }

    /** A flag that may be given several times; its values keep the order they are added in. */
    Flags add(String name, String value) {
        values.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
        return this;
    }

    Flags setIfPresent(String name, String value) {
        return value == null || value.isBlank() ? this : set(name, value);
    }

    List<String> toArgs() {
        List<String> args = new ArrayList<>();
        values.forEach((name, list) -> list.forEach(value -> args.add("--" + name + "=" + value)));
        return List.copyOf(args);
    }
}
