package io.zonemover.sim.kube.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;

/**
 * Keeps the cluster's objects (etcd's part of Kubernetes): objects by kind and key, resourceVersions, the
 * counter that uids and generated names come from, and the timers of timed transitions.
 *
 * <p>Everything is a function of the stored state: uids and names come from {@link #seq}, never from a
 * random source or the wall clock, so two processes that load the same state compute the same world.
 * Objects are kept as JSON trees, exactly what the API serves; what {@link #find} and {@link #list} return
 * are the live stored trees, which only the API server and controllers change (always followed by
 * {@link #touch}).
 */
public final class ObjectStore {

    private final Map<ResourceType, TreeMap<String, ObjectNode>> objects = new LinkedHashMap<>();
    private long resourceVersion;
    private long seq;
    /** Bumped by every change the scheduler cares about (nodes, pods, claims, volumes, classes). */
    private long clusterGen;
    /** Pending timed transitions: key ("start:ns/pod", "stop:ns/pod", "sched:ns/pod", "attach:va") to time. */
    private final TreeMap<String, Long> timers = new TreeMap<>();
    /** Per pending pod: the {@link #clusterGen} its last scheduling attempt saw (the scheduler's memory). */
    private final TreeMap<String, Long> schedGen = new TreeMap<>();
    private long cachedNextEvent = Long.MIN_VALUE;

    public ObjectStore() {
        for (ResourceType t : ResourceType.ALL) {
            objects.put(t, new TreeMap<>());
        }
    }

    public static String key(ResourceType type, String namespace, String name) {
        return type.namespaced() ? namespace + "/" + name : name;
    }

    public static String key(ResourceType type, JsonNode o) {
        return key(type, Json.namespace(o), Json.name(o));
    }

    // ------------------------------------------------------------------ counters

    public long resourceVersion() {
        return resourceVersion;
    }

    public long clusterGen() {
        return clusterGen;
    }

    /** A change the scheduler must see that is not a change to an object (faults, the emulated version). */
    public void bumpClusterGen() {
        clusterGen++;
    }

    /** Advances the id counter and returns its new value. */
    public long nextSeq() {
        return ++seq;
    }

    // ------------------------------------------------------------------ objects

    /** The live stored objects of one kind, in key order. */
    public TreeMap<String, ObjectNode> map(ResourceType type) {
        return objects.get(type);
    }

    /** The live stored objects of one kind; callers that change the store while iterating take a copy. */
    public Collection<ObjectNode> all(ResourceType type) {
        return objects.get(type).values();
    }

    /** The live stored object, or null. */
    public ObjectNode find(ResourceType type, String namespace, String name) {
        return objects.get(type).get(key(type, namespace, name));
    }

    /** Live stored objects of a type in a namespace (null: all), filtered by selectors (may be null). */
    public List<ObjectNode> list(ResourceType type, String namespace, String labelSelector, String fieldSelector) {
        Predicate<Map<String, String>> labels = Selectors.parseLabelSelector(labelSelector);
        Predicate<JsonNode> fields = Selectors.fieldPredicate(type, fieldSelector);
        boolean anyLabel = labelSelector != null && !labelSelector.isBlank();
        TreeMap<String, ObjectNode> map = objects.get(type);
        Iterable<ObjectNode> candidates = namespace == null || !type.namespaced()
                ? map.values() : map.subMap(namespace + "/", namespace + "/\uffff").values();
        List<ObjectNode> out = new ArrayList<>();
        for (ObjectNode o : candidates) {
            if (anyLabel && !labels.test(Json.labels(o))) {
                continue;
            }
            if (fields.test(o)) {
                out.add(o);
            }
        }
        return out;
    }

    /** Records a change to an object: new resourceVersion, and the scheduler's generation when relevant. */
    public void touch(ResourceType type, ObjectNode o) {
        resourceVersion++;
        Json.meta(o).put("resourceVersion", Long.toString(resourceVersion));
        if (type == ResourceType.NODES || type == ResourceType.PODS || type == ResourceType.PVCS
                || type == ResourceType.PVS || type == ResourceType.STORAGECLASSES) {
            clusterGen++;
        }
    }

    void put(ResourceType type, ObjectNode o) {
        objects.get(type).put(key(type, o), o);
        touch(type, o);
    }

    /**
     * Takes an object out of the store with the timers and memory that belong to it; false when it was not
     * there. The consequences outside the store are the API server's ({@link ApiServer#remove}).
     */
    boolean remove(ResourceType type, ObjectNode o) {
        String k = key(type, o);
        if (objects.get(type).remove(k) == null) {
            return false;
        }
        resourceVersion++;
        if (type != ResourceType.EVENTS && type != ResourceType.STATEFULSETS
                && type != ResourceType.VOLUMEATTACHMENTS) {
            clusterGen++;
        }
        if (type == ResourceType.PODS) {
            clearTimer("start:" + k);
            clearTimer("stop:" + k);
            clearTimer("sched:" + k);
            schedGen.remove(k);
        } else if (type == ResourceType.VOLUMEATTACHMENTS) {
            clearTimer("attach:" + k);
        }
        return true;
    }

    /** The API server's namespace lifecycle, simplified: a namespace exists as soon as something is put in it. */
    public void ensureNamespace(String ns, long now) {
        if (ns == null || find(ResourceType.NAMESPACES, null, ns) != null) {
            return;
        }
        ObjectNode o = Json.obj();
        o.put("apiVersion", "v1");
        o.put("kind", "Namespace");
        ObjectNode m = o.putObject("metadata");
        m.put("name", ns);
        m.put("uid", newUid());
        m.put("creationTimestamp", Json.time(now));
        m.putObject("labels").put("kubernetes.io/metadata.name", ns);
        o.putObject("spec").putArray("finalizers").add("kubernetes");
        o.putObject("status").put("phase", "Active");
        put(ResourceType.NAMESPACES, o);
    }

    // ------------------------------------------------------------------ ids

    String newUid() {
        long a = mix(++seq);
        long b = mix(seq ^ 0x5DEECE66DL);
        return String.format("%08x-%04x-4%03x-%04x-%012x", a >>> 32, (a >>> 16) & 0xffff, a & 0xfff,
                0x8000 | ((b >>> 48) & 0x3fff), b & 0xffffffffffffL);
    }

    /** 17 hex digits, as EC2 instance and volume ids have. */
    String newHex17() {
        long a = mix(++seq);
        long b = mix(a);
        return String.format("%016x%01x", a, b & 0xf);
    }

    String newSuffix(int n) {
        String alphabet = "bcdfghjklmnpqrstvwxz2456789";
        long a = mix(++seq);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append(alphabet.charAt((int) Long.remainderUnsigned(a, alphabet.length())));
            a = Long.divideUnsigned(a, alphabet.length());
        }
        return sb.toString();
    }

    /** SplitMix64's finalizer: a well-spread 64-bit value from a counter. */
    public static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    // ------------------------------------------------------------------ timers

    /** The earliest pending timed transition, or Long.MAX_VALUE. */
    public long nextEventAt() {
        if (cachedNextEvent == Long.MIN_VALUE) {
            long min = Long.MAX_VALUE;
            for (long v : timers.values()) {
                min = Math.min(min, v);
            }
            cachedNextEvent = min;
        }
        return cachedNextEvent;
    }

    public Long timer(String key) {
        return timers.get(key);
    }

    public void setTimer(String key, long at) {
        Long old = timers.put(key, at);
        if (old == null || old != at) {
            cachedNextEvent = Long.MIN_VALUE;
        }
    }

    public void clearTimer(String key) {
        if (timers.remove(key) != null) {
            cachedNextEvent = Long.MIN_VALUE;
        }
    }

    /** Changes whenever a timer is set, moved or cleared: the controller loop's "did anything happen". */
    public int timersFingerprint() {
        return timers.hashCode();
    }

    /** The cluster generation the scheduler last tried a pod at, or null. */
    public Long schedGen(String podKey) {
        return schedGen.get(podKey);
    }

    public void setSchedGen(String podKey, Long gen) {
        if (gen == null) {
            schedGen.remove(podKey);
        } else {
            schedGen.put(podKey, gen);
        }
    }

    // ------------------------------------------------------------------ persistence

    public void writeTo(ObjectNode root) {
        root.put("resourceVersion", resourceVersion);
        root.put("seq", seq);
        root.put("clusterGen", clusterGen);
        ObjectNode t = root.putObject("timers");
        timers.forEach(t::put);
        ObjectNode g = root.putObject("schedGen");
        schedGen.forEach(g::put);
        ObjectNode objs = root.putObject("objects");
        for (Map.Entry<ResourceType, TreeMap<String, ObjectNode>> e : objects.entrySet()) {
            ArrayNode arr = objs.putArray(e.getKey().plural());
            e.getValue().values().forEach(arr::add);
        }
    }

    public static ObjectStore readFrom(JsonNode root) {
        ObjectStore s = new ObjectStore();
        s.resourceVersion = root.path("resourceVersion").asLong();
        s.seq = root.path("seq").asLong();
        s.clusterGen = root.path("clusterGen").asLong();
        root.path("timers").fields().forEachRemaining(e -> s.timers.put(e.getKey(), e.getValue().asLong()));
        root.path("schedGen").fields().forEachRemaining(e -> s.schedGen.put(e.getKey(), e.getValue().asLong()));
        for (ResourceType type : ResourceType.ALL) {
            TreeMap<String, ObjectNode> map = s.objects.get(type);
            for (JsonNode o : root.path("objects").path(type.plural())) {
                map.put(key(type, o), (ObjectNode) o);
            }
        }
        return s;
    }
}
