package io.zonemover.sim.kube.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Records Events as client-go's event recorder does, for every controller: an identical event bumps the
 * existing one's count instead of adding another, and a standing condition is reported once, not on every
 * pass of the controller loop.
 */
public final class EventRecorder {

    private final ObjectStore store;
    /** Identity of an event (object, type, reason, source, message) to its store key; rebuilt on load. */
    private final Map<String, String> index = new HashMap<>();
    /** Conditions already reported by an event, so a standing condition is not re-reported every pass. */
    private final TreeMap<String, Long> reported = new TreeMap<>();

    public EventRecorder(ObjectStore store) {
        this.store = store;
        for (Map.Entry<String, ObjectNode> e : store.map(ResourceType.EVENTS).entrySet()) {
            index.put(identity(e.getValue()), e.getKey());
        }
    }

    private static String identity(JsonNode e) {
        JsonNode io = e.path("involvedObject");
        return io.path("namespace").asText() + "|" + io.path("kind").asText() + "|" + io.path("name").asText() + "|"
                + io.path("uid").asText() + "|" + e.path("type").asText() + "|" + e.path("reason").asText() + "|"
                + e.path("source").path("component").asText() + "|" + e.path("message").asText();
    }

    /**
     * Records an event: an identical event (same object, type, reason, source and message) bumps the existing
     * one's count, lastTimestamp and series instead of adding another.
     */
    public ObjectNode record(long now, ResourceType involvedType, JsonNode involved, String type, String reason,
                             String message, String component) {
        ObjectNode e = Json.obj();
        e.put("apiVersion", "v1");
        e.put("kind", "Event");
        ObjectNode io = e.putObject("involvedObject");
        io.put("apiVersion", involvedType.groupVersion());
        io.put("kind", involvedType.kind());
        String ns = Json.namespace(involved);
        if (ns != null) {
            io.put("namespace", ns);
        }
        io.put("name", Json.name(involved));
        io.put("uid", Json.uid(involved));
        String rv = Json.text(involved, "metadata", "resourceVersion");
        if (rv != null) {
            io.put("resourceVersion", rv);
        }
        e.put("type", type);
        e.put("reason", reason);
        e.put("message", message);
        e.putObject("source").put("component", component);
        String k = identity(e);
        String existingKey = index.get(k);
        ObjectNode existing = existingKey == null ? null : store.map(ResourceType.EVENTS).get(existingKey);
        if (existing != null) {
            int count = existing.path("count").asInt(1) + 1;
            existing.put("count", count);
            existing.put("lastTimestamp", Json.time(now));
            ObjectNode series = existing.putObject("series");
            series.put("count", count);
            series.put("lastObservedTime", Json.microTime(now));
            ((ObjectNode) existing.get("involvedObject")).setAll(io);
            store.touch(ResourceType.EVENTS, existing);
            return existing;
        }
        String evNs = ns == null ? "default" : ns;
        ObjectNode m = Json.obj();
        m.put("name", Json.name(involved) + "." + String.format("%016x", ObjectStore.mix(store.nextSeq())));
        m.put("namespace", evNs);
        m.put("uid", store.newUid());
        m.put("creationTimestamp", Json.time(now));
        ObjectNode ordered = Json.obj();
        ordered.put("apiVersion", "v1");
        ordered.put("kind", "Event");
        ordered.set("metadata", m);
        e.remove("apiVersion");
        e.remove("kind");
        ordered.setAll(e);
        ordered.put("firstTimestamp", Json.time(now));
        ordered.put("lastTimestamp", Json.time(now));
        ordered.put("count", 1);
        ordered.put("reportingComponent", component);
        ordered.put("reportingInstance", component);
        store.ensureNamespace(evNs, now);
        store.put(ResourceType.EVENTS, ordered);
        index.put(k, ObjectStore.key(ResourceType.EVENTS, evNs, Json.name(ordered)));
        return ordered;
    }

    /** Emits an event once for a standing condition named {@code conditionKey}; true when it emitted. */
    public boolean reportOnce(String conditionKey, long now, ResourceType involvedType, JsonNode involved, String type,
                              String reason, String message, String component) {
        if (reported.containsKey(conditionKey)) {
            return false;
        }
        reported.put(conditionKey, now);
        record(now, involvedType, involved, type, reason, message, component);
        return true;
    }

    /** The condition is over: the next time it arises it is reported again. */
    public void clearReported(String conditionKey) {
        reported.remove(conditionKey);
    }

    /** An event left the store (deleted through the API). */
    void forget(JsonNode event) {
        index.remove(identity(event));
    }

    public void writeTo(ObjectNode root) {
        ObjectNode r = root.putObject("reported");
        reported.forEach(r::put);
    }

    public void readFrom(JsonNode root) {
        root.path("reported").fields().forEachRemaining(e -> reported.put(e.getKey(), e.getValue().asLong()));
    }
}
