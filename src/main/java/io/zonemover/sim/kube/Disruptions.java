package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;
import io.zonemover.sim.kube.store.Selectors;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The world's record of disruption per StatefulSet: how many of its pods were unavailable at each instant, and
 * the PodDisruptionBudget that covers it, so that a test reads the disruption a move caused from the world
 * rather than from the tool that caused it.
 *
 * <p>Every StatefulSet ever seen (NAMESPACE/NAME) stays tracked: zonemover deletes a StatefulSet (orphaning its
 * pods) during a move and creates it again, and the pods it left count all the while. Expected is the set's
 * spec.replicas, the last value seen. Available are the pods NAME-ORDINAL (ORDINAL below expected) in its
 * namespace that run ({@link History#runningOn}: Running, containers started, the node's EC2 instance up), are
 * Ready and are not being deleted. Unavailable = expected - available; a change point is noted whenever it
 * changes. The budget is the first (by name) in the namespace whose selector matches the set's pod template
 * labels, the latest seen while the set existed.
 *
 * <p>{@code sim show --json} prints it under the top-level key {@code disruption}:
 * <pre>
 * "disruption": {"NAMESPACE/NAME": {
 *     "replicas": 3,
 *     "pdb": {"name": "catalog", "minAvailable": 2, "maxUnavailable": null},    (or null; values as written:
 *                                                                                a number or a "34%" string)
 *     "maxUnavailable": 1,    (the most unavailable at once since the set first had every replica available,
 *                              so that the build-up at creation does not count; null until then)
 *     "series": [{"at": "2025-06-15T15:06:40.000Z", "unavailable": 3}, ...]}}    (RFC 3339, milliseconds)
 * </pre>
 *
 * <p>Like {@link History}, an observation, not a controller; persisted with the Kubernetes half.
 */
final class Disruptions {

    private static final DateTimeFormatter MILLIS = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'")
            .withZone(ZoneOffset.UTC);

    /** One StatefulSet's record. */
    private static final class Tracked {
        int replicas;
        /** {name, minAvailable, maxUnavailable} as the budget's spec has them (null when absent), or null. */
        ObjectNode pdb;
        /** Change points {world epoch millis, unavailable}, in time order. */
        final List<long[]> series = new ArrayList<>();
    }

    private final Map<String, Tracked> sets = new TreeMap<>();

    /** Notes the sets seen, their budgets, and each set whose count of unavailable pods changed. */
    void observe(ObjectStore store, long now, Ec2Side ec2) {
        for (ObjectNode s : store.all(ResourceType.STATEFULSETS)) {
            Tracked t = sets.computeIfAbsent(Json.namespace(s) + "/" + Json.name(s), k -> new Tracked());
            t.replicas = s.path("spec").path("replicas").asInt(1);
            ObjectNode pdb = budgetOf(store, s);
            if (pdb != null) {
                t.pdb = pdb;
            }
        }
        if (sets.isEmpty()) {
            return;
        }
        Map<String, Integer> available = new HashMap<>();
        for (ObjectNode p : store.all(ResourceType.PODS)) {
            String name = Json.name(p);
            int dash = name.lastIndexOf('-');
            String key = dash < 0 ? null : Json.namespace(p) + "/" + name.substring(0, dash);
            Tracked t = key == null ? null : sets.get(key);
            int ordinal = t == null ? -1 : Facts.ordinalOf(name, name.substring(0, dash));
            if (ordinal < 0 || ordinal >= t.replicas || Json.deleting(p) || !Facts.podReady(p)
                    || History.runningOn(store, p, ec2) == null) {
                continue;
            }
            available.merge(key, 1, Integer::sum);
        }
        sets.forEach((key, t) -> {
            long unavailable = Math.max(0, t.replicas - available.getOrDefault(key, 0));
            if (t.series.isEmpty() || t.series.get(t.series.size() - 1)[1] != unavailable) {
                t.series.add(new long[] {now, unavailable});
            }
        });
    }

    /** The spec of the first budget in the set's namespace that selects its pods, or null. */
    private static ObjectNode budgetOf(ObjectStore store, ObjectNode sts) {
        Map<String, String> labels = Json.stringMap(Json.at(sts, "spec", "template", "metadata", "labels"));
        for (ObjectNode pdb : store.list(ResourceType.PDBS, Json.namespace(sts), null, null)) {
            if (Selectors.matchesLabelSelector(Json.at(pdb, "spec", "selector"), labels)) {
                ObjectNode out = Json.obj();
                out.put("name", Json.name(pdb));
                // A field the spec leaves out is set to a JSON null.
                out.set("minAvailable", pdb.path("spec").get("minAvailable"));
                out.set("maxUnavailable", pdb.path("spec").get("maxUnavailable"));
                return out.deepCopy();
            }
        }
        return null;
    }

    /** Per set, in NAMESPACE/NAME order, the view the class comment describes. */
    Map<String, Object> show() {
        Map<String, Object> out = new LinkedHashMap<>();
        sets.forEach((key, t) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("replicas", t.replicas);
            m.put("pdb", t.pdb == null ? null : Json.MAPPER.convertValue(t.pdb, Map.class));
            m.put("maxUnavailable", maxSinceFirstWhole(t.series));
            List<Object> series = new ArrayList<>();
            for (long[] point : t.series) {
                Map<String, Object> p = new LinkedHashMap<>();
                p.put("at", MILLIS.format(Instant.ofEpochMilli(point[0])));
                p.put("unavailable", (int) point[1]);
                series.add(p);
            }
            m.put("series", series);
            out.put(key, m);
        });
        return out;
    }

    /** The largest count of unavailable pods from the first point with none on, or null if there is none. */
    private static Integer maxSinceFirstWhole(List<long[]> series) {
        Integer max = null;
        for (long[] point : series) {
            if (max != null || point[1] == 0) {
                max = Math.max(max == null ? 0 : max, (int) point[1]);
            }
        }
        return max;
    }

    void writeTo(ObjectNode root) {
        ObjectNode all = root.putObject("disruptions");
        sets.forEach((key, t) -> {
            ObjectNode n = all.putObject(key);
            n.put("replicas", t.replicas);
            n.set("pdb", t.pdb == null ? Json.F.nullNode() : t.pdb);
            ArrayNode series = n.putArray("series");
            t.series.forEach(point -> series.addArray().add(point[0]).add(point[1]));
        });
    }

    void readFrom(JsonNode root) {
        root.path("disruptions").fields().forEachRemaining(e -> {
            Tracked t = new Tracked();
            t.replicas = e.getValue().path("replicas").asInt();
            JsonNode pdb = e.getValue().path("pdb");
            t.pdb = pdb.isObject() ? (ObjectNode) pdb.deepCopy() : null;
            e.getValue().path("series").forEach(p -> t.series.add(new long[] {p.get(0).asLong(), p.get(1).asLong()}));
            sets.put(e.getKey(), t);
        });
    }
}
