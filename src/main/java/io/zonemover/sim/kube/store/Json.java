package io.zonemover.sim.kube.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/** Small helpers over Jackson trees, which is how the simulated API stores objects. */
public final class Json {

    public static final ObjectMapper MAPPER = new ObjectMapper();
    public static final JsonNodeFactory F = JsonNodeFactory.instance;
    private static final DateTimeFormatter MICRO = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSS'Z'")
            .withZone(java.time.ZoneOffset.UTC);

    private Json() {
    }

    public static ObjectNode obj() {
        return F.objectNode();
    }

    /** RFC 3339 with second precision, as metav1.Time serializes. */
    public static String time(long epochMillis) {
        return Instant.ofEpochMilli(epochMillis).truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /** metav1.MicroTime. */
    public static String microTime(long epochMillis) {
        return MICRO.format(Instant.ofEpochMilli(epochMillis));
    }

    static long parseTime(String s) {
        return Instant.parse(s).toEpochMilli();
    }

    public static ObjectNode meta(ObjectNode o) {
        return with(o, "metadata");
    }

    public static ObjectNode with(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n instanceof ObjectNode on) {
            return on;
        }
        return o.putObject(field);
    }

    public static ArrayNode withArray(ObjectNode o, String field) {
        JsonNode n = o.get(field);
        if (n instanceof ArrayNode an) {
            return an;
        }
        return o.putArray(field);
    }

    public static String text(JsonNode n, String... path) {
        JsonNode cur = n;
        for (String p : path) {
            if (cur == null) {
                return null;
            }
            cur = cur.get(p);
        }
        return cur == null || cur.isNull() ? null : cur.asText();
    }

    public static JsonNode at(JsonNode n, String... path) {
        JsonNode cur = n;
        for (String p : path) {
            if (cur == null) {
                return null;
            }
            cur = cur.get(p);
        }
        return cur == null || cur.isNull() ? null : cur;
    }

    public static String name(JsonNode o) {
        return text(o, "metadata", "name");
    }

    public static String namespace(JsonNode o) {
        return text(o, "metadata", "namespace");
    }

    public static String uid(JsonNode o) {
        return text(o, "metadata", "uid");
    }

    public static boolean deleting(JsonNode o) {
        return at(o, "metadata", "deletionTimestamp") != null;
    }

    public static Map<String, String> labels(JsonNode o) {
        return stringMap(at(o, "metadata", "labels"));
    }

    public static Map<String, String> stringMap(JsonNode n) {
        Map<String, String> m = new LinkedHashMap<>();
        if (n != null && n.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = n.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                m.put(e.getKey(), e.getValue().isNull() ? null : e.getValue().asText());
            }
        }
        return m;
    }

    public static boolean hasFinalizer(JsonNode o, String f) {
        JsonNode fs = at(o, "metadata", "finalizers");
        if (fs != null) {
            for (JsonNode x : fs) {
                if (f.equals(x.asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True when it changed something. */
    public static boolean addFinalizer(ObjectNode o, String f) {
        if (hasFinalizer(o, f)) {
            return false;
        }
        withArray(meta(o), "finalizers").add(f);
        return true;
    }

    public static boolean removeFinalizer(ObjectNode o, String f) {
        JsonNode fs = at(o, "metadata", "finalizers");
        if (!(fs instanceof ArrayNode arr)) {
            return false;
        }
        for (int i = 0; i < arr.size(); i++) {
            if (f.equals(arr.get(i).asText())) {
                arr.remove(i);
                if (arr.isEmpty()) {
                    meta(o).remove("finalizers");
                }
                return true;
            }
        }
        return false;
    }

    public static boolean noFinalizers(JsonNode o) {
        JsonNode fs = at(o, "metadata", "finalizers");
        return fs == null || fs.isEmpty();
    }

    /** Sets a text field; true when the value changed. */
    public static boolean set(ObjectNode o, String field, String value) {
        JsonNode old = o.get(field);
        if (value == null) {
            if (old == null) {
                return false;
            }
            o.remove(field);
            return true;
        }
        if (old != null && old.isTextual() && old.asText().equals(value)) {
            return false;
        }
        o.put(field, value);
        return true;
    }

    static boolean setNode(ObjectNode o, String field, JsonNode value) {
        JsonNode old = o.get(field);
        if (value == null) {
            if (old == null) {
                return false;
            }
            o.remove(field);
            return true;
        }
        if (value.equals(old)) {
            return false;
        }
        o.set(field, value);
        return true;
    }
}
