package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The world's record of where each pod ran: per pod (namespace, name, uid), the intervals of world time during
 * which it was Running with its containers started, and the node and zone it ran in. A pod counts as running
 * from the instant its kubelet started it to the instant it was gone, was stopped, or its node's instance went
 * down (a zone outage stops the containers at once, whatever the API still says). Tests use it to check that a
 * pod never ran in two zones at once.
 *
 * <p>It is an observation, not a controller: it looks at the store after every run of the controllers that
 * changed something and notes what changed, at that instant. Persisted with the Kubernetes half.
 */
final class History {

    /** One interval; {@code to} is -1 while it lasts. */
    static final class Interval {
        String namespace;
        String name;
        String uid;
        String node;
        String zone;
        long from;
        long to = -1;
    }

    private final List<Interval> intervals = new ArrayList<>();
    /** Open intervals by pod uid. */
    private final Map<String, Interval> open = new LinkedHashMap<>();

    /** Notes pods that started or stopped running since the last look. */
    void observe(ObjectStore store, long now, Ec2Side ec2) {
        Set<String> running = new HashSet<>();
        for (ObjectNode p : store.all(ResourceType.PODS)) {
            ObjectNode node = runningOn(store, p, ec2);
            if (node == null) {
                continue;
            }
            String uid = Json.uid(p);
            running.add(uid);
            if (!open.containsKey(uid)) {
                Interval i = new Interval();
                i.namespace = Json.namespace(p);
                i.name = Json.name(p);
                i.uid = uid;
                i.node = Json.name(node);
                i.zone = Facts.nodeZone(node);
                i.from = now;
                intervals.add(i);
                open.put(uid, i);
            }
        }
        open.values().removeIf(i -> {
            if (running.contains(i.uid)) {
                return false;
            }
            i.to = now;
            return true;
        });
    }

    /**
     * The node whose containers run {@code pod} right now, or null: Running with a container started, on a node
     * whose EC2 instance is up (a zone outage stops the containers at once, whatever the API still says).
     */
    static ObjectNode runningOn(ObjectStore store, JsonNode pod, Ec2Side ec2) {
        String nodeName = Json.text(pod, "spec", "nodeName");
        if (nodeName == null || !"Running".equals(Json.text(pod, "status", "phase")) || !started(pod)) {
            return null;
        }
        ObjectNode node = store.find(ResourceType.NODES, null, nodeName);
        return node == null || !up(node, ec2) ? null : node;
    }

    private static boolean started(JsonNode pod) {
        for (JsonNode c : pod.path("status").path("containerStatuses")) {
            if (c.path("started").asBoolean(false) || c.path("state").has("running")) {
                return true;
            }
        }
        return false;
    }

    private static boolean up(JsonNode node, Ec2Side ec2) {
        String id = Facts.instanceId(node);
        String state = id == null || ec2 == null ? null : ec2.instanceState(id);
        return state == null || "running".equals(state);
    }

    /** The intervals in the order they began, for {@code sim show}: times as RFC 3339 with milliseconds, {@code to} null while open. */
    List<Map<String, Object>> show() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Interval i : intervals) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", i.namespace);
            m.put("name", i.name);
            m.put("uid", i.uid);
            m.put("node", i.node);
            m.put("zone", i.zone);
            m.put("from", Instant.ofEpochMilli(i.from).toString());
            m.put("to", i.to < 0 ? null : Instant.ofEpochMilli(i.to).toString());
            out.add(m);
        }
        return out;
    }

    void writeTo(ObjectNode root) {
        ArrayNode a = root.putArray("history");
        for (Interval i : intervals) {
            ObjectNode n = a.addObject();
            n.put("namespace", i.namespace).put("name", i.name).put("uid", i.uid).put("node", i.node)
                    .put("zone", i.zone).put("from", i.from).put("to", i.to);
        }
    }

    void readFrom(JsonNode root) {
        for (JsonNode n : root.path("history")) {
            Interval i = new Interval();
            i.namespace = n.path("namespace").asText();
            i.name = n.path("name").asText();
            i.uid = n.path("uid").asText();
            i.node = n.path("node").asText();
            i.zone = n.path("zone").asText(null);
            i.from = n.path("from").asLong();
            i.to = n.path("to").asLong(-1);
            intervals.add(i);
            if (i.to < 0) {
                open.put(i.uid, i);
            }
        }
    }
}
