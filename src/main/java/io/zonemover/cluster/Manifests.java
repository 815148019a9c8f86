package io.zonemover.cluster;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.zonemover.domain.ClaimRef;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns saved manifests into objects to create again. They are edited as JSON trees, not through
 * client-java's models, so that fields this client does not know survive: a StatefulSet whose pod template
 * lost or gained a field gets a new revision on a real cluster, and its controller then restarts every pod.
 */
final class Manifests {

    /** Metadata only the server sets; sending them back is refused or misleading. */
    private static final List<String> SERVER_METADATA = List.of("uid", "resourceVersion", "creationTimestamp",
            "generation", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds");

    /** Binding annotations belong to the old binding; the PV controller writes fresh ones. */
    private static final List<String> BINDING_ANNOTATION_PREFIXES = List.of("pv.kubernetes.io/bind-completed",
            "pv.kubernetes.io/bound-by-controller");

    private static final String ZONE_KEY = "topology.kubernetes.io/zone";
    /** On a split StatefulSet, its selector and its pods: the zone of the copy they belong to. */
    static final String SPLIT_ZONE_LABEL = "zonemover.io/zone";
    private static final List<String> ZONE_LABELS = List.of(ZONE_KEY, "topology.kubernetes.io/region",
            "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
            "topology.ebs.csi.aws.com/zone");

    private Manifests() {
    }

    /** The object as it was served, less server-set metadata and status. */
    static JsonObject forRecreate(String manifest) {
        JsonObject object = JsonParser.parseString(manifest).getAsJsonObject();
        JsonObject metadata = object.getAsJsonObject("metadata");
        SERVER_METADATA.forEach(metadata::remove);
        object.remove("status");
        return object;
    }

    /**
     * A static CSI PV for the new volume, carrying the old PV's labels, annotations (less binding ones),
     * class, access and volume modes, mount options, volumeAttributesClassName, fsType and volume
     * attributes; bound ahead to the claim by name (no uid: REFERENCE A.2), required to the target zone,
     * and Retain until the move has finished.
     */
    static JsonObject staticPv(Cluster.StaticPv spec) {
        JsonObject old = JsonParser.parseString(spec.savedPvManifest()).getAsJsonObject();
        JsonObject oldMeta = old.getAsJsonObject("metadata");
        JsonObject oldSpec = old.getAsJsonObject("spec");

        JsonObject metadata = new JsonObject();
        metadata.addProperty("name", spec.name());
        JsonObject labels = copy(oldMeta, "labels");
        // Zone and region labels name the old volume's place: the scheduler's VolumeZone filter would
        // hold the pod to the old zone ("had no available volume zone"). The nodeAffinity says where it is.
        ZONE_LABELS.forEach(labels::remove);
        spec.extraLabels().forEach(labels::addProperty);
        metadata.add("labels", labels);
        JsonObject annotations = copy(oldMeta, "annotations");
        BINDING_ANNOTATION_PREFIXES.forEach(annotations::remove);
        annotations.addProperty("pv.kubernetes.io/provisioned-by", "ebs.csi.aws.com");
        metadata.add("annotations", annotations);

        JsonObject pvSpec = oldSpec.deepCopy();
        String fsType = fsType(oldSpec);
        JsonObject csi = new JsonObject();
        csi.addProperty("driver", "ebs.csi.aws.com");
        csi.addProperty("volumeHandle", spec.volumeId());
        if (fsType != null) {
            csi.addProperty("fsType", fsType);
        }
        if (oldSpec.has("csi") && oldSpec.getAsJsonObject("csi").has("volumeAttributes")) {
            JsonObject attributes = oldSpec.getAsJsonObject("csi").getAsJsonObject("volumeAttributes").deepCopy();
            // Names the provisioner instance that created the old volume; this one it did not create.
            attributes.remove("storage.kubernetes.io/csiProvisionerIdentity");
            if (attributes.size() > 0) {
                csi.add("volumeAttributes", attributes);
            }
        }
        pvSpec.remove("awsElasticBlockStore");
        pvSpec.add("csi", csi);
        pvSpec.addProperty("persistentVolumeReclaimPolicy", "Retain");
        JsonObject claimRef = new JsonObject();
        claimRef.addProperty("kind", "PersistentVolumeClaim");
        claimRef.addProperty("apiVersion", "v1");
        claimRef.addProperty("namespace", spec.claim().namespace());
        claimRef.addProperty("name", spec.claim().name());
        pvSpec.add("claimRef", claimRef);
        pvSpec.add("nodeAffinity", zoneAffinity(spec.zone()));

        JsonObject pv = new JsonObject();
        pv.addProperty("apiVersion", "v1");
        pv.addProperty("kind", "PersistentVolume");
        pv.add("metadata", metadata);
        pv.add("spec", pvSpec);
        return pv;
    }

    /** Another claim made from a saved one (split-per-zone): its spec, labels and annotations, a new name. */
    static JsonObject claimAs(String savedClaimManifest, ClaimRef claim, String pvName) {
        JsonObject created = claimBoundTo(savedClaimManifest, pvName);
        created.getAsJsonObject("metadata").addProperty("name", claim.name());
        created.getAsJsonObject("metadata").addProperty("namespace", claim.namespace());
        return created;
    }

    static JsonObject claimBoundTo(String savedClaimManifest, String pvName) {
        JsonObject claim = forRecreate(savedClaimManifest);
        JsonObject metadata = claim.getAsJsonObject("metadata");
        metadata.remove("finalizers");
        metadata.remove("ownerReferences");
        if (metadata.has("annotations")) {
            JsonObject annotations = metadata.getAsJsonObject("annotations");
            for (String key : List.copyOf(annotations.keySet())) {
                if (key.startsWith("pv.kubernetes.io/") || key.startsWith("volume.beta.kubernetes.io/")
                        || key.startsWith("volume.kubernetes.io/")) {
                    annotations.remove(key);
                }
            }
        }
        claim.getAsJsonObject("spec").addProperty("volumeName", pvName);
        return claim;
    }

    static String fsType(JsonObject pvSpec) {
        for (String source : List.of("csi", "awsElasticBlockStore")) {
            if (pvSpec.has(source) && pvSpec.getAsJsonObject(source).has("fsType")) {
                return pvSpec.getAsJsonObject(source).get("fsType").getAsString();
            }
        }
        return null;
    }

    private static JsonObject zoneAffinity(String zone) {
        JsonObject selector = new JsonObject();
        selector.add("nodeSelectorTerms", requiredInZone(new JsonArray(), zone));
        JsonObject affinity = new JsonObject();
        affinity.add("required", selector);
        return affinity;
    }

    /**
     * Node selector terms that also require the zone: the requirement is added to every term (terms are ORed,
     * a term's expressions ANDed), or is the one term when there are none.
     */
    private static JsonArray requiredInZone(JsonArray terms, String zone) {
        JsonObject requirement = new JsonObject();
        requirement.addProperty("key", ZONE_KEY);
        requirement.addProperty("operator", "In");
        JsonArray values = new JsonArray();
        values.add(zone);
        requirement.add("values", values);
        if (terms.isEmpty()) {
            terms.add(new JsonObject());
        }
        for (JsonElement term : terms) {
            JsonObject t = term.getAsJsonObject();
            if (!t.has("matchExpressions")) {
                t.add("matchExpressions", new JsonArray());
            }
            t.getAsJsonArray("matchExpressions").add(requirement.deepCopy());
        }
        return terms;
    }

    /**
     * The zone's copy of a StatefulSet (split-per-zone): see {@link Cluster#createZoneStatefulSet}. Owner
     * references and kubectl's last-applied configuration stay with the original: the copy is nobody's child,
     * and `kubectl apply` of the original's file must not take it for the original.
     */
    static JsonObject zoneStatefulSet(String savedManifest, String zone, Map<String, String> labels) {
        JsonObject sts = forRecreate(savedManifest);
        JsonObject metadata = sts.getAsJsonObject("metadata");
        metadata.addProperty("name", text(metadata, "name") + "-" + zone);
        metadata.remove("ownerReferences");
        metadata.remove("finalizers");
        child(metadata, "annotations").remove("kubectl.kubernetes.io/last-applied-configuration");
        JsonObject stsLabels = child(metadata, "labels");
        labels.forEach(stsLabels::addProperty);
        stsLabels.addProperty(SPLIT_ZONE_LABEL, zone);
        JsonObject spec = sts.getAsJsonObject("spec");
        spec.addProperty("replicas", 0);
        child(child(spec, "selector"), "matchLabels").addProperty(SPLIT_ZONE_LABEL, zone);
        JsonObject template = child(spec, "template");
        child(child(template, "metadata"), "labels").addProperty(SPLIT_ZONE_LABEL, zone);
        JsonObject required = child(child(child(child(template, "spec"), "affinity"), "nodeAffinity"),
                "requiredDuringSchedulingIgnoredDuringExecution");
        JsonArray terms = required.has("nodeSelectorTerms") ? required.getAsJsonArray("nodeSelectorTerms")
                : new JsonArray();
        required.add("nodeSelectorTerms", requiredInZone(terms, zone));
        return sts;
    }

    /** The object under {@code field}, added empty when absent. */
    private static JsonObject child(JsonObject parent, String field) {
        if (!parent.has(field) || !parent.get(field).isJsonObject()) {
            parent.add(field, new JsonObject());
        }
        return parent.getAsJsonObject(field);
    }

    private static JsonObject copy(JsonObject parent, String field) {
        JsonElement value = parent.get(field);
        return value != null && value.isJsonObject() ? value.getAsJsonObject().deepCopy() : new JsonObject();
    }

    static Map<String, String> strings(JsonObject object) {
        Map<String, String> map = new java.util.LinkedHashMap<>();
        if (object != null) {
            object.entrySet().forEach(e -> map.put(e.getKey(), e.getValue().getAsString()));
        }
        return map;
    }

    /** A StatefulSet as the move needs it, read off the object as served. */
    static Cluster.StatefulSet statefulSet(JsonObject sts) {
        JsonObject meta = sts.getAsJsonObject("metadata");
        JsonObject spec = sts.getAsJsonObject("spec");
        JsonObject status = sts.has("status") ? sts.getAsJsonObject("status") : new JsonObject();
        List<String> templates = new ArrayList<>();
        if (spec.has("volumeClaimTemplates")) {
            spec.getAsJsonArray("volumeClaimTemplates").forEach(t ->
                    templates.add(t.getAsJsonObject().getAsJsonObject("metadata").get("name").getAsString()));
        }
        List<String> shared = new ArrayList<>();
        JsonObject podSpec = spec.getAsJsonObject("template").getAsJsonObject("spec");
        if (podSpec != null && podSpec.has("volumes")) {
            for (JsonElement v : podSpec.getAsJsonArray("volumes")) {
                JsonObject volume = v.getAsJsonObject();
                if (volume.has("persistentVolumeClaim")) {
                    shared.add(volume.getAsJsonObject("persistentVolumeClaim").get("claimName").getAsString());
                }
            }
        }
        return new Cluster.StatefulSet(text(meta, "namespace"), text(meta, "name"), text(meta, "uid"),
                spec.has("replicas") ? spec.get("replicas").getAsInt() : 1,
                status.has("readyReplicas") ? status.get("readyReplicas").getAsInt() : 0,
                meta.has("deletionTimestamp"), templates, shared,
                spec.has("updateStrategy") ? spec.get("updateStrategy").toString() : null,
                text(status, "updateRevision"), meta.has("generation") ? meta.get("generation").getAsLong() : 0,
                status.has("observedGeneration") ? status.get("observedGeneration").getAsLong() : 0, sts.toString(),
                stringMap(meta, "annotations"));
    }

    /** A map of strings in {@code o} (labels, annotations), empty when absent. */
    private static Map<String, String> stringMap(JsonObject o, String field) {
        Map<String, String> out = new java.util.LinkedHashMap<>();
        if (o != null && o.has(field) && o.get(field).isJsonObject()) {
            o.getAsJsonObject(field).entrySet().forEach(e -> {
                if (e.getValue().isJsonPrimitive()) {
                    out.put(e.getKey(), e.getValue().getAsString());
                }
            });
        }
        return out;
    }

    /**
     * A LabelSelector object (matchLabels, matchExpressions) in the API's query syntax, so that
     * {@link io.zonemover.domain.LabelSelector} matches it; empty (everything) for {@code {}}.
     */
    static String selectorText(JsonObject selector) {
        List<String> terms = new ArrayList<>();
        if (selector.has("matchLabels") && selector.get("matchLabels").isJsonObject()) {
            selector.getAsJsonObject("matchLabels").entrySet().forEach(e ->
                    terms.add(e.getKey() + "=" + e.getValue().getAsString()));
        }
        if (selector.has("matchExpressions") && selector.get("matchExpressions").isJsonArray()) {
            for (JsonElement e : selector.getAsJsonArray("matchExpressions")) {
                JsonObject x = e.getAsJsonObject();
                List<String> values = new ArrayList<>();
                if (x.has("values") && x.get("values").isJsonArray()) {
                    x.getAsJsonArray("values").forEach(v -> values.add(v.getAsString()));
                }
                String key = text(x, "key");
                switch (String.valueOf(text(x, "operator"))) {
                    case "In" -> terms.add(key + " in (" + String.join(",", values) + ")");
                    case "NotIn" -> terms.add(key + " notin (" + String.join(",", values) + ")");
                    case "Exists" -> terms.add(key);
                    default -> terms.add("!" + key);
                }
            }
        }
        return String.join(",", terms);
    }

    /** The labels of a StatefulSet's pod template. */
    static Map<String, String> templateLabels(String statefulSetManifest) {
        JsonObject sts = com.google.gson.JsonParser.parseString(statefulSetManifest).getAsJsonObject();
        JsonObject meta = sts.getAsJsonObject("spec").getAsJsonObject("template").getAsJsonObject("metadata");
        return meta != null && meta.has("labels") ? strings(meta.getAsJsonObject("labels")) : Map.of();
    }

    /** A string field of a JSON object, or null when absent or null. */
    static String text(JsonObject object, String field) {
        return object.has(field) && !object.get(field).isJsonNull() ? object.get(field).getAsString() : null;
    }
}
