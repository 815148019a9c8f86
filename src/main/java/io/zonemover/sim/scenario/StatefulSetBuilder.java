package io.zonemover.sim.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A StatefulSet as a scenario describes it: its pods' image and requests, its volumeClaimTemplates, and
 * optionally the zones where an earlier provisioner already made each ordinal's volumes (the claims then bind
 * to those PVs instead of being provisioned afresh, which is how a scenario pins a volume to a zone).
 */
public final class StatefulSetBuilder {

    /** One volumeClaimTemplate and where the container mounts it. */
    private record Template(String name, String storageClass, int sizeGiB, String mountPath) {
    }

    private final WorldBuilder world;
    private final String ns;
    private final String name;
    private String app;
    private int replicas = 1;
    private String cpu = "100m";
    private String memory = "128Mi";
    private String image = "nginx:1.27";
    private int grace = 30;
    private String policy = "OrderedReady";
    private final List<Template> templates = new ArrayList<>();
    private final java.util.Map<String, String> podAnnotations = new java.util.TreeMap<>();
    private List<String> volumeZones = List.of();
    private List<WorldBuilder.PvShape> shapes = List.of();
    private final java.util.Map<String, String> annotations = new java.util.LinkedHashMap<>();

    StatefulSetBuilder(WorldBuilder world, String ns, String name) {
        this.world = world;
        this.ns = ns;
        this.name = name;
        this.app = name;
    }

    /** The app label on the StatefulSet, its selector and its pods (default: the name). */
    public StatefulSetBuilder app(String app) {
        this.app = app;
        return this;
    }

    public StatefulSetBuilder replicas(int replicas) {
        this.replicas = replicas;
        return this;
    }

    /** The container's image, requests and termination grace period. */
    public StatefulSetBuilder container(String image, String cpu, String memory, int graceSeconds) {
        this.image = image;
        this.cpu = cpu;
        this.memory = memory;
        this.grace = graceSeconds;
        return this;
    }

    /** An annotation on the StatefulSet itself (not its pods). */
    public StatefulSetBuilder annotation(String key, String value) {
        annotations.put(key, value);
        return this;
    }

    /** An annotation on the pod template (so on every pod the controller makes). */
    public StatefulSetBuilder podAnnotation(String key, String value) {
        podAnnotations.put(key, value);
        return this;
    }

    /** podManagementPolicy Parallel: all pods at once rather than one ordinal after the other. */
    public StatefulSetBuilder parallel() {
        this.policy = "Parallel";
        return this;
    }

    /** A volumeClaimTemplate mounted at /data. */
    public StatefulSetBuilder claim(String template, String storageClass, int sizeGiB) {
        return claim(template, storageClass, sizeGiB, "/data");
    }

    /** A volumeClaimTemplate: each pod N gets claim {@code TEMPLATE-NAME-N}, mounted at {@code mountPath}. */
    public StatefulSetBuilder claim(String template, String storageClass, int sizeGiB, String mountPath) {
        templates.add(new Template(template, storageClass, sizeGiB, mountPath));
        return this;
    }

    /**
     * The zone of ordinal N's volumes (one per claim template), made before the StatefulSet exists, as if
     * provisioned long ago; their PVs are CSI with the GA zone key unless {@link #shapes} says otherwise.
     */
    public StatefulSetBuilder volumesIn(String... zonesByOrdinal) {
        this.volumeZones = Arrays.asList(zonesByOrdinal);
        return this;
    }

    /** The PV shape of ordinal N's volumes (which provisioner made them). */
    public StatefulSetBuilder shapes(WorldBuilder.PvShape... shapesByOrdinal) {
        this.shapes = Arrays.asList(shapesByOrdinal);
        return this;
    }

    /** Makes the pre-provisioned volumes, then creates the StatefulSet and lets the controllers react. */
    public ObjectNode create() {
        provisionVolumes();
        return world.create(ResourceType.STATEFULSETS, ns, manifest());
    }

    /** Like {@link #create()}, but without letting the controllers react (for worlds too large for that). */
    ObjectNode createQuietly() {
        provisionVolumes();
        return world.createQuietly(ResourceType.STATEFULSETS, ns, manifest());
    }

    private void provisionVolumes() {
        for (int i = 0; i < volumeZones.size(); i++) {
            WorldBuilder.PvShape shape = i < shapes.size() ? shapes.get(i) : WorldBuilder.PvShape.CSI_GA;
            for (Template t : templates) {
                world.staticPv(ns, t.name() + "-" + name + "-" + i, t.storageClass(), t.sizeGiB(),
                        volumeZones.get(i), shape, world.volumeTypeOf(t.storageClass()));
            }
        }
    }

    ObjectNode manifest() {
        ObjectNode s = WorldBuilder.JSON.createObjectNode();
        s.put("apiVersion", "apps/v1");
        s.put("kind", "StatefulSet");
        ObjectNode meta = s.putObject("metadata").put("name", name);
        meta.putObject("labels").put("app", app);
        if (!annotations.isEmpty()) {
            ObjectNode a = meta.putObject("annotations");
            annotations.forEach(a::put);
        }
        ObjectNode spec = s.putObject("spec");
        spec.put("replicas", replicas);
        spec.put("serviceName", app);
        spec.put("podManagementPolicy", policy);
        spec.putObject("selector").putObject("matchLabels").put("app", app);
        ObjectNode tpl = spec.putObject("template");
        ObjectNode tplMeta = tpl.putObject("metadata");
        tplMeta.putObject("labels").put("app", app);
        if (!podAnnotations.isEmpty()) {
            ObjectNode annotations = tplMeta.putObject("annotations");
            podAnnotations.forEach(annotations::put);
        }
        ObjectNode ps = tpl.putObject("spec");
        ps.put("terminationGracePeriodSeconds", grace);
        ObjectNode c = ps.putArray("containers").addObject();
        c.put("name", app.replaceAll("-\\d+$", "").replaceAll("[^a-z0-9-]", ""));
        c.put("image", image);
        c.putArray("ports").addObject().put("containerPort", 80).put("name", "web");
        ObjectNode req = c.putObject("resources").putObject("requests");
        req.put("cpu", cpu);
        req.put("memory", memory);
        if (!templates.isEmpty()) {
            ArrayNode mounts = c.putArray("volumeMounts");
            ArrayNode vcts = spec.putArray("volumeClaimTemplates");
            for (Template t : templates) {
                mounts.addObject().put("name", t.name()).put("mountPath", t.mountPath());
                ObjectNode vct = vcts.addObject();
                vct.putObject("metadata").put("name", t.name());
                ObjectNode vs = vct.putObject("spec");
                vs.putArray("accessModes").add("ReadWriteOnce");
                vs.put("storageClassName", t.storageClass());
                vs.putObject("resources").putObject("requests").put("storage", t.sizeGiB() + "Gi");
            }
        }
        return s;
    }

    /** Pod {@code ordinal} as the StatefulSet controller would create it from {@code sts} (for pre-placed worlds). */
    static ObjectNode controllerPod(ObjectNode sts, int ordinal) {
        String name = sts.path("metadata").path("name").asText();
        ObjectNode tpl = (ObjectNode) sts.path("spec").path("template");
        ObjectNode p = WorldBuilder.JSON.createObjectNode();
        p.put("apiVersion", "v1");
        p.put("kind", "Pod");
        ObjectNode m = p.putObject("metadata");
        m.put("name", name + "-" + ordinal);
        ObjectNode labels = m.putObject("labels");
        labels.setAll((ObjectNode) tpl.path("metadata").path("labels").deepCopy());
        labels.put("statefulset.kubernetes.io/pod-name", name + "-" + ordinal);
        labels.put("apps.kubernetes.io/pod-index", Integer.toString(ordinal));
        ObjectNode ref = m.putArray("ownerReferences").addObject();
        ref.put("apiVersion", "apps/v1");
        ref.put("kind", "StatefulSet");
        ref.put("name", name);
        ref.put("uid", sts.path("metadata").path("uid").asText());
        ref.put("controller", true);
        ref.put("blockOwnerDeletion", true);
        ObjectNode spec = tpl.path("spec").deepCopy();
        spec.put("hostname", name + "-" + ordinal);
        spec.put("subdomain", sts.path("spec").path("serviceName").asText());
        JsonNode vcts = sts.path("spec").path("volumeClaimTemplates");
        if (vcts.isArray()) {
            ArrayNode vols = spec.putArray("volumes");
            for (JsonNode t : vcts) {
                String tn = t.path("metadata").path("name").asText();
                vols.addObject().put("name", tn).putObject("persistentVolumeClaim")
                        .put("claimName", tn + "-" + name + "-" + ordinal);
            }
        }
        p.set("spec", spec);
        return p;
    }
}
