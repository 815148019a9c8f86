package io.zonemover.sim.kube;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.ec2.Ec2World;
import io.zonemover.sim.kube.controller.ControllerManager;
import io.zonemover.sim.kube.store.ApiServer;
import io.zonemover.sim.kube.store.EventRecorder;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes half of the simulated world, as the rest of the simulator sees it: the object store
 * ({@link ObjectStore}), the API verbs ({@link ApiServer}), the event recorder, the controllers
 * ({@link ControllerManager}) and the faults in force, behind the few calls the HTTP endpoint, the scenarios
 * and {@code World} make.
 *
 * <p>Everything here is a function of the stored state and the world clock passed in: nothing reads the
 * wall clock, so two processes that load the same state and advance to the same instant compute the same
 * world. The objects returned by {@link #find} and {@link #list} are the live stored trees: callers must not
 * change them (the endpoint serializes them while it holds the world's lock).
 */
public final class KubeWorld {

    static final int FORMAT = 1;
    public static final String PVC_PROTECTION = "kubernetes.io/pvc-protection";
    public static final String PV_PROTECTION = "kubernetes.io/pv-protection";
    public static final String PROVISIONER_FINALIZER = "external-provisioner.volume.kubernetes.io/finalizer";
    public static final String ATTACHER_FINALIZER = "external-attacher/ebs-csi-aws-com";
    public static final String EBS_CSI = "ebs.csi.aws.com";
    public static final String IN_TREE_EBS = "kubernetes.io/aws-ebs";
    public static final String ZONE = "topology.kubernetes.io/zone";
    public static final String ZONE_EBS = "topology.ebs.csi.aws.com/zone";
    public static final String ZONE_BETA = "failure-domain.beta.kubernetes.io/zone";
    public static final String REGION = "topology.kubernetes.io/region";
    public static final String REGION_BETA = "failure-domain.beta.kubernetes.io/region";

    private final ObjectStore store;
    private final EventRecorder events;
    private final ApiServer api;
    private ControllerManager controllers = ControllerManager.standard();
    private final History history = new History();
    private final Disruptions disruptions = new Disruptions();
    /**
     * The store's state when the observations last looked; they look again only once it changed (not persisted:
     * a reloaded world looks once more, which is harmless).
     */
    private long observedRv = -1;
    private long observedGen = -1;
    private KubeFaults faults = KubeFaults.NONE;
    /** Set when faults change, so the kubelet re-checks readiness of every running pod once. */
    private boolean faultsChanged;
    /** API calls counted while error or conflict faults were on: which call fails is a function of this. */
    private long apiCalls;

    private KubeWorld(ObjectStore store, String kubernetesVersion) {
        this.store = store;
        this.events = new EventRecorder(store);
        this.api = new ApiServer(store, events, kubernetesVersion);
    }

    /** An empty cluster with the default and kube-system namespaces. */
    public static KubeWorld empty(long now) {
        KubeWorld w = new KubeWorld(new ObjectStore(), "1.32");
        w.store.ensureNamespace("default", now);
        w.store.ensureNamespace("kube-system", now);
        return w;
    }

    /** Runs only these controllers from now on (tests that look at one controller, or a few, alone). */
    KubeWorld withControllers(ControllerManager chosen) {
        this.controllers = chosen;
        return this;
    }

    public ObjectStore store() {
        return store;
    }

    public ApiServer api() {
        return api;
    }

    public EventRecorder events() {
        return events;
    }

    // ------------------------------------------------------------------ settings

    /** The emulated Kubernetes version, "1.32" style; it decides the scheduler's wording. */
    public String kubernetesVersion() {
        return api.kubernetesVersion();
    }

    public void setKubernetesVersion(String version) {
        String v = version.startsWith("v") ? version.substring(1) : version;
        if (!v.matches("1\\.\\d+(\\.\\d+)?")) {
            throw new IllegalArgumentException("bad Kubernetes version " + version + " (want 1.NN)");
        }
        api.setKubernetesVersion(v.split("\\.")[0] + "." + v.split("\\.")[1]);
        store.bumpClusterGen();
    }

    public KubeFaults faults() {
        return faults;
    }

    public void setFaults(KubeFaults faults) {
        faultsChanged = true;
        this.faults = faults == null ? KubeFaults.NONE : faults;
        store.bumpClusterGen();
    }

    /**
     * How the API server answers the next call under the API faults in force: 0 to serve it, else the status
     * code to fail it with (429, 500, 503, or 409 for a write). Counts the call, so callers save the world.
     */
    public int nextApiFault(boolean write) {
        ApiFaults api = faults.api();
        if (!api.countsCalls()) {
            return 0;
        }
        return api.decide(apiCalls++, write);
    }

    public boolean takeFaultsChanged() {
        boolean was = faultsChanged;
        faultsChanged = false;
        return was;
    }

    /** Zones that have nodes, sorted. */
    public List<String> nodeZones() {
        return Facts.nodeZones(store);
    }

    public long resourceVersion() {
        return store.resourceVersion();
    }

    // ------------------------------------------------------------------ persistence

    /** One line of JSON holding the whole Kubernetes half. */
    public String toJson() {
        try {
            return Json.MAPPER.writeValueAsString(tree());
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The same line, written as UTF-8 straight to {@code out} (left open): the world is saved after every
     * write to it, and skipping the intermediate string is a share of the simulated server's CPU.
     */
    public void writeJson(java.io.OutputStream out) throws java.io.IOException {
        try (com.fasterxml.jackson.core.JsonGenerator g = Json.MAPPER.getFactory().createGenerator(out)) {
            g.disable(com.fasterxml.jackson.core.JsonGenerator.Feature.AUTO_CLOSE_TARGET);
            Json.MAPPER.writeTree(g, tree());
        }
    }

    private ObjectNode tree() {
        ObjectNode root = Json.obj();
        root.put("format", FORMAT);
        root.put("kubernetesVersion", api.kubernetesVersion());
        root.set("faults", faults.toJson());
        root.put("apiCalls", apiCalls);
        events.writeTo(root);
        store.writeTo(root);
        history.writeTo(root);
        disruptions.writeTo(root);
        return root;
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
        KubeWorld w = new KubeWorld(ObjectStore.readFrom(root), root.path("kubernetesVersion").asText("1.32"));
        w.faults = KubeFaults.fromJson(root.get("faults"));
        w.apiCalls = root.path("apiCalls").asLong(0);
        w.events.readFrom(root);
        w.history.readFrom(root);
        w.disruptions.readFrom(root);
        return w;
    }

    // ------------------------------------------------------------------ time

    /** The earliest pending timed transition, or Long.MAX_VALUE. */
    public long nextEventAt() {
        return store.nextEventAt();
    }

    /** Runs the controllers at {@code now} until nothing changes. */
    public void reconcile(long now, Ec2World ec2) {
        reconcile(now, Ec2Side.of(ec2));
    }

    public void reconcile(long now, Ec2Side ec2) {
        controllers.reconcile(this, now, ec2);
        if (store.resourceVersion() != observedRv || store.clusterGen() != observedGen) {
            observedRv = store.resourceVersion();
            observedGen = store.clusterGen();
            history.observe(store, now, ec2);
            disruptions.observe(store, now, ec2);
        }
    }

    /**
     * Something outside the cluster changed what the controllers see (a zone's instances stopped or started):
     * they must run again even though no object changed.
     */
    public void outsideChanged() {
        store.bumpClusterGen();
    }

    /** Where each pod ran, when ({@link History}); for {@code sim show}. */
    public List<Map<String, Object>> history() {
        return history.show();
    }

    /** Per StatefulSet, how many of its pods were unavailable when ({@link Disruptions}); for {@code sim show}. */
    public Map<String, Object> disruption() {
        return disruptions.show();
    }

    // ------------------------------------------------------------------ API verbs (the endpoint's and the scenarios')

    /** The live stored object, or null. */
    public ObjectNode find(ResourceType type, String namespace, String name) {
        return store.find(type, namespace, name);
    }

    /** Live stored objects of a type in a namespace (null: all), filtered by selectors (may be null). */
    public List<ObjectNode> list(ResourceType type, String namespace, String labelSelector, String fieldSelector) {
        return store.list(type, namespace, labelSelector, fieldSelector);
    }

    /** POST: validates, fills in server-set fields and defaults, stores. Returns the stored object. */
    public ObjectNode create(ResourceType type, String namespace, JsonNode body, long now, Ec2Side ec2) {
        return api.create(type, namespace, body, now, ec2);
    }

    /** PUT (or PUT of /status when {@code status}). */
    public ObjectNode update(ResourceType type, String namespace, String name, JsonNode body, boolean status,
                             long now, Ec2Side ec2) {
        return api.update(type, namespace, name, body, status, now, ec2);
    }

    /** PATCH with one of the JSON patch content types. */
    public ObjectNode patch(ResourceType type, String namespace, String name, String contentType, JsonNode patch,
                            boolean status, long now, Ec2Side ec2) {
        return api.patch(type, namespace, name, contentType, patch, status, now, ec2);
    }

    public DeleteResult delete(ResourceType type, String namespace, String name, DeleteOptions opts, long now,
                               Ec2Side ec2) {
        return api.delete(type, namespace, name, opts, now, ec2);
    }

    /** DeleteOptions, from the body or the query. */
    public record DeleteOptions(String propagationPolicy, Long gracePeriodSeconds, String preconditionUid,
                                String preconditionResourceVersion) {
        public static final DeleteOptions DEFAULT = new DeleteOptions(null, null, null, null);
    }

    /** What a delete did: the object as it is now, and whether it is gone from the store. */
    public record DeleteResult(ObjectNode object, boolean gone) {
    }

    // ------------------------------------------------------------------ show

    public Map<String, Object> show(long now, Ec2World ec2) {
        return show(now, ec2 == null ? null : Ec2Side.of(ec2));
    }

    /** The ground-truth view that {@code sim show} prints (DESIGN.md's shape; extra fields allowed). */
    public Map<String, Object> show(long now, Ec2Side ec2) {
        return GroundTruth.of(store, api.kubernetesVersion(), ec2);
    }

    // Kept for Defaults, which reads node names the way the controllers do.
    public static String nodeZone(JsonNode node) {
        return Facts.nodeZone(node);
    }

    public static String instanceId(JsonNode node) {
        return Facts.instanceId(node);
    }
}
