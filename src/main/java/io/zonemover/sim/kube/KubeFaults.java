package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Faults injected into the Kubernetes half: pods that never become Ready, zones whose nodes have no
 * capacity left, and faults of the API server itself ({@link ApiFaults}). Immutable; serialized with the
 * world.
 *
 * @param neverReadyPods   "namespace/name" of pods whose containers start but never pass readiness
 * @param neverReadyLabels "key=value" labels: any pod carrying one never becomes Ready
 * @param fullZones        zones whose nodes report no allocatable cpu or memory to the scheduler
 * @param api              error, conflict and unreachable faults of the API server
 * @param neverStartPods   "namespace/name" of pods whose containers never start (as with an image that
 *                         cannot be pulled): the pod stays Pending on its node, having written nothing
 */
public record KubeFaults(Set<String> neverReadyPods, Set<String> neverReadyLabels, Set<String> fullZones,
                         ApiFaults api, Set<String> neverStartPods) {

    public static final KubeFaults NONE = new KubeFaults(Set.of(), Set.of(), Set.of(), ApiFaults.NONE, Set.of());

    public KubeFaults {
        neverReadyPods = Set.copyOf(new TreeSet<>(neverReadyPods));
        neverReadyLabels = Set.copyOf(new TreeSet<>(neverReadyLabels));
        fullZones = Set.copyOf(new TreeSet<>(fullZones));
        api = api == null ? ApiFaults.NONE : api;
        neverStartPods = Set.copyOf(new TreeSet<>(neverStartPods == null ? Set.of() : neverStartPods));
    }

    public KubeFaults(Set<String> neverReadyPods, Set<String> neverReadyLabels, Set<String> fullZones, ApiFaults api) {
        this(neverReadyPods, neverReadyLabels, fullZones, api, Set.of());
    }

    public KubeFaults withNeverStartPod(String namespace, String name) {
        Set<String> s = new TreeSet<>(neverStartPods);
        s.add(namespace + "/" + name);
        return new KubeFaults(neverReadyPods, neverReadyLabels, fullZones, api, s);
    }

    public boolean neverStarts(String namespace, String name) {
        return neverStartPods.contains(namespace + "/" + name);
    }

    public KubeFaults(Set<String> neverReadyPods, Set<String> neverReadyLabels, Set<String> fullZones) {
        this(neverReadyPods, neverReadyLabels, fullZones, ApiFaults.NONE);
    }

    public KubeFaults withApi(ApiFaults apiFaults) {
        return new KubeFaults(neverReadyPods, neverReadyLabels, fullZones, apiFaults, neverStartPods);
    }

    public KubeFaults withNeverReadyPod(String namespace, String name) {
        Set<String> s = new TreeSet<>(neverReadyPods);
        s.add(namespace + "/" + name);
        return new KubeFaults(s, neverReadyLabels, fullZones, api, neverStartPods);
    }

    public KubeFaults withNeverReadyLabel(String key, String value) {
        Set<String> s = new TreeSet<>(neverReadyLabels);
        s.add(key + "=" + value);
        return new KubeFaults(neverReadyPods, s, fullZones, api, neverStartPods);
    }

    public KubeFaults withFullZone(String zone) {
        Set<String> s = new TreeSet<>(fullZones);
        s.add(zone);
        return new KubeFaults(neverReadyPods, neverReadyLabels, s, api, neverStartPods);
    }

    public boolean neverReady(String namespace, String name, Map<String, String> labels) {
        if (neverReadyPods.contains(namespace + "/" + name)) {
            return true;
        }
        for (Map.Entry<String, String> e : labels.entrySet()) {
            if (neverReadyLabels.contains(e.getKey() + "=" + e.getValue())) {
                return true;
            }
        }
        return false;
    }

    ObjectNode toJson() {
        ObjectNode n = JsonNodeFactory.instance.objectNode();
        put(n.putArray("neverReadyPods"), neverReadyPods);
        put(n.putArray("neverReadyLabels"), neverReadyLabels);
        put(n.putArray("fullZones"), fullZones);
        if (api.any()) {
            n.set("api", api.toJson());
        }
        if (!neverStartPods.isEmpty()) {
            put(n.putArray("neverStartPods"), neverStartPods);
        }
        return n;
    }

    static KubeFaults fromJson(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return NONE;
        }
        return new KubeFaults(read(n.path("neverReadyPods")), read(n.path("neverReadyLabels")),
                read(n.path("fullZones")), ApiFaults.fromJson(n.get("api")), read(n.path("neverStartPods")));
    }

    private static void put(ArrayNode a, Set<String> s) {
        new TreeSet<>(s).forEach(a::add);
    }

    private static Set<String> read(JsonNode a) {
        Set<String> s = new TreeSet<>();
        a.forEach(x -> s.add(x.asText()));
        return s;
    }
}
