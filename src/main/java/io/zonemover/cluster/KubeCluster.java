package io.zonemover.cluster;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ContainerStatus;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PersistentVolumeList;
import io.kubernetes.client.openapi.models.V1PersistentVolumeSpec;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1Volume;
import io.kubernetes.client.openapi.models.V1VolumeAttachment;
import io.kubernetes.client.util.PatchUtils;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.DisruptionBudget;
import io.zonemover.domain.LabelSelector;
import io.zonemover.domain.Placement;
import io.zonemover.domain.PortError;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/** {@link Cluster} over the official client-java, against any API server (a real one or the simulated one). */
public final class KubeCluster implements Cluster {

    private static final com.google.gson.Gson GSON = new com.google.gson.Gson();
    /** Attempts at a compare-and-set before giving up on a claim someone keeps changing. */
    private static final int CAS_ATTEMPTS = 10;

    private final ApiClient client;
    private final CoreV1Api core;
    private final AppsV1Api apps;
    private final StorageV1Api storage;
    private final KubeCalls calls;
    private final JSON json;
    private final ConfigMaps configMaps;
    private final Leases leases;
    private final KubeEvents events;
    private final UnscheduledPods unscheduled;

    public KubeCluster(ApiClient client) {
        this.client = client;
        this.core = new CoreV1Api(client);
        this.apps = new AppsV1Api(client);
        this.storage = new StorageV1Api(client);
        this.calls = new KubeCalls(client);
        this.json = client.getJSON();
        this.configMaps = new ConfigMaps(core, calls);
        this.leases = new Leases(new io.kubernetes.client.openapi.apis.CoordinationV1Api(client), calls);
        this.events = new KubeEvents(client, core, calls);
        this.unscheduled = new UnscheduledPods(core, calls);
    }

    // ---- reads ----

    @Override
    public Optional<Claim> claim(ClaimRef ref) {
        return calls.read("read claim " + ref,
                () -> core.readNamespacedPersistentVolumeClaim(ref.name(), ref.namespace()).execute()).map(this::toClaim);
    }

    private Claim toClaim(V1PersistentVolumeClaim pvc) {
        V1ObjectMeta meta = pvc.getMetadata();
        return new Claim(new ClaimRef(meta.getNamespace(), meta.getName()), meta.getUid(), meta.getResourceVersion(),
                pvc.getStatus() == null ? null : pvc.getStatus().getPhase(),
                pvc.getSpec().getVolumeName(), pvc.getSpec().getStorageClassName(),
                nullSafe(pvc.getSpec().getAccessModes()), meta.getAnnotations() == null ? Map.of() : meta.getAnnotations(),
                meta.getDeletionTimestamp() != null, json.serialize(pvc));
    }

    @Override
    public Optional<Node> node(String name) {
        return calls.read("read node " + name, () -> core.readNode(name).execute()).map(n -> {
            boolean ready = n.getStatus() != null && n.getStatus().getConditions() != null && n.getStatus().getConditions()
                    .stream().anyMatch(c -> "Ready".equals(c.getType()) && "True".equals(c.getStatus()));
            String provider = n.getSpec() == null ? null : n.getSpec().getProviderID();
            String instance = provider == null ? null : provider.substring(provider.lastIndexOf('/') + 1);
            List<String> taints = n.getSpec() == null || n.getSpec().getTaints() == null ? List.of()
                    : n.getSpec().getTaints().stream().map(t -> t.getKey() + (t.getValue() == null ? "" : "=" + t.getValue())
                    + ":" + t.getEffect()).toList();
            return new Node(name, PvFacts.nodeZone(n), ready, instance != null && instance.startsWith("i-") ? instance : null,
                    taints);
        });
    }

    @Override
    public void taintNode(String name, String key, String value, String effect) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            V1Node node = calls.read("read node " + name, () -> core.readNode(name).execute()).orElseThrow(() ->
                    new PortError(PortError.Kind.NOT_FOUND, "Kubernetes", "HTTP 404", "node " + name + " not found", null));
            List<io.kubernetes.client.openapi.models.V1Taint> taints = new ArrayList<>(
                    node.getSpec().getTaints() == null ? List.of() : node.getSpec().getTaints());
            if (taints.stream().anyMatch(t -> key.equals(t.getKey()) && effect.equals(t.getEffect()))) {
                return;
            }
            taints.add(new io.kubernetes.client.openapi.models.V1Taint().key(key).value(value).effect(effect));
            node.getSpec().setTaints(taints);
            try {
                calls.call("update node " + name, () -> core.replaceNode(name, node).execute());
                return;
            } catch (PortError e) {
                if (e.kind() != PortError.Kind.CONFLICT) {
                    throw e;
                }
            }
        }
        throw new PortError(PortError.Kind.CONFLICT, "Kubernetes", "HTTP 409", "node " + name + " kept changing", null);
    }

    @Override
    public Optional<Pv> pv(String name) {
        return calls.read("read PV " + name, () -> core.readPersistentVolume(name).execute()).map(this::toPv);
    }

    @Override
    public List<Pv> pvs() {
        List<Pv> result = new ArrayList<>();
        String next = null;
        do {
            String page = next;
            V1PersistentVolumeList list = calls.call("list PVs",
                    () -> core.listPersistentVolume().limit(500)._continue(page).execute());
            list.getItems().forEach(pv -> result.add(toPv(pv)));
            next = list.getMetadata() == null ? null : list.getMetadata().getContinue();
        } while (next != null && !next.isEmpty());
        return result;
    }

    private Pv toPv(V1PersistentVolume pv) {
        String name = pv.getMetadata().getName();
        V1PersistentVolumeSpec spec = pv.getSpec();
        V1ObjectReference ref = spec.getClaimRef();
        String fsType = spec.getCsi() != null ? spec.getCsi().getFsType()
                : spec.getAwsElasticBlockStore() != null ? spec.getAwsElasticBlockStore().getFsType() : null;
        Quantity storageQ = spec.getCapacity() == null ? null : spec.getCapacity().get("storage");
        return new Pv(name, PvFacts.volumeId(pv).orElse(null), PvFacts.zone(pv).orElse(null), PvFacts.isEbs(pv),
                spec.getCsi() != null, spec.getCsi() != null ? spec.getCsi().getDriver() : null,
                spec.getPersistentVolumeReclaimPolicy(),
                pv.getStatus() == null ? null : pv.getStatus().getPhase(),
                ref == null ? null : ref.getNamespace(), ref == null ? null : ref.getName(),
                ref == null ? null : ref.getUid(), spec.getStorageClassName(),
                storageQ == null ? null : storageQ.toSuffixedString(), nullSafe(spec.getAccessModes()),
                spec.getVolumeMode(), fsType, nullSafe(spec.getMountOptions()),
                pv.getMetadata().getDeletionTimestamp() != null, json.serialize(pv));
    }

    @Override
    public Optional<Pod> pod(String namespace, String name) {
        return calls.read("read pod " + namespace + "/" + name,
                () -> core.readNamespacedPod(name, namespace).execute()).map(p -> toPod(p, null));
    }

    @Override
    public List<Pod> podsOf(String namespace, String statefulSetName) {
        List<V1Pod> pods = calls.call("list pods in " + namespace,
                () -> core.listNamespacedPod(namespace).execute()).getItems();
        Map<String, String> nodeZones = nodeZones();
        List<Pod> result = new ArrayList<>();
        for (V1Pod pod : pods) {
            String name = pod.getMetadata().getName();
            Pod p = toPod(pod, nodeZones);
            boolean named = name.startsWith(statefulSetName + "-")
                    && name.substring(statefulSetName.length() + 1).matches("\\d+");
            if (statefulSetName.equals(p.ownerStatefulSet()) || p.ownerStatefulSet() == null && named) {
                result.add(p);
            }
        }
        return result;
    }

    private Pod toPod(V1Pod pod, Map<String, String> nodeZones) {
        V1ObjectMeta meta = pod.getMetadata();
        String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        String zone = null;
        if (nodeName != null) {
            zone = nodeZones != null ? nodeZones.get(nodeName)
                    : calls.read("read node " + nodeName, () -> core.readNode(nodeName).execute())
                    .map(PvFacts::nodeZone).orElse(null);
        }
        boolean ready = false;
        String unschedulable = null;
        boolean started = false;
        String startTime = null;
        if (pod.getStatus() != null) {
            for (V1PodCondition c : nullSafe(pod.getStatus().getConditions())) {
                if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
                    ready = true;
                }
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) {
                    unschedulable = c.getMessage();
                }
            }
            for (V1ContainerStatus s : nullSafe(pod.getStatus().getContainerStatuses())) {
                boolean ran = s.getState() != null && (s.getState().getRunning() != null || s.getState().getTerminated() != null);
                if (ran || s.getRestartCount() != null && s.getRestartCount() > 0
                        || s.getLastState() != null && s.getLastState().getTerminated() != null) {
                    started = true;
                }
            }
            if (pod.getStatus().getStartTime() != null) {
                startTime = pod.getStatus().getStartTime().toString();
            }
        }
        String owner = nullSafe(meta.getOwnerReferences()).stream()
                .filter(o -> "StatefulSet".equals(o.getKind())).map(V1OwnerReference::getName).findFirst().orElse(null);
        List<String> claims = pod.getSpec() == null ? List.of() : nullSafe(pod.getSpec().getVolumes()).stream()
                .map(V1Volume::getPersistentVolumeClaim).filter(Objects::nonNull).map(c -> c.getClaimName()).toList();
        String revision = meta.getLabels() == null ? null : meta.getLabels().get("controller-revision-hash");
        return new Pod(meta.getNamespace(), meta.getName(), meta.getUid(),
                pod.getStatus() == null ? null : pod.getStatus().getPhase(), ready, started, nodeName, zone, owner,
                meta.getDeletionTimestamp() != null, unschedulable, revision, startTime, claims);
    }

    @Override
    public Unscheduled unscheduledPods(String namespace) {
        return unscheduled.read(namespace);
    }

    @Override
    public Optional<StatefulSet> statefulSetOwning(ClaimRef ref) {
        for (StatefulSet sts : statefulSets(ref.namespace(), null)) {
            for (String template : sts.claimTemplates()) {
                String prefix = template + "-" + sts.name() + "-";
                if (ref.name().startsWith(prefix) && ref.name().substring(prefix.length()).matches("\\d+")) {
                    return Optional.of(sts);
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<StatefulSet> statefulSet(String namespace, String name) {
        return calls.getRaw("/apis/apps/v1/namespaces/" + namespace + "/statefulsets/" + name).map(Manifests::statefulSet);
    }

    @Override
    public List<StatefulSet> statefulSets(String namespace, String labelSelector) {
        String base = namespace == null ? "/apis/apps/v1/statefulsets"
                : "/apis/apps/v1/namespaces/" + namespace + "/statefulsets";
        List<StatefulSet> result = new ArrayList<>();
        String next = null;
        do {
            // Raw, as served: each StatefulSet keeps the manifest its record promises.
            StringBuilder path = new StringBuilder(base).append("?limit=500");
            if (labelSelector != null && !labelSelector.isBlank()) {
                path.append("&labelSelector=").append(query(labelSelector));
            }
            if (next != null) {
                path.append("&continue=").append(query(next));
            }
            JsonObject list = calls.getRaw(path.toString()).orElseThrow(() -> new PortError(PortError.Kind.NOT_FOUND,
                    "Kubernetes", "HTTP 404", "list StatefulSets" + (namespace == null ? "" : " in " + namespace), null));
            if (list.has("items") && list.get("items").isJsonArray()) {
                list.getAsJsonArray("items").forEach(item -> {
                    // A list's items come without kind and apiVersion; the manifest a StatefulSet carries has them.
                    JsonObject sts = new JsonObject();
                    sts.addProperty("apiVersion", "apps/v1");
                    sts.addProperty("kind", "StatefulSet");
                    item.getAsJsonObject().entrySet().forEach(e -> sts.add(e.getKey(), e.getValue()));
                    result.add(Manifests.statefulSet(sts));
                });
            }
            JsonObject meta = list.has("metadata") ? list.getAsJsonObject("metadata") : new JsonObject();
            next = Manifests.text(meta, "continue");
        } while (next != null && !next.isEmpty());
        return result;
    }

    private static String query(String value) {
        return java.net.URLEncoder.encode(value, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }

    @Override
    public List<Placement.Node> placementNodes() {
        List<V1Node> nodes = calls.call("list nodes", () -> core.listNode().execute()).getItems();
        List<V1Pod> pods = calls.call("list pods", () -> core.listPodForAllNamespaces().execute()).getItems();
        return PvFacts.placementNodes(nodes, pods);
    }

    @Override
    public Placement.PodNeeds podNeeds(StatefulSet statefulSet) {
        V1StatefulSet sts = json.deserialize(statefulSet.manifest(), V1StatefulSet.class);
        return PvFacts.needs(sts.getSpec().getTemplate().getSpec());
    }

    @Override
    public Map<String, Integer> podsPerZone(StatefulSet statefulSet) {
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (Pod pod : podsOf(statefulSet.namespace(), statefulSet.name())) {
            if (statefulSet.name().equals(pod.ownerStatefulSet()) && pod.zone() != null) {
                counts.merge(pod.zone(), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Override
    public Optional<DisruptionBudget> disruptionBudget(StatefulSet statefulSet) {
        Map<String, String> labels = Manifests.templateLabels(statefulSet.manifest());
        JsonObject list = calls.getRaw("/apis/policy/v1/namespaces/" + statefulSet.namespace()
                + "/poddisruptionbudgets").orElseThrow(() -> new PortError(PortError.Kind.NOT_FOUND, "Kubernetes",
                "HTTP 404", "list PodDisruptionBudgets in " + statefulSet.namespace(), null));
        if (!list.has("items") || !list.get("items").isJsonArray()) {
            return Optional.empty();
        }
        for (JsonElement item : list.getAsJsonArray("items")) {
            JsonObject pdb = item.getAsJsonObject();
            JsonObject spec = pdb.has("spec") ? pdb.getAsJsonObject("spec") : new JsonObject();
            // A budget without a selector selects nothing (policy/v1); an empty one selects every pod.
            if (!spec.has("selector") || !spec.get("selector").isJsonObject()
                    || !LabelSelector.parse(Manifests.selectorText(spec.getAsJsonObject("selector"))).matches(labels)) {
                continue;
            }
            String min = Manifests.text(spec, "minAvailable");
            String max = Manifests.text(spec, "maxUnavailable");
            if (min == null && max == null) {
                continue;
            }
            String name = Manifests.text(pdb.getAsJsonObject("metadata"), "name");
            return Optional.of(new DisruptionBudget(name, min, min == null ? max : null));
        }
        return Optional.empty();
    }

    private Map<String, String> nodeZones() {
        Map<String, String> zones = new HashMap<>();
        for (V1Node node : calls.call("list nodes", () -> core.listNode().execute()).getItems()) {
            zones.put(node.getMetadata().getName(), PvFacts.nodeZone(node));
        }
        return zones;
    }

    @Override
    public boolean attachedInCluster(List<String> pvNames) {
        List<V1VolumeAttachment> attachments = calls.call("list VolumeAttachments",
                () -> storage.listVolumeAttachment().execute()).getItems();
        return attachments.stream().anyMatch(a -> a.getSpec() != null && a.getSpec().getSource() != null
                && pvNames.contains(a.getSpec().getSource().getPersistentVolumeName()));
    }

    @Override
    public List<String> claimWarnings(ClaimRef ref) {
        List<CoreV1Event> events = calls.call("list events of " + ref, () -> core.listNamespacedEvent(ref.namespace())
                .fieldSelector("involvedObject.kind=PersistentVolumeClaim,involvedObject.name=" + ref.name())
                .execute()).getItems();
        return events.stream().filter(e -> "Warning".equals(e.getType()))
                .map(e -> e.getReason() + ": " + e.getMessage()).toList();
    }

    // ---- writes: each one a no-op when already done ----

    @Override
    public Optional<String> lockClaim(ClaimRef ref, String annotation, String jobId) {
        return compareAndSetAnnotation(ref, annotation, null, jobId);
    }

    @Override
    public void unlockClaim(ClaimRef ref, String annotation, String jobId) {
        compareAndSetAnnotation(ref, annotation, jobId, null);
    }

    /**
     * Sets the annotation from {@code expected} (null: absent) to {@code value} with a PUT that carries the
     * resourceVersion read, so a concurrent writer makes it fail with 409 and it is decided again on a
     * fresh read. Returns the holder when the annotation is neither the expected value nor already the new one.
     */
    private Optional<String> compareAndSetAnnotation(ClaimRef ref, String annotation, String expected, String value) {
        for (int attempt = 0; attempt < CAS_ATTEMPTS; attempt++) {
            Optional<V1PersistentVolumeClaim> read = calls.read("read claim " + ref,
                    () -> core.readNamespacedPersistentVolumeClaim(ref.name(), ref.namespace()).execute());
            if (read.isEmpty()) {
                return Optional.empty();
            }
            V1PersistentVolumeClaim pvc = read.get();
            Map<String, String> annotations = new LinkedHashMap<>(
                    pvc.getMetadata().getAnnotations() == null ? Map.of() : pvc.getMetadata().getAnnotations());
            String current = annotations.get(annotation);
            if (Objects.equals(current, value)) {
                return Optional.empty();
            }
            if (!Objects.equals(current, expected)) {
                return Optional.ofNullable(current);
            }
            if (value == null) {
                annotations.remove(annotation);
            } else {
                annotations.put(annotation, value);
            }
            pvc.getMetadata().setAnnotations(annotations);
            try {
                calls.call("update claim " + ref, () -> core.replaceNamespacedPersistentVolumeClaim(ref.name(),
                        ref.namespace(), pvc).execute());
                return Optional.empty();
            } catch (PortError e) {
                if (e.kind() != PortError.Kind.CONFLICT && e.kind() != PortError.Kind.NOT_FOUND) {
                    throw e;
                }
            }
        }
        throw new PortError(PortError.Kind.CONFLICT, "Kubernetes", "HTTP 409", "claim " + ref
                + " kept changing while its " + annotation + " annotation was set", null);
    }

    @Override
    public void setReclaimPolicy(String pvName, String policy) {
        mergePatch("PV " + pvName, "/api/v1/persistentvolumes/" + pvName,
                "{\"spec\":{\"persistentVolumeReclaimPolicy\":" + GSON.toJson(policy) + "}}");
    }

    @Override
    public void deleteStatefulSetOrphan(String namespace, String name) {
        JsonObject options = new JsonObject();
        options.addProperty("kind", "DeleteOptions");
        options.addProperty("apiVersion", "v1");
        options.addProperty("propagationPolicy", "Orphan");
        // Raw: the typed delete expects a Status and fails on the object an orphan delete returns (REFERENCE C.8).
        calls.delete("delete StatefulSet " + namespace + "/" + name, () -> calls.sendRaw(
                "/apis/apps/v1/namespaces/" + namespace + "/statefulsets/" + name, "DELETE", options, null));
    }

    @Override
    public void createStatefulSet(String manifest, String updateStrategy) {
        JsonObject sts = Manifests.forRecreate(manifest);
        if (updateStrategy != null) {
            sts.getAsJsonObject("spec").add("updateStrategy", com.google.gson.JsonParser.parseString(updateStrategy));
        }
        String namespace = sts.getAsJsonObject("metadata").get("namespace").getAsString();
        calls.create("create StatefulSet", () -> calls.sendRaw("/apis/apps/v1/namespaces/" + namespace
                + "/statefulsets", "POST", sts, null));
    }

    @Override
    public void setUpdateStrategy(String namespace, String name, String updateStrategy) {
        // A JSON merge patch would merge the old rollingUpdate into an OnDelete strategy: replace the field.
        String patch = "[{\"op\":\"replace\",\"path\":\"/spec/updateStrategy\",\"value\":" + updateStrategy + "}]";
        calls.call("update StatefulSet " + namespace + "/" + name, () -> PatchUtils.patch(V1StatefulSet.class,
                () -> apps.patchNamespacedStatefulSet(name, namespace, new V1Patch(patch)).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_PATCH, client));
    }

    @Override
    public void deletePod(String namespace, String name) {
        calls.delete("delete pod " + namespace + "/" + name, () -> core.deleteNamespacedPod(name, namespace).execute());
    }

    @Override
    public void deleteClaim(ClaimRef ref) {
        calls.delete("delete claim " + ref,
                () -> core.deleteNamespacedPersistentVolumeClaim(ref.name(), ref.namespace()).execute());
    }

    @Override
    public void createStaticPv(StaticPv spec) {
        JsonObject pv = Manifests.staticPv(spec);
        calls.create("create PV " + spec.name(), () -> calls.sendRaw("/api/v1/persistentvolumes", "POST", pv, null));
    }

    @Override
    public void deletePv(String name) {
        calls.delete("delete PV " + name, () -> core.deletePersistentVolume(name).execute());
    }

    @Override
    public void clearClaimRef(String pvName) {
        mergePatch("PV " + pvName, "/api/v1/persistentvolumes/" + pvName, "{\"spec\":{\"claimRef\":null}}");
    }

    @Override
    public void createClaimBoundTo(String savedClaimManifest, String pvName) {
        JsonObject claim = Manifests.claimBoundTo(savedClaimManifest, pvName);
        String namespace = claim.getAsJsonObject("metadata").get("namespace").getAsString();
        calls.create("create claim", () -> calls.sendRaw("/api/v1/namespaces/" + namespace
                + "/persistentvolumeclaims", "POST", claim, null));
    }

    @Override
    public Optional<Map<String, String>> configMap(String namespace, String name) {
        return configMaps.read(namespace, name);
    }

    @Override
    public void saveConfigMap(String namespace, String name, Map<String, String> labels, Map<String, String> data) {
        configMaps.save(namespace, name, labels, data);
    }

    @Override
    public void deleteConfigMap(String namespace, String name) {
        configMaps.delete(namespace, name);
    }

    // ---- leader election and events ----

    @Override
    public Optional<Lease> lease(String namespace, String name) {
        return leases.read(namespace, name);
    }

    @Override
    public Lease createLease(Lease lease) {
        return leases.create(lease);
    }

    @Override
    public Lease updateLease(Lease lease) {
        return leases.update(lease);
    }

    @Override
    public String createEvent(ObjectEvent event, Instant at) {
        return events.create(event, at);
    }

    @Override
    public boolean repeatEvent(String namespace, String name, int count, Instant at) {
        return events.repeat(namespace, name, count, at);
    }

    // ---- split-per-zone ----

    @Override
    public void scaleStatefulSet(String namespace, String name, int replicas) {
        mergePatch("StatefulSet " + namespace + "/" + name, statefulSetPath(namespace) + "/" + name,
                "{\"spec\":{\"replicas\":" + replicas + "}}");
    }

    @Override
    public void createZoneStatefulSet(String savedManifest, String zone, Map<String, String> labels) {
        JsonObject sts = Manifests.zoneStatefulSet(savedManifest, zone, labels);
        String namespace = sts.getAsJsonObject("metadata").get("namespace").getAsString();
        calls.create("create StatefulSet", () -> calls.sendRaw(statefulSetPath(namespace), "POST", sts, null));
    }

    @Override
    public void reservePv(String pvName, ClaimRef claim) {
        JsonObject ref = new JsonObject();
        ref.addProperty("apiVersion", "v1");
        ref.addProperty("kind", "PersistentVolumeClaim");
        ref.addProperty("namespace", claim.namespace());
        ref.addProperty("name", claim.name());
        // Null removes them (merge patch): a uid or resourceVersion of an earlier claim would leave it Released.
        ref.add("uid", com.google.gson.JsonNull.INSTANCE);
        ref.add("resourceVersion", com.google.gson.JsonNull.INSTANCE);
        JsonObject spec = new JsonObject();
        spec.add("claimRef", ref);
        JsonObject patch = new JsonObject();
        patch.add("spec", spec);
        mergePatch("PV " + pvName, "/api/v1/persistentvolumes/" + pvName, patch.toString());
    }

    @Override
    public void createClaimAs(String savedClaimManifest, ClaimRef claim, String pvName) {
        JsonObject created = Manifests.claimAs(savedClaimManifest, claim, pvName);
        calls.create("create claim " + claim, () -> calls.sendRaw("/api/v1/namespaces/" + claim.namespace()
                + "/persistentvolumeclaims", "POST", created, null));
    }

    private static String statefulSetPath(String namespace) {
        return "/apis/apps/v1/namespaces/" + namespace + "/statefulsets";
    }

    private void mergePatch(String what, String path, String patch) {
        calls.call("patch " + what, () -> calls.sendRaw(path, "PATCH", com.google.gson.JsonParser.parseString(patch),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH));
    }


    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }
}
