package io.zonemover.sim.ec2;

import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.regex.Pattern;

/**
 * One Describe filter: a name and its values, any of which may match; values may use EC2's wildcards
 * ({@code *} any run of characters, {@code ?} one). Filters on a call must all match.
 */
record Filter(String name, List<String> values) {

    boolean matches(String actual) {
        for (String v : values) {
            if (glob(v).matcher(actual).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether every filter holds. All are evaluated, even after one fails, so that an unknown filter name is
     * reported ({@code InvalidParameterValue}) whatever the resource it met first.
     */
    static boolean all(List<Filter> filters, Predicate<Filter> test) {
        boolean ok = true;
        for (Filter f : filters) {
            ok &= test.test(f);
        }
        return ok;
    }

    /** The filters every taggable resource accepts ({@code tag:KEY}, {@code tag-key}, {@code tag-value}). */
    boolean matchesTags(Map<String, String> tags) {
        if (name.startsWith("tag:")) {
            String v = tags.get(name.substring(4));
            return v != null && matches(v);
        }
        if (name.equals("tag-key")) {
            return tags.keySet().stream().anyMatch(this::matches);
        }
        if (name.equals("tag-value")) {
            return tags.values().stream().anyMatch(this::matches);
        }
        throw Ec2Error.invalidFilter(name);
    }

    private static Pattern glob(String v) {
        StringBuilder b = new StringBuilder();
        for (char c : v.toCharArray()) {
            switch (c) {
                case '*' -> b.append(".*");
                case '?' -> b.append('.');
                default -> b.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(b.toString(), Pattern.DOTALL);
    }
}
