package io.zonemover.sim.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.ec2.Ec2World;

import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The Kubernetes half of the simulated world: the object store (objects kept as JSON trees, exactly what
 * the API serves) and the controllers that matter for zone moves ({@link Controllers}).
 *
 * <p>Everything here is a function of the stored state and the world clock passed in: uids, names and
 * instance ids come from a counter, every timed transition is recorded in {@link #timers} and reported by
 * {@link #nextEventAt()}, and nothing reads the wall clock. Two processes that load the same state and
 * advance to the same instant therefore compute the same world.
 *
 * <p>The objects returned by {@link #find} and {@link #list} are the live stored trees: callers must not
 * change them (the endpoint serializes them while it holds the world's lock).
 */
public final class KubeWorld {

    static final int FORMAT = 1;
    static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
    static final String PV_PROTECTION = "kubernetes.io/pv-protection";
    static final String PROVISIONER_FINALIZER = "external-provisioner.volume.kubernetes.io/finalizer";
    static final String ATTACHER_FINALIZER = "external-attacher/ebs-csi-aws-com";
    static final String EBS_CSI = "ebs.csi.aws.com";
    static final String IN_TREE_EBS = "kubernetes.io/aws-ebs";
    static final String ZONE = "topology.kubernetes.io/zone";
    static final String ZONE_EBS = "topology.ebs.csi.aws.com/zone";
    static final String ZONE_BETA = "failure-domain.beta.kubernetes.io/zone";
    static final String REGION = "topology.kubernetes.io/region";
    static final String REGION_BETA = "failure-domain.beta.kubernetes.io/region";

    final Map<ResourceType, TreeMap<String, ObjectNode>> objects = new LinkedHashMap<>();
    long resourceVersion;
    long seq;
    /** Bumped by every change the scheduler cares about (nodes, pods, claims, volumes, classes). */
    long clusterGen;
    String kubernetesVersion = "1.32";
    KubeFaults faults = KubeFaults.NONE;
    /** Pending timed transitions: key ("start:ns/pod", "stop:ns/pod", "sched:ns/pod", "attach:va") to time. */
    final TreeMap<String, Long> timers = new TreeMap<>();
    /** Per pending pod: the {@link #clusterGen} its last scheduling attempt saw. */
    final TreeMap<String, Long> schedGen = new TreeMap<>();
    /** Conditions already reported by an event, so a standing condition is not re-reported every pass. */
    final TreeMap<String, Long> reported = new TreeMap<>();

    private final Map<String, String> eventIndex = new HashMap<>();
    /** Set when faults change, so the kubelet re-checks readiness of every running pod once. */
    boolean faultsChangedReadiness;
    private long cachedNextEvent = Long.MIN_VALUE;
    final Controllers controllers = new Controllers(this);

    public KubeWorld() {
        for (ResourceType t : ResourceType.ALL) {
            objects.put(t, new TreeMap<>());
        }
    }

    /** An empty cluster with the default and kube-system namespaces. */
    public static KubeWorld empty(long now) {
        KubeWorld w = new KubeWorld();
        w.ensureNamespace("default", now);
        w.ensureNamespace("kube-system", now);
        return w;
    }

    // ------------------------------------------------------------------ settings

    /** The emulated Kubernetes version, "1.32" style; it decides the scheduler's wording. */
    public String kubernetesVersion() {
        return kubernetesVersion;
    }

    public void setKubernetesVersion(String version) {
        String v = version.startsWith("v") ? version.substring(1) : version;
        if (!v.matches("1\\.\\d+(\\.\\d+)?")) {
            throw new IllegalArgumentException("bad Kubernetes version " + version + " (want 1.NN)");
        }
        this.kubernetesVersion = v.split("\\.")[0] + "." + v.split("\\.")[1];
        clusterGen++;
    }

    int minorVersion() {
        return Integer.parseInt(kubernetesVersion.split("\\.")[1]);
    }

    public KubeFaults faults() {
        return faults;
    }

    public void setFaults(KubeFaults faults) {
        faultsChangedReadiness = true;
        this.faults = faults == null ? KubeFaults.NONE : faults;
        clusterGen++;
        cachedNextEvent = Long.MIN_VALUE;
    }

    public long resourceVersion() {
        return resourceVersion;
    }

    // ------------------------------------------------------------------ persistence

    /** One line of JSON holding the whole Kubernetes half. */
    public String toJson() {
        ObjectNode root = Json.obj();
        root.put("format", FORMAT);
        root.put("kubernetesVersion", kubernetesVersion);
        root.put("resourceVersion", resourceVersion);
        root.put("seq", seq);
        root.put("clusterGen", clusterGen);
        root.set("faults", faults.toJson());
        ObjectNode t = root.putObject("timers");
        timers.forEach(t::put);
        ObjectNode g = root.putObject("schedGen");
        schedGen.forEach(g::put);
        ObjectNode r = root.putObject("reported");
        reported.forEach(r::put);
        ObjectNode objs = root.putObject("objects");
        for (Map.Entry<ResourceType, TreeMap<String, ObjectNode>> e : objects.entrySet()) {
            ArrayNode arr = objs.putArray(e.getKey().plural());
            e.getValue().values().forEach(arr::add);
        }
        try {
            return Json.MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static KubeWorld fromJson(String json) {
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("the Kubernetes half of the world file is not valid JSON", e);
        }
        if (root.path("format").asInt() != FORMAT) {
            throw new IllegalArgumentException("unsupported Kubernetes world format " + root.path("format"));
        }
        KubeWorld w = new KubeWorld();
        w.kubernetesVersion = root.path("kubernetesVersion").asText("1.32");
        w.resourceVersion = root.path("resourceVersion").asLong();
        w.seq = root.path("seq").asLong();
        w.clusterGen = root.path("clusterGen").asLong();
        w.faults = KubeFaults.fromJson(root.get("faults"));
        root.path("timers").fields().forEachRemaining(e -> w.timers.put(e.getKey(), e.getValue().asLong()));
        root.path("schedGen").fields().forEachRemaining(e -> w.schedGen.put(e.getKey(), e.getValue().asLong()));
        root.path("reported").fields().forEachRemaining(e -> w.reported.put(e.getKey(), e.getValue().asLong()));
        for (ResourceType type : ResourceType.ALL) {
            TreeMap<String, ObjectNode> map = w.objects.get(type);
            for (JsonNode o : root.path("objects").path(type.plural())) {
                map.put(key(type, Json.namespace(o), Json.name(o)), (ObjectNode) o);
            }
        }
        for (Map.Entry<String, ObjectNode> e : w.objects.get(ResourceType.EVENTS).entrySet()) {
            w.eventIndex.put(eventKey(e.getValue()), e.getKey());
        }
        return w;
    }

    // ------------------------------------------------------------------ time

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

    void setTimer(String key, long at) {
        Long old = timers.put(key, at);
        if (old == null || old != at) {
            cachedNextEvent = Long.MIN_VALUE;
        }
    }

    void clearTimer(String key) {
        if (timers.remove(key) != null) {
            cachedNextEvent = Long.MIN_VALUE;
        }
    }

    /** Runs the controllers at {@code now} until nothing changes. */
    public void reconcile(long now, Ec2World ec2) {
        reconcile(now, Ec2Side.of(ec2));
    }

    public void reconcile(long now, Ec2Side ec2) {
        controllers.reconcile(now, ec2);
    }

    // ------------------------------------------------------------------ store primitives

    static String key(ResourceType type, String namespace, String name) {
        return type.namespaced() ? namespace + "/" + name : name;
    }

    TreeMap<String, ObjectNode> map(ResourceType type) {
        return objects.get(type);
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
    void touch(ResourceType type, ObjectNode o) {
        resourceVersion++;
        Json.meta(o).put("resourceVersion", Long.toString(resourceVersion));
        if (type == ResourceType.NODES || type == ResourceType.PODS || type == ResourceType.PVCS
                || type == ResourceType.PVS || type == ResourceType.STORAGECLASSES) {
            clusterGen++;
        }
    }

    void put(ResourceType type, ObjectNode o) {
        objects.get(type).put(key(type, Json.namespace(o), Json.name(o)), o);
        touch(type, o);
    }

    /** Removes an object from the store, with the side effects of it being gone. */
    void remove(ResourceType type, ObjectNode o, long now, Ec2Side ec2) {
        String k = key(type, Json.namespace(o), Json.name(o));
        if (objects.get(type).remove(k) == null) {
            return;
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
            if ("Running".equals(Json.text(o, "status", "phase")) && ec2 != null) {
                for (String vol : controllers.podVolumeIds(o)) {
                    ec2.setWriting(vol, false, now);
                }
            }
        } else if (type == ResourceType.EVENTS) {
            eventIndex.remove(eventKey(o));
        } else if (type == ResourceType.VOLUMEATTACHMENTS) {
            clearTimer("attach:" + k);
        }
    }

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

    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    void ensureNamespace(String ns, long now) {
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

    // ------------------------------------------------------------------ API verbs

    /** POST: validates, fills in server-set fields and defaults, stores. Returns the stored object. */
    public ObjectNode create(ResourceType type, String namespace, JsonNode body, long now, Ec2Side ec2) {
        if (body == null || !body.isObject()) {
            throw KubeApiException.badRequest("the body of the request must be a JSON object");
        }
        ObjectNode in = (ObjectNode) body.deepCopy();
        ObjectNode meta = Json.meta(in);
        String name = Json.text(meta, "name");
        if (name == null || name.isEmpty()) {
            String gen = Json.text(meta, "generateName");
            if (gen == null || gen.isEmpty()) {
                throw KubeApiException.invalid(type, "",
                        "metadata.name: Required value: name or generateName is required");
            }
            name = gen + newSuffix(5);
        }
        if (type.namespaced()) {
            String bodyNs = Json.text(meta, "namespace");
            if (namespace == null) {
                namespace = bodyNs == null ? "default" : bodyNs;
            }
            if (bodyNs != null && !bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
                throw KubeApiException.badRequest(
                        "the namespace of the provided object does not match the namespace sent on the request");
            }
        } else {
            namespace = null;
        }
        if (find(type, namespace, name) != null) {
            throw KubeApiException.alreadyExists(type, name);
        }
        validate(type, in, name);
        ObjectNode o = Json.obj();
        o.put("apiVersion", type.groupVersion());
        o.put("kind", type.kind());
        in.remove("apiVersion");
        in.remove("kind");
        o.setAll(in);
        meta = Json.meta(o);
        meta.put("name", name);
        if (namespace != null) {
            meta.put("namespace", namespace);
        } else {
            meta.remove("namespace");
        }
        meta.put("uid", newUid());
        meta.put("creationTimestamp", Json.time(now));
        meta.remove("deletionTimestamp");
        meta.remove("deletionGracePeriodSeconds");
        meta.remove("managedFields");
        meta.remove("selfLink");
        if (type == ResourceType.STATEFULSETS || type == ResourceType.PDBS) {
            meta.put("generation", 1);
        } else {
            meta.remove("generation");
        }
        ensureNamespace(namespace, now);
        Defaults.onCreate(this, type, o, now, ec2);
        put(type, o);
        return o;
    }

    private void validate(ResourceType type, ObjectNode o, String name) {
        if (type == ResourceType.PVCS) {
            JsonNode modes = Json.at(o, "spec", "accessModes");
            if (modes == null || modes.isEmpty()) {
                throw KubeApiException.invalid(type, name,
                        "spec.accessModes: Required value: at least 1 access mode is required");
            }
            if (Json.at(o, "spec", "resources", "requests", "storage") == null) {
                throw KubeApiException.invalid(type, name, "spec.resources[storage]: Required value");
            }
        } else if (type == ResourceType.PODS) {
            JsonNode cs = Json.at(o, "spec", "containers");
            if (cs == null || cs.isEmpty()) {
                throw KubeApiException.invalid(type, name, "spec.containers: Required value");
            }
        } else if (type == ResourceType.PVS) {
            if (Json.at(o, "spec", "capacity", "storage") == null) {
                throw KubeApiException.invalid(type, name, "spec.capacity: Required value");
            }
        } else if (type == ResourceType.STATEFULSETS) {
            if (Json.at(o, "spec", "selector") == null) {
                throw KubeApiException.invalid(type, name, "spec.selector: Required value");
            }
            if (Json.at(o, "spec", "template") == null) {
                throw KubeApiException.invalid(type, name, "spec.template: Required value");
            }
        }
    }

    /** PUT (or PUT of /status when {@code status}). */
    public ObjectNode update(ResourceType type, String namespace, String name, JsonNode body, boolean status,
                             long now, Ec2Side ec2) {
        ObjectNode cur = find(type, namespace, name);
        if (cur == null) {
            throw KubeApiException.notFound(type, name);
        }
        if (body == null || !body.isObject()) {
            throw KubeApiException.badRequest("the body of the request must be a JSON object");
        }
        ObjectNode in = (ObjectNode) body.deepCopy();
        String bodyName = Json.text(in, "metadata", "name");
        if (bodyName != null && !bodyName.equals(name)) {
            throw KubeApiException.badRequest("the name of the object (" + bodyName
                    + ") does not match the name on the URL (" + name + ")");
        }
        String bodyRv = Json.text(in, "metadata", "resourceVersion");
        if (bodyRv != null && !bodyRv.isEmpty() && !bodyRv.equals(Json.text(cur, "metadata", "resourceVersion"))) {
            throw KubeApiException.conflict(type, name);
        }
        ObjectNode next;
        if (status) {
            next = cur.deepCopy();
            if (in.has("status")) {
                next.set("status", in.get("status"));
            }
        } else {
            next = Json.obj();
            next.put("apiVersion", type.groupVersion());
            next.put("kind", type.kind());
            in.remove("apiVersion");
            in.remove("kind");
            next.setAll(in);
            ObjectNode m = Json.meta(next);
            ObjectNode cm = Json.meta(cur);
            for (String f : new String[] {"name", "namespace", "uid", "creationTimestamp", "deletionTimestamp",
                    "deletionGracePeriodSeconds", "generation"}) {
                if (cm.has(f)) {
                    m.set(f, cm.get(f));
                } else {
                    m.remove(f);
                }
            }
            m.remove("managedFields");
            if (type.hasStatus()) {
                if (cur.has("status")) {
                    next.set("status", cur.get("status").deepCopy());
                } else {
                    next.remove("status");
                }
            }
            if (cm.has("generation") && !java.util.Objects.equals(cur.get("spec"), next.get("spec"))) {
                m.put("generation", cm.path("generation").asLong() + 1);
            }
            Defaults.onUpdate(this, type, cur, next);
        }
        if (Json.deleting(next) && Json.noFinalizers(next)) {
            Json.meta(next).put("resourceVersion", Json.text(cur, "metadata", "resourceVersion"));
            remove(type, cur, now, ec2);
            return next;
        }
        put(type, next);
        return next;
    }

    /** PATCH with one of the JSON patch content types. */
    public ObjectNode patch(ResourceType type, String namespace, String name, String contentType, JsonNode patch,
                            boolean status, long now, Ec2Side ec2) {
        ObjectNode cur = find(type, namespace, name);
        if (cur == null) {
            throw KubeApiException.notFound(type, name);
        }
        String ct = contentType == null ? "" : contentType.split(";")[0].trim().toLowerCase();
        JsonNode patched = switch (ct) {
            case "application/merge-patch+json", "application/strategic-merge-patch+json" -> {
                if (!patch.isObject()) {
                    throw KubeApiException.badRequest("a merge patch must be a JSON object");
                }
                yield Patches.mergePatch(cur, patch);
            }
            case "application/json-patch+json" -> Patches.jsonPatch(cur, patch, type, name);
            default -> throw new KubeApiException(415, "UnsupportedMediaType", "the body of the request was in an "
                    + "unknown format - accepted media types include: application/json-patch+json, "
                    + "application/merge-patch+json, application/strategic-merge-patch+json"
                    + " (server-side apply is not supported by the zonemover simulator)");
        };
        return update(type, namespace, name, patched, status, now, ec2);
    }

    /** DeleteOptions, from the body or the query. */
    public record DeleteOptions(String propagationPolicy, Long gracePeriodSeconds, String preconditionUid,
                                String preconditionResourceVersion) {
        public static final DeleteOptions DEFAULT = new DeleteOptions(null, null, null, null);
    }

    /** What a delete did: the object as it is now, and whether it is gone from the store. */
    public record DeleteResult(ObjectNode object, boolean gone) {
    }

    public DeleteResult delete(ResourceType type, String namespace, String name, DeleteOptions opts, long now,
                               Ec2Side ec2) {
        ObjectNode cur = find(type, namespace, name);
        if (cur == null) {
            throw KubeApiException.notFound(type, name);
        }
        if (opts.preconditionUid() != null && !opts.preconditionUid().equals(Json.uid(cur))) {
            throw new KubeApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualified() + " \""
                    + name + "\": Precondition failed: UID in precondition: " + opts.preconditionUid()
                    + ", UID in object meta: " + Json.uid(cur), name, type.group(), type.plural());
        }
        if (opts.preconditionResourceVersion() != null
                && !opts.preconditionResourceVersion().equals(Json.text(cur, "metadata", "resourceVersion"))) {
            throw new KubeApiException(409, "Conflict", "Operation cannot be fulfilled on " + type.qualified() + " \""
                    + name + "\": Precondition failed: ResourceVersion in precondition: "
                    + opts.preconditionResourceVersion() + ", ResourceVersion in object meta: "
                    + Json.text(cur, "metadata", "resourceVersion"), name, type.group(), type.plural());
        }
        if (type == ResourceType.PODS) {
            return deletePod(cur, opts.gracePeriodSeconds(), now, ec2);
        }
        String policy = opts.propagationPolicy();
        if (Json.deleting(cur)) {
            return new DeleteResult(cur, false);
        }
        if ("Orphan".equals(policy)) {
            Json.addFinalizer(cur, "orphan");
        } else if ("Foreground".equals(policy)) {
            Json.addFinalizer(cur, "foregroundDeletion");
        } else if (policy != null && !policy.equals("Background")) {
            throw KubeApiException.invalid(type, name, "propagationPolicy: Unsupported value: \"" + policy
                    + "\": supported values: \"Orphan\", \"Foreground\", \"Background\"");
        }
        if (Json.noFinalizers(cur)) {
            remove(type, cur, now, ec2);
            return new DeleteResult(cur, true);
        }
        Json.meta(cur).put("deletionTimestamp", Json.time(now));
        Json.meta(cur).put("deletionGracePeriodSeconds", 0);
        touch(type, cur);
        return new DeleteResult(cur, false);
    }

    /**
     * Deletes a pod as the API server and kubelet do: an unscheduled pod (or grace 0) goes at once; a scheduled
     * one gets a deletionTimestamp now+grace and is removed when the kubelet has stopped its containers.
     */
    DeleteResult deletePod(ObjectNode pod, Long graceSeconds, long now, Ec2Side ec2) {
        long grace = graceSeconds != null ? graceSeconds
                : pod.path("spec").path("terminationGracePeriodSeconds").asLong(30);
        String node = Json.text(pod, "spec", "nodeName");
        String k = key(ResourceType.PODS, Json.namespace(pod), Json.name(pod));
        boolean terminal = Set.of("Succeeded", "Failed").contains(Json.text(pod, "status", "phase"));
        if (node == null || grace <= 0 || terminal) {
            if (Json.noFinalizers(pod)) {
                remove(ResourceType.PODS, pod, now, ec2);
                if (!Json.deleting(pod)) {
                    Json.meta(pod).put("deletionTimestamp", Json.time(now));
                    Json.meta(pod).put("deletionGracePeriodSeconds", 0);
                }
                return new DeleteResult(pod, true);
            }
        }
        if (Json.deleting(pod)) {
            return new DeleteResult(pod, false);
        }
        Json.meta(pod).put("deletionTimestamp", Json.time(now + grace * 1000));
        Json.meta(pod).put("deletionGracePeriodSeconds", grace);
        setTimer("stop:" + k, now + Math.min(grace * 1000, Controllers.CONTAINER_STOP_MS));
        touch(ResourceType.PODS, pod);
        return new DeleteResult(pod, false);
    }

    // ------------------------------------------------------------------ events

    private static String eventKey(JsonNode e) {
        JsonNode io = e.path("involvedObject");
        return io.path("namespace").asText() + "|" + io.path("kind").asText() + "|" + io.path("name").asText() + "|"
                + io.path("uid").asText() + "|" + e.path("type").asText() + "|" + e.path("reason").asText() + "|"
                + e.path("source").path("component").asText() + "|" + e.path("message").asText();
    }

    /**
     * Records an event as client-go's recorder does: an identical event (same object, type, reason, source
     * and message) bumps the existing one's count, lastTimestamp and series instead of adding another.
     */
    ObjectNode recordEvent(long now, ResourceType involvedType, JsonNode involved, String type, String reason,
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
        String k = eventKey(e);
        String existingKey = eventIndex.get(k);
        ObjectNode existing = existingKey == null ? null : objects.get(ResourceType.EVENTS).get(existingKey);
        if (existing != null) {
            int count = existing.path("count").asInt(1) + 1;
            existing.put("count", count);
            existing.put("lastTimestamp", Json.time(now));
            ObjectNode series = existing.putObject("series");
            series.put("count", count);
            series.put("lastObservedTime", Json.microTime(now));
            ((ObjectNode) existing.get("involvedObject")).setAll(io);
            touch(ResourceType.EVENTS, existing);
            return existing;
        }
        String evNs = ns == null ? "default" : ns;
        ObjectNode m = Json.obj();
        m.put("name", Json.name(involved) + "." + String.format("%016x", mix(++seq)));
        m.put("namespace", evNs);
        m.put("uid", newUid());
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
        ensureNamespace(evNs, now);
        put(ResourceType.EVENTS, ordered);
        eventIndex.put(k, key(ResourceType.EVENTS, evNs, Json.name(ordered)));
        return ordered;
    }

    /** Emits an event once for a standing condition named {@code conditionKey}; true when it emitted. */
    boolean reportOnce(String conditionKey, long now, ResourceType involvedType, JsonNode involved, String type,
                       String reason, String message, String component) {
        if (reported.containsKey(conditionKey)) {
            return false;
        }
        reported.put(conditionKey, now);
        recordEvent(now, involvedType, involved, type, reason, message, component);
        return true;
    }

    void clearReported(String conditionKey) {
        reported.remove(conditionKey);
    }

    // ------------------------------------------------------------------ helpers shared with controllers

    static String nodeZone(JsonNode node) {
        Map<String, String> l = Json.labels(node);
        String z = l.get(ZONE);
        if (z == null) {
            z = l.get(ZONE_BETA);
        }
        if (z == null) {
            z = l.get(ZONE_EBS);
        }
        return z;
    }

    static String instanceId(JsonNode node) {
        String pid = Json.text(node, "spec", "providerID");
        if (pid == null) {
            return null;
        }
        int i = pid.lastIndexOf('/');
        return i >= 0 ? pid.substring(i + 1) : pid;
    }

    /** The EBS volume id of a PV: CSI volumeHandle, or the in-tree volumeID without its aws://zone/ prefix. */
    static String volumeId(JsonNode pv) {
        String driver = Json.text(pv, "spec", "csi", "driver");
        if (EBS_CSI.equals(driver)) {
            return Json.text(pv, "spec", "csi", "volumeHandle");
        }
        String id = Json.text(pv, "spec", "awsElasticBlockStore", "volumeID");
        if (id != null) {
            int i = id.lastIndexOf('/');
            return i >= 0 ? id.substring(i + 1) : id;
        }
        return null;
    }

    /** The zone a PV says it is in: nodeAffinity on a zone key, else zone labels, else the in-tree volumeID. */
    static String pvZone(JsonNode pv) {
        JsonNode terms = Json.at(pv, "spec", "nodeAffinity", "required", "nodeSelectorTerms");
        if (terms != null) {
            for (JsonNode t : terms) {
                for (JsonNode ex : t.path("matchExpressions")) {
                    String k = ex.path("key").asText();
                    if ((k.equals(ZONE) || k.equals(ZONE_EBS) || k.equals(ZONE_BETA))
                            && ex.path("operator").asText().equals("In") && ex.path("values").size() > 0) {
                        return ex.path("values").get(0).asText();
                    }
                }
            }
        }
        Map<String, String> l = Json.labels(pv);
        if (l.get(ZONE) != null) {
            return l.get(ZONE);
        }
        if (l.get(ZONE_BETA) != null) {
            return l.get(ZONE_BETA);
        }
        String id = Json.text(pv, "spec", "awsElasticBlockStore", "volumeID");
        if (id != null && id.startsWith("aws://") && id.split("/").length >= 4) {
            String z = id.split("/")[2];
            return z.isEmpty() ? null : z;
        }
        return null;
    }

    static boolean podReady(JsonNode pod) {
        JsonNode conds = Json.at(pod, "status", "conditions");
        if (conds != null) {
            for (JsonNode c : conds) {
                if ("Ready".equals(c.path("type").asText())) {
                    return "True".equals(c.path("status").asText());
                }
            }
        }
        return false;
    }

    static boolean nodeReady(JsonNode node) {
        JsonNode conds = Json.at(node, "status", "conditions");
        if (conds != null) {
            for (JsonNode c : conds) {
                if ("Ready".equals(c.path("type").asText())) {
                    return "True".equals(c.path("status").asText());
                }
            }
        }
        return false;
    }

    // ------------------------------------------------------------------ show

    public Map<String, Object> show(long now, Ec2World ec2) {
        return show(now, ec2 == null ? null : Ec2Side.of(ec2));
    }

    /** The ground-truth view that {@code sim show} prints (DESIGN.md's shape; extra fields allowed). */
    public Map<String, Object> show(long now, Ec2Side ec2) {
        Map<String, Object> out = new LinkedHashMap<>();
        Set<String> zones = new TreeSet<>();
        Map<String, String> nodeZones = new HashMap<>();
        List<Object> nodes = new ArrayList<>();
        for (ObjectNode n : map(ResourceType.NODES).values()) {
            String z = nodeZone(n);
            if (z != null) {
                zones.add(z);
            }
            nodeZones.put(Json.name(n), z);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", Json.name(n));
            m.put("zone", z);
            m.put("ready", nodeReady(n));
            m.put("schedulable", !n.path("spec").path("unschedulable").asBoolean(false));
            m.put("instanceId", instanceId(n));
            nodes.add(m);
        }
        List<Object> pods = new ArrayList<>();
        for (ObjectNode p : map(ResourceType.PODS).values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", Json.namespace(p));
            m.put("name", Json.name(p));
            m.put("phase", Json.deleting(p) ? "Terminating" : Json.text(p, "status", "phase"));
            m.put("ready", podReady(p));
            String node = Json.text(p, "spec", "nodeName");
            m.put("node", node);
            m.put("zone", node == null ? null : nodeZones.get(node));
            pods.add(m);
        }
        List<Object> pvcs = new ArrayList<>();
        for (ObjectNode c : map(ResourceType.PVCS).values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", Json.namespace(c));
            m.put("name", Json.name(c));
            m.put("phase", Json.deleting(c) ? "Terminating" : Json.text(c, "status", "phase"));
            m.put("volumeName", Json.text(c, "spec", "volumeName"));
            m.put("storageClassName", Json.text(c, "spec", "storageClassName"));
            pvcs.add(m);
        }
        List<Object> pvs = new ArrayList<>();
        for (ObjectNode v : map(ResourceType.PVS).values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", Json.name(v));
            String vol = volumeId(v);
            m.put("volumeId", vol);
            String zone = pvZone(v);
            if (zone == null && vol != null && ec2 != null) {
                Ec2World.VolumeView view = ec2.volume(vol);
                zone = view == null ? null : view.zone();
            }
            m.put("zone", zone);
            String cns = Json.text(v, "spec", "claimRef", "namespace");
            String cn = Json.text(v, "spec", "claimRef", "name");
            m.put("claim", cn == null ? null : cns + "/" + cn);
            m.put("reclaimPolicy", Json.text(v, "spec", "persistentVolumeReclaimPolicy"));
            m.put("phase", Json.deleting(v) ? "Terminating" : Json.text(v, "status", "phase"));
            m.put("storageClassName", Json.text(v, "spec", "storageClassName"));
            m.put("source", v.path("spec").has("csi") ? "csi" : v.path("spec").has("awsElasticBlockStore")
                    ? "awsElasticBlockStore" : "other");
            pvs.add(m);
        }
        List<Object> sts = new ArrayList<>();
        for (ObjectNode s : map(ResourceType.STATEFULSETS).values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", Json.namespace(s));
            m.put("name", Json.name(s));
            m.put("replicas", s.path("spec").path("replicas").asInt(1));
            m.put("readyReplicas", s.path("status").path("readyReplicas").asInt(0));
            m.put("deleting", Json.deleting(s));
            sts.add(m);
        }
        List<ObjectNode> evs = new ArrayList<>(map(ResourceType.EVENTS).values());
        evs.sort(Comparator.comparing((ObjectNode e) -> e.path("lastTimestamp").asText())
                .thenComparing(e -> Json.name(e)));
        List<Object> events = new ArrayList<>();
        for (ObjectNode e : evs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", Json.namespace(e));
            m.put("object", Json.text(e, "involvedObject", "kind") + "/" + Json.text(e, "involvedObject", "name"));
            m.put("reason", Json.text(e, "reason"));
            m.put("message", Json.text(e, "message"));
            m.put("type", Json.text(e, "type"));
            m.put("count", e.path("count").asInt(1));
            m.put("lastTimestamp", Json.text(e, "lastTimestamp"));
            events.add(m);
        }
        out.put("zones", new ArrayList<>(zones));
        out.put("nodes", nodes);
        out.put("pods", pods);
        out.put("pvcs", pvcs);
        out.put("pvs", pvs);
        out.put("statefulsets", sts);
        out.put("events", events);
        out.put("kubernetesVersion", kubernetesVersion);
        return out;
    }

    /** Iterates all objects of a type (live). */
    Iterator<ObjectNode> iterate(ResourceType type) {
        return map(type).values().iterator();
    }
}
