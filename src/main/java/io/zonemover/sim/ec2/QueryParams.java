package io.zonemover.sim.ec2;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parameters of one EC2 Query request, as the AWS SDK sends them: form-encoded name/value pairs where lists
 * are flattened with 1-based indexes ({@code VolumeId.1}, {@code Filter.1.Name}, {@code Filter.1.Value.1},
 * {@code TagSpecification.1.Tag.1.Key}). Reading a malformed one answers EC2's own parameter errors.
 */
final class QueryParams {

    private final Map<String, String> p;

    QueryParams(Map<String, String> params) {
        this.p = params;
    }

    /** The parameters of the URL's query string and the form body together (the body wins on a clash). */
    static QueryParams parse(String rawQuery, String body) {
        Map<String, String> out = new LinkedHashMap<>();
        decodeInto(rawQuery, out);
        decodeInto(body, out);
        return new QueryParams(out);
    }

    private static void decodeInto(String raw, Map<String, String> into) {
        if (raw == null || raw.isEmpty()) {
            return;
        }
        for (String pair : raw.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = eq < 0 ? pair : pair.substring(0, eq);
            String v = eq < 0 ? "" : pair.substring(eq + 1);
            into.put(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
        }
    }

    String get(String name) {
        return p.get(name);
    }

    boolean has(String name) {
        return p.containsKey(name);
    }

    /** True when some parameter name starts with one of the prefixes (or equals it). */
    boolean anyStartsWith(List<String> prefixes) {
        for (String k : p.keySet()) {
            for (String prefix : prefixes) {
                if (k.startsWith(prefix)) {
                    return true;
                }
            }
        }
        return false;
    }

    String required(String name) {
        String v = p.get(name);
        if (v == null || v.isEmpty()) {
            throw Ec2Error.missing(name);
        }
        return v;
    }

    Integer integer(String name) {
        String v = p.get(name);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw Ec2Error.invalid("Value (" + v + ") for parameter " + name + " is invalid.");
        }
    }

    /** Null when absent; otherwise anything but {@code true} is false, as Boolean.parseBoolean reads it. */
    Boolean bool(String name) {
        return p.containsKey(name) ? Boolean.parseBoolean(p.get(name)) : null;
    }

    /** Values of {@code PREFIX.1}, {@code PREFIX.2}, ... in index order. */
    List<String> list(String prefix) {
        Pattern pat = Pattern.compile(Pattern.quote(prefix) + "\\.(\\d+)");
        TreeMap<Integer, String> byIndex = new TreeMap<>();
        p.forEach((k, v) -> {
            Matcher m = pat.matcher(k);
            if (m.matches()) {
                byIndex.put(Integer.parseInt(m.group(1)), v);
            }
        });
        return new ArrayList<>(byIndex.values());
    }

    /** Indexes N for which some key starts with {@code PREFIX.N.}. */
    private TreeSet<Integer> indexes(String prefix) {
        Pattern pat = Pattern.compile(Pattern.quote(prefix) + "\\.(\\d+)\\..*");
        TreeSet<Integer> out = new TreeSet<>();
        for (String k : p.keySet()) {
            Matcher m = pat.matcher(k);
            if (m.matches()) {
                out.add(Integer.parseInt(m.group(1)));
            }
        }
        return out;
    }

    /** {@code PREFIX.N.Key} / {@code PREFIX.N.Value} pairs; a missing Value is the empty string. */
    Map<String, String> tags(String prefix) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i : indexes(prefix)) {
            String key = p.get(prefix + "." + i + ".Key");
            if (key == null) {
                throw Ec2Error.missing(prefix + "." + i + ".Key");
            }
            out.put(key, p.getOrDefault(prefix + "." + i + ".Value", ""));
        }
        return out;
    }

    /** Tags of every {@code TagSpecification.N}; each must be for {@code resourceType}, as EC2 insists. */
    Map<String, String> tagSpecs(String resourceType) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i : indexes("TagSpecification")) {
            String type = p.get("TagSpecification." + i + ".ResourceType");
            if (type == null) {
                throw Ec2Error.missing("TagSpecification." + i + ".ResourceType");
            }
            if (!type.equals(resourceType)) {
                throw Ec2Error.invalid("'" + type + "' is not a valid taggable resource type for this operation.");
            }
            out.putAll(tags("TagSpecification." + i + ".Tag"));
        }
        return out;
    }

    /** {@code Filter.N.Name} with its {@code Filter.N.Value.M}. */
    List<Filter> filters() {
        List<Filter> out = new ArrayList<>();
        for (int i : indexes("Filter")) {
            String name = p.get("Filter." + i + ".Name");
            if (name == null) {
                throw Ec2Error.missing("Filter." + i + ".Name");
            }
            out.add(new Filter(name, list("Filter." + i + ".Value")));
        }
        return out;
    }
}
