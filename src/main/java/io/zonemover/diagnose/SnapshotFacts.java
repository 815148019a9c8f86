package io.zonemover.diagnose;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kubernetes.client.custom.Quantity;
import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1OwnerReference;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodCondition;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.zonemover.cluster.ClusterSnapshot;
import io.zonemover.cluster.PvFacts;
import io.zonemover.diagnose.Facts.Claim;
import io.zonemover.diagnose.Facts.Event;
import io.zonemover.diagnose.Facts.MoveRecord;
import io.zonemover.diagnose.Facts.Pod;
import io.zonemover.diagnose.Facts.StatefulSet;
import io.zonemover.diagnose.Facts.StorageClass;
import io.zonemover.diagnose.Facts.Volume;
import io.zonemover.domain.Tags;

import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Turns one read of the cluster (client-java models) into the plain records detectors read: the one
 * place in the diagnosis that knows Kubernetes' object shapes.
 */
public final class SnapshotFacts {

    /** The ConfigMap a move keeps beside its claims while it runs: {@code zonemover-<jobId>}. */
    public static final String MOVE_CONFIGMAP_PREFIX = "zonemover-";
    public static final String MOVE_DATA_KEY = "move.json";
    public static final String POD_LABEL = "zonemover.io/pod";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SnapshotFacts() {
    }

    public static ClusterFacts of(ClusterSnapshot s) {
        List<Pod> pods = new ArrayList<>(s.pods().size());
        s.pods().forEach(p -> pods.add(pod(p)));
        List<Claim> claims = new ArrayList<>(s.claims().size());
        s.claims().forEach(c -> claims.add(claim(c)));
        List<Volume> volumes = new ArrayList<>(s.pvs().size());
        s.pvs().forEach(v -> volumes.add(volume(v)));
        List<StorageClass> classes = s.storageClasses().stream().map(SnapshotFacts::storageClass).toList();
        // A StatefulSet being deleted (an orphan delete waits for the garbage collector) is already gone
        // for what diagnose reasons about: it will not recreate its pods.
        List<StatefulSet> sets = s.statefulSets().stream().filter(sts -> sts.getMetadata().getDeletionTimestamp() == null)
                .map(SnapshotFacts::statefulSet).toList();
        List<Event> events = new ArrayList<>(s.events().size());
        s.events().forEach(e -> events.add(event(e)));
        List<MoveRecord> moves = new ArrayList<>();
        for (V1ConfigMap cm : s.configMaps()) {
            if (cm.getMetadata() != null && cm.getMetadata().getName() != null
                    && cm.getMetadata().getName().startsWith(MOVE_CONFIGMAP_PREFIX)) {
                moves.add(move(cm));
            }
        }
        return new ClusterFacts(s.namespace(), s.placementNodes(), pods, claims, volumes, classes, sets, events,
                moves);
    }

    static Pod pod(V1Pod pod) {
        var meta = pod.getMetadata();
        var spec = pod.getSpec();
        List<String> complaints = new ArrayList<>(0);
        if (pod.getStatus() != null && pod.getStatus().getConditions() != null) {
            for (V1PodCondition c : pod.getStatus().getConditions()) {
                if ("PodScheduled".equals(c.getType()) && "False".equals(c.getStatus()) && c.getMessage() != null) {
                    complaints.add(c.getMessage());
                }
            }
        }
        return new Pod(meta.getNamespace(), meta.getName(), meta.getUid(), spec == null ? null : spec.getNodeName(),
                pod.getStatus() == null ? null : pod.getStatus().getPhase(), spec != null, PvFacts.isTerminated(pod),
                meta.getDeletionTimestamp() != null, ownerStatefulSet(pod), PvFacts.claimNames(pod),
                PvFacts.needs(spec), complaints);
    }

    static String ownerStatefulSet(V1Pod pod) {
        if (pod.getMetadata().getOwnerReferences() == null) {
            return null;
        }
        for (V1OwnerReference ref : pod.getMetadata().getOwnerReferences()) {
            if ("StatefulSet".equals(ref.getKind())) {
                return ref.getName();
            }
        }
        return null;
    }

    static Claim claim(V1PersistentVolumeClaim c) {
        Map<String, String> annotations = c.getMetadata().getAnnotations();
        return new Claim(c.getMetadata().getNamespace(), c.getMetadata().getName(),
                c.getSpec() == null ? null : c.getSpec().getVolumeName(),
                c.getSpec() == null ? null : c.getSpec().getStorageClassName(),
                annotations == null ? null : blankToNull(annotations.get(Tags.MIGRATION_ANNOTATION)));
    }

    static Volume volume(V1PersistentVolume pv) {
        var spec = pv.getSpec();
        String driver = null;
        long size = 0;
        if (spec != null) {
            if (spec.getCsi() != null) {
                driver = spec.getCsi().getDriver();
            } else if (spec.getAwsElasticBlockStore() != null) {
                driver = PvFacts.IN_TREE_PROVISIONER;
            }
            Quantity q = spec.getCapacity() == null ? null : spec.getCapacity().get("storage");
            size = PvFacts.units(q);
        }
        return new Volume(pv.getMetadata().getName(), PvFacts.isEbs(pv), driver, PvFacts.volumeId(pv).orElse(null),
                PvFacts.zone(pv).orElse(null), size);
    }

    static StorageClass storageClass(V1StorageClass sc) {
        return new StorageClass(sc.getMetadata().getName(), sc.getProvisioner(), sc.getVolumeBindingMode());
    }

    static StatefulSet statefulSet(V1StatefulSet sts) {
        var spec = sts.getSpec();
        List<String> templates = new ArrayList<>();
        if (spec != null && spec.getVolumeClaimTemplates() != null) {
            for (V1PersistentVolumeClaim t : spec.getVolumeClaimTemplates()) {
                if (t.getMetadata() != null && t.getMetadata().getName() != null) {
                    templates.add(t.getMetadata().getName());
                }
            }
        }
        int replicas = spec == null || spec.getReplicas() == null ? 1 : spec.getReplicas();
        int start = spec != null && spec.getOrdinals() != null && spec.getOrdinals().getStart() != null
                ? spec.getOrdinals().getStart() : 0;
        return new StatefulSet(sts.getMetadata().getNamespace(), sts.getMetadata().getName(), replicas, start,
                templates, PvFacts.needs(spec == null || spec.getTemplate() == null ? null : spec.getTemplate().getSpec()),
                spec == null || spec.getSelector() == null ? null : spec.getSelector().getMatchLabels());
    }

    static Event event(CoreV1Event e) {
        String uid = e.getInvolvedObject() == null ? null : e.getInvolvedObject().getUid();
        return new Event(uid, e.getReason(), e.getMessage(), when(e));
    }

    /**
     * An event's latest time: lastTimestamp, else the series' last observation, else eventTime (the
     * events.k8s.io recorder leaves lastTimestamp empty, REFERENCE.md A.4), else firstTimestamp, else
     * its creation.
     */
    static OffsetDateTime when(CoreV1Event e) {
        OffsetDateTime t = e.getLastTimestamp();
        if (t == null && e.getSeries() != null) {
            t = e.getSeries().getLastObservedTime();
        }
        if (t == null) {
            t = e.getEventTime();
        }
        if (t == null) {
            t = e.getFirstTimestamp();
        }
        if (t == null && e.getMetadata() != null) {
            t = e.getMetadata().getCreationTimestamp();
        }
        return t == null ? OffsetDateTime.MIN : t;
    }

    /** A move's record; what its labels say stands in for an unreadable {@code move.json}. */
    static MoveRecord move(V1ConfigMap cm) {
        var meta = cm.getMetadata();
        Map<String, String> labels = meta.getLabels() == null ? Map.of() : meta.getLabels();
        String jobId = blankToNull(labels.get(Tags.JOB));
        if (jobId == null) {
            jobId = meta.getName().substring(MOVE_CONFIGMAP_PREFIX.length());
        }
        String pod = blankToNull(labels.get(POD_LABEL));
        String raw = cm.getData() == null ? null : cm.getData().get(MOVE_DATA_KEY);
        if (raw == null) {
            return new MoveRecord(meta.getNamespace(), meta.getName(), jobId, pod, null, List.of(), null, null,
                    null, null, null, "it has no " + MOVE_DATA_KEY);
        }
        JsonNode json;
        try {
            json = JSON.readTree(raw);
        } catch (Exception e) {
            json = null;
        }
        if (json == null || !json.isObject()) {
            return new MoveRecord(meta.getNamespace(), meta.getName(), jobId, pod, null, List.of(), null, null,
                    null, null, null, "its " + MOVE_DATA_KEY + " is not a JSON object");
        }
        List<String> claims = new ArrayList<>();
        if (json.path("claims").isArray()) {
            json.path("claims").forEach(c -> {
                if (c.isTextual() && !c.asText().isEmpty()) {
                    claims.add(c.asText());
                }
            });
        }
        JsonNode pnr = json.get("pointOfNoReturn");
        return new MoveRecord(meta.getNamespace(), meta.getName(), orElse(text(json, "jobId"), jobId),
                orElse(text(json, "pod"), pod), text(json, "statefulSet"), claims, text(json, "fromZone"),
                text(json, "toZone"), text(json, "step"), pnr != null && pnr.isBoolean() ? pnr.asBoolean() : null,
                text(json, "updatedAt"), null);
    }

    private static String text(JsonNode json, String field) {
        JsonNode v = json.get(field);
        return v == null || !v.isTextual() ? null : blankToNull(v.asText());
    }

    private static String orElse(String value, String fallback) {
        return value != null ? value : fallback;
    }

    private static String blankToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }
}
