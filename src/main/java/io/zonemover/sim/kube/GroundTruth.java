package io.zonemover.sim.kube;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.ec2.Ec2World;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The Kubernetes half of {@code sim show}: the cluster's ground truth in DESIGN.md's shape (fields may be
 * added, none renamed), for tests and for anyone checking what zonemover did.
 */
final class GroundTruth {

    private GroundTruth() {
    }

    /** The ground-truth view that {@code sim show} prints (DESIGN.md's shape; extra fields allowed). */
    static Map<String, Object> of(ObjectStore store, String kubernetesVersion, Ec2Side ec2) {
        Map<String, Object> out = new LinkedHashMap<>();
        Set<String> zones = new TreeSet<>();
        Map<String, String> nodeZones = new HashMap<>();
        List<Object> nodes = new ArrayList<>();
        for (ObjectNode n : store.map(ResourceType.NODES).values()) {
            String z = Facts.nodeZone(n);
            if (z != null) {
                zones.add(z);
            }
            nodeZones.put(Json.name(n), z);
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", Json.name(n));
            m.put("zone", z);
            m.put("ready", Facts.nodeReady(n));
            m.put("schedulable", !n.path("spec").path("unschedulable").asBoolean(false));
            m.put("instanceId", Facts.instanceId(n));
            nodes.add(m);
        }
        List<Object> pods = new ArrayList<>();
        for (ObjectNode p : store.map(ResourceType.PODS).values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", Json.namespace(p));
            m.put("name", Json.name(p));
            m.put("phase", Json.deleting(p) ? "Terminating" : Json.text(p, "status", "phase"));
            m.put("ready", Facts.podReady(p));
            String node = Json.text(p, "spec", "nodeName");
            m.put("node", node);
            m.put("zone", node == null ? null : nodeZones.get(node));
            // Identity and start, so a test can tell a pod that kept running from one that was replaced.
            m.put("uid", Json.text(p, "metadata", "uid"));
            m.put("startTime", Json.text(p, "status", "startTime"));
            pods.add(m);
        }
        List<Object> pvcs = new ArrayList<>();
        for (ObjectNode c : store.map(ResourceType.PVCS).values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", Json.namespace(c));
            m.put("name", Json.name(c));
            m.put("phase", Json.deleting(c) ? "Terminating" : Json.text(c, "status", "phase"));
            m.put("volumeName", Json.text(c, "spec", "volumeName"));
            m.put("storageClassName", Json.text(c, "spec", "storageClassName"));
            pvcs.add(m);
        }
        List<Object> pvs = new ArrayList<>();
        for (ObjectNode v : store.map(ResourceType.PVS).values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", Json.name(v));
            String vol = Facts.volumeId(v);
            m.put("volumeId", vol);
            String zone = Facts.pvZone(v);
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
        for (ObjectNode s : store.map(ResourceType.STATEFULSETS).values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("namespace", Json.namespace(s));
            m.put("name", Json.name(s));
            m.put("replicas", s.path("spec").path("replicas").asInt(1));
            m.put("readyReplicas", s.path("status").path("readyReplicas").asInt(0));
            m.put("deleting", Json.deleting(s));
            sts.add(m);
        }
        List<ObjectNode> evs = new ArrayList<>(store.map(ResourceType.EVENTS).values());
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
}
