package io.zonemover.domain;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Kubernetes label selector as kubectl's {@code -l} takes it: requirements joined by commas, each one of
 * {@code key}, {@code !key}, {@code key=value}, {@code key==value}, {@code key!=value},
 * {@code key in (a,b)}, {@code key notin (a,b)}. Parsed here so that a typo is refused as bad input before
 * anything is asked of the cluster; the API server does the filtering, {@link #matches} is for fakes and
 * checks. Keys and values follow apimachinery's validation (an optional DNS-subdomain prefix and a name of
 * at most 63 characters; values at most 63 characters, possibly empty).
 */
public final class LabelSelector {

    /** One requirement: {@code op} is one of =, !=, in, notin, exists, !. */
    public record Requirement(String key, String op, Set<String> values) {

        boolean matches(Map<String, String> labels) {
            String v = labels.get(key);
            return switch (op) {
                case "=", "in" -> v != null && values.contains(v);
                case "!=", "notin" -> v == null || !values.contains(v);
                case "exists" -> labels.containsKey(key);
                default -> !labels.containsKey(key);
            };
        }
    }

    private static final String NAME = "[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?";
    private static final Pattern KEY_NAME = Pattern.compile(NAME);
    private static final Pattern PREFIX = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    private static final Pattern SET = Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$");

    private static final LabelSelector EVERYTHING = new LabelSelector("", List.of());

    private final String text;
    private final List<Requirement> requirements;

    private LabelSelector(String text, List<Requirement> requirements) {
        this.text = text;
        this.requirements = requirements;
    }

    /** The selector that matches every object. */
    public static LabelSelector everything() {
        return EVERYTHING;
    }

    /** Parses a selector (null or blank: everything), or throws a bad-input error naming the bad part. */
    public static LabelSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> requirements = new ArrayList<>();
        for (String term : splitOutsideParentheses(text)) {
            requirements.add(requirement(term.trim(), text));
        }
        return new LabelSelector(text.trim(), List.copyOf(requirements));
    }

    public boolean isEverything() {
        return requirements.isEmpty();
    }

    public List<Requirement> requirements() {
        return requirements;
    }

    public boolean matches(Map<String, String> labels) {
        Map<String, String> l = labels == null ? Map.of() : labels;
        return requirements.stream().allMatch(r -> r.matches(l));
    }

    /** The selector as given (trimmed), ready for the API's {@code labelSelector} parameter; empty for everything. */
    @Override
    public String toString() {
        return text;
    }

    private static Requirement requirement(String term, String whole) {
        if (term.isEmpty()) {
            throw bad(whole, "an empty requirement");
        }
        Matcher set = SET.matcher(term);
        if (set.matches()) {
            Set<String> values = new TreeSet<>();
            for (String v : set.group(3).split(",", -1)) {
                values.add(value(v.trim(), whole));
            }
            if (set.group(3).isBlank()) {
                throw bad(whole, "'" + term + "' lists no values");
            }
            return new Requirement(key(set.group(1), whole), set.group(2), Set.copyOf(values));
        }
        for (String op : List.of("!=", "==", "=")) {
            int i = term.indexOf(op);
            if (i >= 0) {
                String key = term.substring(0, i).trim();
                String value = term.substring(i + op.length()).trim();
                return new Requirement(key(key, whole), op.equals("!=") ? "!=" : "=", Set.of(value(value, whole)));
            }
        }
        if (term.startsWith("!")) {
            return new Requirement(key(term.substring(1).trim(), whole), "!", Set.of());
        }
        return new Requirement(key(term, whole), "exists", Set.of());
    }

    private static String key(String key, String whole) {
        int slash = key.indexOf('/');
        String name = slash < 0 ? key : key.substring(slash + 1);
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            if (prefix.isEmpty() || prefix.length() > 253 || !PREFIX.matcher(prefix).matches()) {
                throw bad(whole, "'" + key + "' is not a valid label key (bad prefix '" + prefix + "')");
            }
        }
        if (name.isEmpty() || name.length() > 63 || !KEY_NAME.matcher(name).matches()) {
            throw bad(whole, "'" + key + "' is not a valid label key");
        }
        return key;
    }

    private static String value(String value, String whole) {
        if (!value.isEmpty() && (value.length() > 63 || !KEY_NAME.matcher(value).matches())) {
            throw bad(whole, "'" + value + "' is not a valid label value");
        }
        return value;
    }

    private static List<String> splitOutsideParentheses(String s) {
        List<String> out = new ArrayList<>();
        int depth = 0;
        StringBuilder current = new StringBuilder();
        for (char c : s.toCharArray()) {
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                out.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (depth != 0) {
            throw bad(s, "unbalanced parentheses");
        }
        out.add(current.toString());
        return out;
    }

    private static ZonemoverException bad(String selector, String what) {
        return ZonemoverException.badInput("label selector '" + selector.trim() + "': " + what
                + " (expected key=value, key!=value, key in (a,b), key notin (a,b), key or !key, joined by commas)");
    }
}
