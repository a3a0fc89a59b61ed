package dev.operator.sks.validation;

import dev.operator.sks.api.Patterns;
import java.net.InetAddress;
import java.util.regex.Pattern;

/** Checks of single values shared by the validators. */
final class Values {
    private static final Pattern LABEL_KEY = Pattern.compile(Patterns.LABEL_KEY);
    private static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
    private static final Pattern DNS_NAME =
            Pattern.compile("^(\\*\\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

    private Values() {}

    static boolean isLabelKey(String key) {
        if (key == null || key.length() > 316 || !LABEL_KEY.matcher(key).matches()) {
            return false;
        }
        int slash = key.indexOf('/');
        return slash < 0 || slash <= 253;
    }

    static boolean isLabelValue(String value) {
        return value == null
                || (value.length() <= 63 && LABEL_VALUE.matcher(value).matches());
    }

    static boolean isDnsName(String name) {
        return name != null && name.length() <= 253 && DNS_NAME.matcher(name).matches();
    }

    static boolean isIpv4(String text) {
        var m = text == null ? null : IPV4.matcher(text);
        if (m == null || !m.matches()) {
            return false;
        }
        for (int i = 1; i <= 4; i++) {
            if (Integer.parseInt(m.group(i)) > 255) {
                return false;
            }
        }
        return true;
    }

    static boolean isIpv6(String text) {
        if (text == null || !text.contains(":") || !text.matches("^[0-9a-fA-F:.]+$")) {
            return false;
        }
        try {
            return InetAddress.getByName(text).getAddress().length == 16;
        } catch (Exception e) {
            return false;
        }
    }

    static boolean hasControlCharacters(String text) {
        return text.chars().anyMatch(Character::isISOControl);
    }

    private static final Pattern PRINTABLE_SUBJECT = Pattern.compile(Patterns.PRINTABLE_SUBJECT);

    /**
     * Whether {@code text} names a user or group readably: the schema's pattern (no control characters, no invisible
     * direction or formatting marks), and no other format character, surrogate or unassigned code point.
     */
    static boolean isPrintableSubject(String text) {
        return text != null
                && PRINTABLE_SUBJECT.matcher(text).matches()
                && text.codePoints()
                        .noneMatch(c -> Character.getType(c) == Character.FORMAT
                                || Character.getType(c) == Character.SURROGATE
                                || Character.getType(c) == Character.UNASSIGNED
                                || Character.getType(c) == Character.PRIVATE_USE);
    }

    /** A value as a message shows it: quoted, or "(unset)" — never the word null. */
    static String quoted(String value) {
        return value == null ? "(unset)" : "'" + value + "'";
    }
}
