package io.zonemover.sim.kube.store;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One kind of object the simulated API serves: its plural, kind, group/version and scope. */
public record ResourceType(String plural, String singular, String kind, String group, String version,
                           boolean namespaced, boolean hasStatus, List<String> shortNames) {

    public static final ResourceType NAMESPACES = new ResourceType("namespaces", "namespace", "Namespace", "", "v1",
            false, true, List.of("ns"));
    public static final ResourceType NODES = new ResourceType("nodes", "node", "Node", "", "v1", false, true,
            List.of("no"));
    public static final ResourceType PODS = new ResourceType("pods", "pod", "Pod", "", "v1", true, true,
            List.of("po"));
    public static final ResourceType PVCS = new ResourceType("persistentvolumeclaims", "persistentvolumeclaim",
            "PersistentVolumeClaim", "", "v1", true, true, List.of("pvc"));
    public static final ResourceType PVS = new ResourceType("persistentvolumes", "persistentvolume",
            "PersistentVolume", "", "v1", false, true, List.of("pv"));
    public static final ResourceType EVENTS = new ResourceType("events", "event", "Event", "", "v1", true, false,
            List.of("ev"));
    public static final ResourceType STATEFULSETS = new ResourceType("statefulsets", "statefulset", "StatefulSet",
            "apps", "v1", true, true, List.of("sts"));
    public static final ResourceType STORAGECLASSES = new ResourceType("storageclasses", "storageclass",
            "StorageClass", "storage.k8s.io", "v1", false, false, List.of("sc"));
    public static final ResourceType VOLUMEATTACHMENTS = new ResourceType("volumeattachments", "volumeattachment",
            "VolumeAttachment", "storage.k8s.io", "v1", false, true, List.of());
    public static final ResourceType PDBS = new ResourceType("poddisruptionbudgets", "poddisruptionbudget",
            "PodDisruptionBudget", "policy", "v1", true, true, List.of("pdb"));

    /** zonemover keeps the record of a move in progress beside the claim, as a ConfigMap. */
    public static final ResourceType CONFIGMAPS = new ResourceType("configmaps", "configmap", "ConfigMap", "", "v1",
            true, false, List.of("cm"));
    public static final ResourceType LEASES = new ResourceType("leases", "lease", "Lease", "coordination.k8s.io", "v1",
            true, false, List.of());

    public static final List<ResourceType> ALL = List.of(NAMESPACES, NODES, PODS, PVCS, PVS, EVENTS, STATEFULSETS,
            STORAGECLASSES, VOLUMEATTACHMENTS, PDBS, CONFIGMAPS, LEASES);

    private static final Map<String, ResourceType> BY_PATH = new LinkedHashMap<>();

    static {
        for (ResourceType t : ALL) {
            BY_PATH.put(t.groupVersion() + "/" + t.plural, t);
        }
    }

    /** "v1" or "apps/v1". */
    public String groupVersion() {
        return group.isEmpty() ? version : group + "/" + version;
    }

    /** "pods" or "statefulsets.apps": how error messages name the resource. */
    public String qualified() {
        return group.isEmpty() ? plural : plural + "." + group;
    }

    public String listKind() {
        return kind + "List";
    }

    public static ResourceType find(String groupVersion, String plural) {
        return BY_PATH.get(groupVersion + "/" + plural);
    }
}
