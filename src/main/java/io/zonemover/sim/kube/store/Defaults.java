package io.zonemover.sim.kube.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;

/** What the API server's defaulting and admission plugins add to an object on create (and on update). */
final class Defaults {

    private Defaults() {
    }

    static void onCreate(ObjectStore w, String kubernetesVersion, ResourceType type, ObjectNode o, long now,
                         Ec2Side ec2) {
        if (type == ResourceType.PODS) {
            pod(o, now);
        } else if (type == ResourceType.PVCS) {
            claim(w, o);
        } else if (type == ResourceType.PVS) {
            Json.addFinalizer(o, KubeWorld.PV_PROTECTION);
            ObjectNode spec = Json.with(o, "spec");
            if (!spec.has("persistentVolumeReclaimPolicy")) {
                spec.put("persistentVolumeReclaimPolicy", "Retain");
            }
            if (!spec.has("volumeMode")) {
                spec.put("volumeMode", "Filesystem");
            }
            ObjectNode status = o.putObject("status");
            status.put("phase", "Pending");
        } else if (type == ResourceType.NODES) {
            node(w, kubernetesVersion, o, now, ec2);
        } else if (type == ResourceType.STATEFULSETS) {
            statefulSet(o);
        } else if (type == ResourceType.STORAGECLASSES) {
            if (!o.has("reclaimPolicy")) {
                o.put("reclaimPolicy", "Delete");
            }
            if (!o.has("volumeBindingMode")) {
                o.put("volumeBindingMode", "Immediate");
            }
        } else if (type == ResourceType.VOLUMEATTACHMENTS) {
            if (!o.has("status")) {
                o.putObject("status").put("attached", false);
            }
        } else if (type == ResourceType.PDBS) {
            ObjectNode st = o.putObject("status");
            st.put("currentHealthy", 0);
            st.put("desiredHealthy", 0);
            st.put("disruptionsAllowed", 0);
            st.put("expectedPods", 0);
        } else if (type == ResourceType.EVENTS) {
            if (!o.has("count")) {
                o.put("count", 1);
            }
        } else if (type == ResourceType.NAMESPACES) {
            Json.with(o, "status").put("phase", "Active");
        }
    }

    static void onUpdate(ObjectStore w, ResourceType type, ObjectNode cur, ObjectNode next) {
        if (type == ResourceType.STATEFULSETS) {
            statefulSet(next);
        }
    }

    private static void pod(ObjectNode o, long now) {
        ObjectNode spec = Json.with(o, "spec");
        if (!spec.has("terminationGracePeriodSeconds")) {
            spec.put("terminationGracePeriodSeconds", 30);
        }
        if (!spec.has("restartPolicy")) {
            spec.put("restartPolicy", "Always");
        }
        if (!spec.has("schedulerName")) {
            spec.put("schedulerName", "default-scheduler");
        }
        if (!spec.has("dnsPolicy")) {
            spec.put("dnsPolicy", "ClusterFirst");
        }
        if (!spec.has("priority")) {
            spec.put("priority", 0);
        }
        if (!spec.has("enableServiceLinks")) {
            spec.put("enableServiceLinks", true);
        }
        // The DefaultTolerationSeconds admission plugin.
        ArrayNode tolerations = Json.withArray(spec, "tolerations");
        for (String key : new String[] {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
            boolean has = false;
            for (JsonNode t : tolerations) {
                has |= key.equals(t.path("key").asText());
            }
            if (!has) {
                ObjectNode t = tolerations.addObject();
                t.put("key", key);
                t.put("operator", "Exists");
                t.put("effect", "NoExecute");
                t.put("tolerationSeconds", 300);
            }
        }
        for (JsonNode c : spec.path("containers")) {
            ObjectNode co = (ObjectNode) c;
            if (!co.has("imagePullPolicy")) {
                co.put("imagePullPolicy", "IfNotPresent");
            }
            if (!co.has("terminationMessagePath")) {
                co.put("terminationMessagePath", "/dev/termination-log");
            }
            if (!co.has("terminationMessagePolicy")) {
                co.put("terminationMessagePolicy", "File");
            }
        }
        ObjectNode status = o.putObject("status");
        status.put("phase", "Pending");
        status.put("qosClass", "Burstable");
        if (spec.hasNonNull("nodeName")) {
            ObjectNode c = status.putArray("conditions").addObject();
            c.put("type", "PodScheduled");
            c.put("status", "True");
            c.put("lastTransitionTime", Json.time(now));
        }
    }

    private static void claim(ObjectStore w, ObjectNode o) {
        Json.addFinalizer(o, KubeWorld.PVC_PROTECTION);
        ObjectNode spec = Json.with(o, "spec");
        if (!spec.has("storageClassName") || spec.get("storageClassName").isNull()) {
            // The DefaultStorageClass admission plugin.
            String def = null;
            for (ObjectNode sc : w.map(ResourceType.STORAGECLASSES).values()) {
                java.util.Map<String, String> ann = Json.stringMap(Json.at(sc, "metadata", "annotations"));
                if ("true".equals(ann.get("storageclass.kubernetes.io/is-default-class"))
                        || "true".equals(ann.get("storageclass.beta.kubernetes.io/is-default-class"))) {
                    def = Json.name(sc);
                }
            }
            if (def != null) {
                spec.put("storageClassName", def);
            }
        }
        if (!spec.has("volumeMode")) {
            spec.put("volumeMode", "Filesystem");
        }
        o.putObject("status").put("phase", "Pending");
    }

    private static void node(ObjectStore w, String kubernetesVersion, ObjectNode o, long now, Ec2Side ec2) {
        ObjectNode meta = Json.meta(o);
        ObjectNode labels = Json.with(meta, "labels");
        String zone = KubeWorld.nodeZone(o);
        ObjectNode spec = Json.with(o, "spec");
        String pid = Json.text(spec, "providerID");
        if (zone == null && pid != null && pid.startsWith("aws:///")) {
            String[] parts = pid.substring("aws:///".length()).split("/");
            if (parts.length == 2) {
                zone = parts[0];
            }
        }
        if (zone != null) {
            for (String k : new String[] {KubeWorld.ZONE, KubeWorld.ZONE_EBS, KubeWorld.ZONE_BETA}) {
                if (!labels.has(k)) {
                    labels.put(k, zone);
                }
            }
            String region = zone.replaceAll("[a-z]$", "");
            if (!labels.has(KubeWorld.REGION)) {
                labels.put(KubeWorld.REGION, region);
            }
            if (!labels.has(KubeWorld.REGION_BETA)) {
                labels.put(KubeWorld.REGION_BETA, region);
            }
        }
        if (!labels.has("kubernetes.io/hostname")) {
            labels.put("kubernetes.io/hostname", Json.name(o));
        }
        if (!labels.has("kubernetes.io/os")) {
            labels.put("kubernetes.io/os", "linux");
        }
        if (pid == null && zone != null) {
            pid = "aws:///" + zone + "/i-" + w.newHex17();
            spec.put("providerID", pid);
        }
        ObjectNode status = Json.with(o, "status");
        ObjectNode capacity = Json.with(status, "capacity");
        if (!capacity.has("cpu")) {
            capacity.put("cpu", "2");
        }
        if (!capacity.has("memory")) {
            capacity.put("memory", "8Gi");
        }
        if (!capacity.has("pods")) {
            capacity.put("pods", "110");
        }
        ObjectNode alloc = Json.with(status, "allocatable");
        capacity.fields().forEachRemaining(e -> {
            if (!alloc.has(e.getKey())) {
                alloc.set(e.getKey(), e.getValue());
            }
        });
        if (!status.has("conditions")) {
            ArrayNode conds = status.putArray("conditions");
            ObjectNode ready = conds.addObject();
            ready.put("type", "Ready");
            ready.put("status", "True");
            ready.put("reason", "KubeletReady");
            ready.put("message", "kubelet is posting ready status");
            ready.put("lastHeartbeatTime", Json.time(now));
            ready.put("lastTransitionTime", Json.time(now));
        }
        if (!status.has("nodeInfo")) {
            ObjectNode info = status.putObject("nodeInfo");
            info.put("architecture", "amd64");
            info.put("bootID", w.newUid());
            info.put("containerRuntimeVersion", "containerd://1.7.27");
            info.put("kernelVersion", "6.1.134-152.225.amzn2023.x86_64");
            info.put("kubeProxyVersion", "v" + kubernetesVersion + ".0");
            info.put("kubeletVersion", "v" + kubernetesVersion + ".0");
            info.put("machineID", w.newUid().replace("-", ""));
            info.put("operatingSystem", "linux");
            info.put("osImage", "Amazon Linux 2023.7.20250527");
            info.put("systemUUID", w.newUid());
        }
        if (pid != null && zone != null && ec2 != null) {
            ec2.registerInstance(KubeWorld.instanceId(o), zone);
        }
    }

    private static void statefulSet(ObjectNode o) {
        ObjectNode spec = Json.with(o, "spec");
        if (!spec.has("replicas")) {
            spec.put("replicas", 1);
        }
        if (!spec.has("podManagementPolicy")) {
            spec.put("podManagementPolicy", "OrderedReady");
        }
        if (!spec.has("revisionHistoryLimit")) {
            spec.put("revisionHistoryLimit", 10);
        }
        if (!spec.has("updateStrategy")) {
            ObjectNode us = spec.putObject("updateStrategy");
            us.put("type", "RollingUpdate");
            us.putObject("rollingUpdate").put("partition", 0);
        }
        if (!spec.has("persistentVolumeClaimRetentionPolicy")) {
            ObjectNode p = spec.putObject("persistentVolumeClaimRetentionPolicy");
            p.put("whenDeleted", "Retain");
            p.put("whenScaled", "Retain");
        }
        if (!o.has("status")) {
            ObjectNode st = o.putObject("status");
            st.put("replicas", 0);
            st.put("availableReplicas", 0);
        }
    }
}
