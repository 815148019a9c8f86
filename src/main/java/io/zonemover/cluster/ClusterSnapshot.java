package io.zonemover.cluster;

import io.kubernetes.client.openapi.models.CoreV1Event;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1PersistentVolume;
import io.kubernetes.client.openapi.models.V1PersistentVolumeClaim;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import io.kubernetes.client.openapi.models.V1StorageClass;
import io.zonemover.domain.Placement;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Everything a diagnosis needs, read once ({@link ClusterReader}), with the indexes that let every
 * finding be computed without another API call.
 *
 * <p>{@code namespace} is the scope asked for (null: all namespaces). Pods are read cluster-wide when
 * allowed, whatever the scope, because a node's free capacity counts every pod on it; use
 * {@link #inScope(String)} to keep findings to the namespace asked for.
 *
 * <p>ConfigMaps are only zonemover's own (label {@code app.kubernetes.io/managed-by=zonemover}): the
 * records of moves in progress. {@link #notes()} says what could not be read and what that costs.
 */
public final class ClusterSnapshot {

    private final String namespace;
    private final List<V1Node> nodes;
    private final List<V1Pod> pods;
    private final List<V1PersistentVolumeClaim> claims;
    private final List<V1PersistentVolume> pvs;
    private final List<V1StorageClass> storageClasses;
    private final List<V1StatefulSet> statefulSets;
    private final List<CoreV1Event> events;
    private final List<V1ConfigMap> configMaps;
    private final List<String> notes;

    private final Map<String, V1PersistentVolumeClaim> claimByKey = new HashMap<>();
    private final Map<String, V1PersistentVolume> pvByName = new HashMap<>();
    private final Map<String, List<V1Pod>> podsByClaim = new HashMap<>();
    private final Map<String, List<CoreV1Event>> eventsByUid = new HashMap<>();
    private final Map<String, V1Node> nodeByName = new HashMap<>();
    private final Map<String, V1StorageClass> storageClassByName = new HashMap<>();
    private List<Placement.Node> placementNodes;

    public ClusterSnapshot(String namespace, List<V1Node> nodes, List<V1Pod> pods,
                           List<V1PersistentVolumeClaim> claims, List<V1PersistentVolume> pvs,
                           List<V1StorageClass> storageClasses, List<V1StatefulSet> statefulSets,
                           List<CoreV1Event> events) {
        this(namespace, nodes, pods, claims, pvs, storageClasses, statefulSets, events, List.of(), List.of());
    }

    public ClusterSnapshot(String namespace, List<V1Node> nodes, List<V1Pod> pods,
                           List<V1PersistentVolumeClaim> claims, List<V1PersistentVolume> pvs,
                           List<V1StorageClass> storageClasses, List<V1StatefulSet> statefulSets,
                           List<CoreV1Event> events, List<V1ConfigMap> configMaps, List<String> notes) {
        this.namespace = namespace;
        this.configMaps = List.copyOf(configMaps);
        this.notes = List.copyOf(notes);
        this.nodes = List.copyOf(nodes);
        this.pods = List.copyOf(pods);
        this.claims = List.copyOf(claims);
        this.pvs = List.copyOf(pvs);
        this.storageClasses = List.copyOf(storageClasses);
        this.statefulSets = List.copyOf(statefulSets);
        this.events = List.copyOf(events);
        for (V1PersistentVolumeClaim c : this.claims) {
            claimByKey.put(key(c.getMetadata().getNamespace(), c.getMetadata().getName()), c);
        }
        for (V1PersistentVolume pv : this.pvs) {
            pvByName.put(pv.getMetadata().getName(), pv);
        }
        for (V1Pod pod : this.pods) {
            for (String claim : PvFacts.claimNames(pod)) {
                podsByClaim.computeIfAbsent(key(pod.getMetadata().getNamespace(), claim), k -> new ArrayList<>(1)).add(pod);
            }
        }
        for (CoreV1Event e : this.events) {
            if (e.getInvolvedObject() != null && e.getInvolvedObject().getUid() != null) {
                eventsByUid.computeIfAbsent(e.getInvolvedObject().getUid(), k -> new ArrayList<>(2)).add(e);
            }
        }
        for (V1Node n : this.nodes) {
            nodeByName.put(n.getMetadata().getName(), n);
        }
        for (V1StorageClass sc : this.storageClasses) {
            storageClassByName.put(sc.getMetadata().getName(), sc);
        }
    }

    public static String key(String namespace, String name) {
        return namespace + "/" + name;
    }

    /** The scope asked for; null means all namespaces. */
    public String namespace() {
        return namespace;
    }

    public boolean inScope(String objectNamespace) {
        return namespace == null || namespace.equals(objectNamespace);
    }

    public List<V1Node> nodes() {
        return nodes;
    }

    public List<V1Pod> pods() {
        return pods;
    }

    public List<V1PersistentVolumeClaim> claims() {
        return claims;
    }

    public List<V1PersistentVolume> pvs() {
        return pvs;
    }

    public List<V1StorageClass> storageClasses() {
        return storageClasses;
    }

    public List<V1StatefulSet> statefulSets() {
        return statefulSets;
    }

    public List<CoreV1Event> events() {
        return events;
    }

    /** zonemover's ConfigMaps (the records of moves in progress). */
    public List<V1ConfigMap> configMaps() {
        return configMaps;
    }

    /** What could not be read, in words for the user (empty when everything was read). */
    public List<String> notes() {
        return notes;
    }

    public Optional<V1PersistentVolumeClaim> claim(String namespace, String name) {
        return Optional.ofNullable(claimByKey.get(key(namespace, name)));
    }

    public Optional<V1PersistentVolume> pv(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(pvByName.get(name));
    }

    /** The PV a claim is bound to ({@code spec.volumeName}), if it exists. */
    public Optional<V1PersistentVolume> pvOf(V1PersistentVolumeClaim claim) {
        return claim.getSpec() == null ? Optional.empty() : pv(claim.getSpec().getVolumeName());
    }

    /** Pods that mount the claim {@code namespace/name}. */
    public List<V1Pod> podsByClaim(String namespace, String name) {
        return podsByClaim.getOrDefault(key(namespace, name), List.of());
    }

    /** Events whose involvedObject.uid is this uid (so a recreated pod never inherits stale events). */
    public List<CoreV1Event> eventsFor(String uid) {
        return uid == null ? List.of() : eventsByUid.getOrDefault(uid, List.of());
    }

    public Optional<V1Node> node(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(nodeByName.get(name));
    }

    public Optional<V1StorageClass> storageClass(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(storageClassByName.get(name));
    }

    /** Every node as placement sees it, with the requests of all non-terminated pods read; computed once. */
    public synchronized List<Placement.Node> placementNodes() {
        if (placementNodes == null) {
            placementNodes = PvFacts.placementNodes(nodes, pods);
        }
        return placementNodes;
    }
}
