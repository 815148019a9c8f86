package io.zonemover.cluster;

import io.kubernetes.client.custom.V1Patch;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.ApiException;
import io.kubernetes.client.openapi.JSON;
import io.kubernetes.client.openapi.apis.AppsV1Api;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.apis.StorageV1Api;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1CSIPersistentVolumeSource;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeSelector;
import io.kubernetes.client.openapi.models.V1NodeSelectorRequirement;
import io.kubernetes.client.openapi.models.V1NodeSelectorTerm;
import io.kubernetes.client.openapi.models.V1ObjectMeta;
import io.kubernetes.client.openapi.models.V1ObjectReference;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1PersistentVolumeSpec;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StatefulSetList;
import io.kubernetes.client.openapi.models.V1VolumeAttachment;
import io.kubernetes.client.openapi.models.V1VolumeNodeAffinity;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.util.PatchUtils;
import io.kubernetes.client.util.generic.GenericKubernetesApi;
import io.kubernetes.client.util.generic.KubernetesApiResponse;
import io.kubernetes.client.util.generic.options.DeleteOptions;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.Placement;
import io.zonemover.domain.ZonemoverException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@link Cluster} over the official client-java, against any API server (a real one or the simulated one). */
public final class KubeCluster implements Cluster {

    private static final com.google.gson.Gson GSON = new com.google.gson.Gson();

    private final ApiClient client;
    private final CoreV1Api core;
    private final AppsV1Api apps;
    private final StorageV1Api storage;
    private final GenericKubernetesApi<V1StatefulSet, V1StatefulSetList> statefulSets;
    private final JSON json;

    public KubeCluster(ApiClient client) {
        this.client = client;
        this.core = new CoreV1Api(client);
        this.apps = new AppsV1Api(client);
        this.storage = new StorageV1Api(client);
        // The typed delete expects a Status and fails on the object an orphan delete returns (REFERENCE C.8).
        this.statefulSets = new GenericKubernetesApi<>(V1StatefulSet.class, V1StatefulSetList.class, "apps", "v1",
                "statefulsets", client);
        this.json = client.getJSON();
    }

    // ---- reads ----

    @Override
    public Optional<Claim> claim(ClaimRef ref) {
        return read(() -> core.readNamespacedPersistentVolumeClaim(ref.name(), ref.namespace()).execute())
                .map(this::toClaim);
    }

    private Claim toClaim(V1PersistentVolumeClaim pvc) {
        V1ObjectMeta meta = pvc.getMetadata();
        return new Claim(new ClaimRef(meta.getNamespace(), meta.getName()), meta.getUid(),
                pvc.getStatus() == null ? null : pvc.getStatus().getPhase(),
                pvc.getSpec().getVolumeName(), pvc.getSpec().getStorageClassName(),
                nullSafe(pvc.getSpec().getAccessModes()), meta.getAnnotations() == null ? Map.of() : meta.getAnnotations(),
                meta.getDeletionTimestamp() != null, json.serialize(pvc));
    }

    @Override
    public Optional<Pv> pv(String name) {
        return read(() -> core.readPersistentVolume(name).execute()).map(pv -> {
            V1PersistentVolumeSpec spec = pv.getSpec();
            V1ObjectReference ref = spec.getClaimRef();
            String fsType = spec.getCsi() != null ? spec.getCsi().getFsType()
                    : spec.getAwsElasticBlockStore() != null ? spec.getAwsElasticBlockStore().getFsType() : null;
            Quantity storageQ = spec.getCapacity() == null ? null : spec.getCapacity().get("storage");
            return new Pv(name, PvFacts.volumeId(pv).orElse(null), PvFacts.zone(pv).orElse(null), PvFacts.isEbs(pv),
                    spec.getCsi() != null, spec.getPersistentVolumeReclaimPolicy(),
                    pv.getStatus() == null ? null : pv.getStatus().getPhase(),
                    ref == null ? null : ref.getNamespace(), ref == null ? null : ref.getName(),
                    ref == null ? null : ref.getUid(), spec.getStorageClassName(),
                    storageQ == null ? null : storageQ.toSuffixedString(), nullSafe(spec.getAccessModes()),
                    spec.getVolumeMode(), fsType, nullSafe(spec.getMountOptions()),
                    pv.getMetadata().getDeletionTimestamp() != null, json.serialize(pv));
        });
    }

    @Override
    public Optional<Pod> pod(String namespace, String name) {
        return read(() -> core.readNamespacedPod(name, namespace).execute()).map(this::toPod);
    }

    private Pod toPod(V1Pod pod) {
        V1ObjectMeta meta = pod.getMetadata();
        String nodeName = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
        String zone = null;
        if (nodeName != null) {
            zone = read(() -> core.readNode(nodeName).execute()).map(PvFacts::nodeZone).orElse(null);
        }
        boolean ready = false;
        String unschedulable = null;
        if (pod.getStatus() != null) {
            for (V1PodCondition c : nullSafe(pod.getStatus().getConditions())) {
                if ("Ready".equals(c.getType()) && "True".equals(c.getStatus())) {
                    ready = true;
                }
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus())) {
                    unschedulable = c.getMessage();
                }
            }
        }
        String owner = nullSafe(meta.getOwnerReferences()).stream()
                .filter(o -> "StatefulSet".equals(o.getKind())).map(V1OwnerReference::getName).findFirst().orElse(null);
        return new Pod(meta.getNamespace(), meta.getName(), meta.getUid(),
                pod.getStatus() == null ? null : pod.getStatus().getPhase(), ready, nodeName, zone, owner,
                meta.getDeletionTimestamp() != null, unschedulable);
    }

    @Override
    public Optional<StatefulSet> statefulSetOwning(ClaimRef ref) {
        List<V1StatefulSet> all = call(() -> apps.listNamespacedStatefulSet(ref.namespace()).execute()).getItems();
        for (V1StatefulSet sts : all) {
            String stsName = sts.getMetadata().getName();
            for (var template : nullSafe(sts.getSpec().getVolumeClaimTemplates())) {
                String prefix = template.getMetadata().getName() + "-" + stsName + "-";
                if (ref.name().startsWith(prefix) && ref.name().substring(prefix.length()).matches("\\d+")) {
                    return Optional.of(toStatefulSet(sts));
                }
            }
        }
        return Optional.empty();
    }

    @Override
    public Optional<StatefulSet> statefulSet(String namespace, String name) {
        return read(() -> apps.readNamespacedStatefulSet(name, namespace).execute()).map(this::toStatefulSet);
    }

    private StatefulSet toStatefulSet(V1StatefulSet sts) {
        V1ObjectMeta meta = sts.getMetadata();
        return new StatefulSet(meta.getNamespace(), meta.getName(), meta.getUid(),
                sts.getSpec().getReplicas() == null ? 1 : sts.getSpec().getReplicas(),
                sts.getStatus() == null || sts.getStatus().getReadyReplicas() == null ? 0
                        : sts.getStatus().getReadyReplicas(),
                meta.getDeletionTimestamp() != null, json.serialize(sts));
    }

    @Override
    public List<Placement.Node> placementNodes() {
        List<V1Node> nodes = call(() -> core.listNode().execute()).getItems();
        List<V1Pod> pods = call(() -> core.listPodForAllNamespaces().execute()).getItems();
        return PvFacts.placementNodes(nodes, pods);
    }

    @Override
    public Placement.PodNeeds podNeeds(StatefulSet statefulSet) {
        V1StatefulSet sts = json.deserialize(statefulSet.manifest(), V1StatefulSet.class);
        return PvFacts.needs(sts.getSpec().getTemplate().getSpec());
    }

    @Override
    public Map<String, Integer> podsPerZone(StatefulSet statefulSet) {
        List<V1Pod> pods = call(() -> core.listNamespacedPod(statefulSet.namespace()).execute()).getItems();
        Map<String, String> nodeZones = new HashMap<>();
        for (V1Node node : call(() -> core.listNode().execute()).getItems()) {
            nodeZones.put(node.getMetadata().getName(), PvFacts.nodeZone(node));
        }
        Map<String, Integer> counts = new LinkedHashMap<>();
        for (V1Pod pod : pods) {
            boolean owned = nullSafe(pod.getMetadata().getOwnerReferences()).stream()
                    .anyMatch(o -> "StatefulSet".equals(o.getKind()) && statefulSet.name().equals(o.getName()));
            String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
            if (owned && node != null && nodeZones.get(node) != null) {
                counts.merge(nodeZones.get(node), 1, Integer::sum);
            }
        }
        return counts;
    }

    @Override
    public boolean attachedInCluster(String pvName) {
        List<V1VolumeAttachment> attachments = call(() -> storage.listVolumeAttachment().execute()).getItems();
        return attachments.stream().anyMatch(a -> a.getSpec() != null && a.getSpec().getSource() != null
                && pvName.equals(a.getSpec().getSource().getPersistentVolumeName()));
    }

    @Override
    public List<String> claimWarnings(ClaimRef ref) {
        List<CoreV1Event> events = call(() -> core.listNamespacedEvent(ref.namespace())
                .fieldSelector("involvedObject.kind=PersistentVolumeClaim,involvedObject.name=" + ref.name())
                .execute()).getItems();
        return events.stream().filter(e -> "Warning".equals(e.getType()))
                .map(e -> e.getReason() + ": " + e.getMessage()).toList();
    }

    // ---- writes: each one a no-op when already done ----

    @Override
    public void annotateClaim(ClaimRef ref, String key, String value) {
        String patch = "{\"metadata\":{\"annotations\":{" + quote(key) + ":" + (value == null ? "null" : quote(value)) + "}}}";
        ignoreNotFound(() -> PatchUtils.patch(V1PersistentVolumeClaim.class,
                () -> core.patchNamespacedPersistentVolumeClaim(ref.name(), ref.namespace(), new V1Patch(patch)).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
    }

    @Override
    public void setReclaimPolicy(String pvName, String policy) {
        String patch = "{\"spec\":{\"persistentVolumeReclaimPolicy\":" + quote(policy) + "}}";
        call(() -> PatchUtils.patch(V1PersistentVolume.class,
                () -> core.patchPersistentVolume(pvName, new V1Patch(patch)).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
    }

    @Override
    public void deleteStatefulSetOrphan(String namespace, String name) {
        DeleteOptions orphan = new DeleteOptions();
        orphan.setPropagationPolicy("Orphan");
        KubernetesApiResponse<V1StatefulSet> response = statefulSets.delete(namespace, name, orphan);
        if (!response.isSuccess() && response.getHttpStatusCode() != 404) {
            throw failure("delete StatefulSet " + namespace + "/" + name, response.getHttpStatusCode(),
                    response.getStatus() == null ? null : response.getStatus().getMessage());
        }
    }

    @Override
    public void createStatefulSet(String manifest) {
        V1StatefulSet sts = json.deserialize(manifest, V1StatefulSet.class);
        V1ObjectMeta meta = sts.getMetadata();
        sts.setMetadata(new V1ObjectMeta().name(meta.getName()).namespace(meta.getNamespace())
                .labels(meta.getLabels()).annotations(meta.getAnnotations()));
        sts.setStatus(null);
        sts.setApiVersion("apps/v1");
        sts.setKind("StatefulSet");
        ignoreConflict(() -> apps.createNamespacedStatefulSet(meta.getNamespace(), sts).execute());
    }

    @Override
    public void deletePod(String namespace, String name) {
        ignoreNotFound(() -> core.deleteNamespacedPod(name, namespace).execute());
    }

    @Override
    public void deleteClaim(ClaimRef ref) {
        ignoreNotFound(() -> core.deleteNamespacedPersistentVolumeClaim(ref.name(), ref.namespace()).execute());
    }

    @Override
    public void createStaticPv(StaticPv spec) {
        V1NodeSelectorRequirement zone = new V1NodeSelectorRequirement()
                .key("topology.kubernetes.io/zone").operator("In").values(List.of(spec.zone()));
        V1PersistentVolume pv = new V1PersistentVolume()
                .apiVersion("v1").kind("PersistentVolume")
                .metadata(new V1ObjectMeta().name(spec.name()).labels(spec.labels())
                        .annotations(Map.of("pv.kubernetes.io/provisioned-by", "ebs.csi.aws.com")))
                .spec(new V1PersistentVolumeSpec()
                        .capacity(Map.of("storage", Quantity.fromString(spec.capacity())))
                        .accessModes(spec.accessModes())
                        .volumeMode(spec.volumeMode())
                        .persistentVolumeReclaimPolicy("Retain")
                        .storageClassName(spec.storageClass())
                        .mountOptions(spec.mountOptions().isEmpty() ? null : spec.mountOptions())
                        .csi(new V1CSIPersistentVolumeSource().driver("ebs.csi.aws.com")
                                .volumeHandle(spec.volumeId()).fsType(spec.fsType()))
                        // No uid: a pre-bound claimRef binds to the claim of that name (REFERENCE A.2).
                        .claimRef(new V1ObjectReference().kind("PersistentVolumeClaim").apiVersion("v1")
                                .namespace(spec.claim().namespace()).name(spec.claim().name()))
                        .nodeAffinity(new V1VolumeNodeAffinity().required(new V1NodeSelector()
                                .nodeSelectorTerms(List.of(new V1NodeSelectorTerm().matchExpressions(List.of(zone)))))));
        ignoreConflict(() -> core.createPersistentVolume(pv).execute());
    }

    @Override
    public void deletePv(String name) {
        ignoreNotFound(() -> core.deletePersistentVolume(name).execute());
    }

    @Override
    public void clearClaimRef(String pvName) {
        String patch = "{\"spec\":{\"claimRef\":null}}";
        call(() -> PatchUtils.patch(V1PersistentVolume.class,
                () -> core.patchPersistentVolume(pvName, new V1Patch(patch)).buildCall(null),
                V1Patch.PATCH_FORMAT_JSON_MERGE_PATCH, client));
    }

    @Override
    public void createClaimBoundTo(String savedClaimManifest, String pvName) {
        V1PersistentVolumeClaim saved = json.deserialize(savedClaimManifest, V1PersistentVolumeClaim.class);
        V1ObjectMeta old = saved.getMetadata();
        Map<String, String> annotations = new LinkedHashMap<>(old.getAnnotations() == null ? Map.of() : old.getAnnotations());
        // Binding annotations belong to the old binding; the PV controller writes fresh ones.
        annotations.keySet().removeIf(k -> k.startsWith("pv.kubernetes.io/") || k.startsWith("volume.beta.kubernetes.io/")
                || k.startsWith("volume.kubernetes.io/"));
        V1PersistentVolumeClaim pvc = new V1PersistentVolumeClaim()
                .apiVersion("v1").kind("PersistentVolumeClaim")
                .metadata(new V1ObjectMeta().name(old.getName()).namespace(old.getNamespace())
                        .labels(old.getLabels()).annotations(annotations))
                .spec(saved.getSpec().volumeName(pvName));
        ignoreConflict(() -> core.createNamespacedPersistentVolumeClaim(old.getNamespace(), pvc).execute());
    }

    // ---- plumbing ----

    @FunctionalInterface
    private interface ApiCall<T> {
        T run() throws ApiException;
    }

    private static <T> Optional<T> read(ApiCall<T> call) {
        try {
            return Optional.ofNullable(call.run());
        } catch (ApiException e) {
            if (e.getCode() == 404) {
                return Optional.empty();
            }
            throw failure("Kubernetes read", e.getCode(), e.getResponseBody());
        }
    }

    private static <T> T call(ApiCall<T> call) {
        try {
            return call.run();
        } catch (ApiException e) {
            throw failure("Kubernetes call", e.getCode(), e.getResponseBody());
        }
    }

    private static void ignoreNotFound(ApiCall<?> call) {
        try {
            call.run();
        } catch (ApiException e) {
            if (e.getCode() != 404) {
                throw failure("Kubernetes call", e.getCode(), e.getResponseBody());
            }
        }
    }

    private static void ignoreConflict(ApiCall<?> call) {
        try {
            call.run();
        } catch (ApiException e) {
            if (e.getCode() != 409) {
                throw failure("Kubernetes create", e.getCode(), e.getResponseBody());
            }
        }
    }

    private static ZonemoverException failure(String what, int code, String body) {
        String detail = body == null ? "" : body.replaceAll("\\s+", " ");
        if (detail.length() > 300) {
            detail = detail.substring(0, 300) + "...";
        }
        return ZonemoverException.failed(what + " failed: HTTP " + code + (detail.isEmpty() ? "" : " " + detail), null);
    }

    private static String quote(String s) {
        return GSON.toJson(s);
    }

    private static <T> List<T> nullSafe(List<T> list) {
        return list == null ? List.of() : list;
    }
}
