package io.zonemover.sim.kube.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.KubeWorld;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads what stored objects say, the way the controllers' shared helpers do: a node's zone and instance, a
 * PV's volume id and zone, a pod's claims and readiness, owner references. Pure reads; nothing here changes
 * an object.
 */
public final class Facts {

    private Facts() {
    }

    public static String nodeZone(JsonNode node) {
        Map<String, String> l = Json.labels(node);
        String z = l.get(KubeWorld.ZONE);
        if (z == null) {
            z = l.get(KubeWorld.ZONE_BETA);
        }
        if (z == null) {
            z = l.get(KubeWorld.ZONE_EBS);
        }
        return z;
    }

    /** Zones that have nodes, sorted. */
    public static List<String> nodeZones(ObjectStore store) {
        java.util.TreeSet<String> zones = new java.util.TreeSet<>();
        for (ObjectNode n : store.all(ResourceType.NODES)) {
            String z = nodeZone(n);
            if (z != null) {
                zones.add(z);
            }
        }
        return List.copyOf(zones);
    }

    public static String instanceId(JsonNode node) {
        String pid = Json.text(node, "spec", "providerID");
        if (pid == null) {
            return null;
        }
        int i = pid.lastIndexOf('/');
        return i >= 0 ? pid.substring(i + 1) : pid;
    }

    /** The EBS volume id of a PV: CSI volumeHandle, or the in-tree volumeID without its aws://zone/ prefix. */
    public static String volumeId(JsonNode pv) {
        String driver = Json.text(pv, "spec", "csi", "driver");
        if (KubeWorld.EBS_CSI.equals(driver)) {
            return Json.text(pv, "spec", "csi", "volumeHandle");
        }
        String id = Json.text(pv, "spec", "awsElasticBlockStore", "volumeID");
        if (id != null) {
            int i = id.lastIndexOf('/');
            return i >= 0 ? id.substring(i + 1) : id;
        }
        return null;
    }

    /** The zone a PV says it is in: nodeAffinity on a zone key, else zone labels, else the in-tree volumeID. */
    public static String pvZone(JsonNode pv) {
        JsonNode terms = Json.at(pv, "spec", "nodeAffinity", "required", "nodeSelectorTerms");
        if (terms != null) {
            for (JsonNode t : terms) {
                for (JsonNode ex : t.path("matchExpressions")) {
                    String k = ex.path("key").asText();
                    if ((k.equals(KubeWorld.ZONE) || k.equals(KubeWorld.ZONE_EBS) || k.equals(KubeWorld.ZONE_BETA))
                            && ex.path("operator").asText().equals("In") && ex.path("values").size() > 0) {
                        return ex.path("values").get(0).asText();
                    }
                }
            }
        }
        Map<String, String> l = Json.labels(pv);
        if (l.get(KubeWorld.ZONE) != null) {
            return l.get(KubeWorld.ZONE);
        }
        if (l.get(KubeWorld.ZONE_BETA) != null) {
            return l.get(KubeWorld.ZONE_BETA);
        }
        String id = Json.text(pv, "spec", "awsElasticBlockStore", "volumeID");
        if (id != null && id.startsWith("aws://") && id.split("/").length >= 4) {
            String z = id.split("/")[2];
            return z.isEmpty() ? null : z;
        }
        return null;
    }

    public static boolean podReady(JsonNode pod) {
        return conditionTrue(pod, "Ready");
    }

    public static boolean nodeReady(JsonNode node) {
        return conditionTrue(node, "Ready");
    }

    private static boolean conditionTrue(JsonNode o, String type) {
        JsonNode conds = Json.at(o, "status", "conditions");
        if (conds != null) {
            for (JsonNode c : conds) {
                if (type.equals(c.path("type").asText())) {
                    return "True".equals(c.path("status").asText());
                }
            }
        }
        return false;
    }

    /** Succeeded or Failed: the pod will not run again. */
    public static boolean terminal(JsonNode pod) {
        String phase = Json.text(pod, "status", "phase");
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** Claim names a pod mounts. */
    public static List<String> podClaims(JsonNode pod) {
        List<String> out = new ArrayList<>();
        JsonNode vols = Json.at(pod, "spec", "volumes");
        if (vols != null) {
            for (JsonNode v : vols) {
                String c = Json.text(v, "persistentVolumeClaim", "claimName");
                if (c != null) {
                    out.add(c);
                }
            }
        }
        return out;
    }

    /** EBS volume ids of a pod's bound claims. */
    public static List<String> podVolumeIds(ObjectStore store, JsonNode pod) {
        List<String> out = new ArrayList<>();
        for (String c : podClaims(pod)) {
            ObjectNode claim = store.find(ResourceType.PVCS, Json.namespace(pod), c);
            String pvName = claim == null ? null : Json.text(claim, "spec", "volumeName");
            ObjectNode pv = pvName == null ? null : store.find(ResourceType.PVS, null, pvName);
            String vol = pv == null ? null : volumeId(pv);
            if (vol != null) {
                out.add(vol);
            }
        }
        return out;
    }

    /** The bound PV of a claim when the binding is complete both ways, else null. */
    public static ObjectNode boundPv(ObjectStore store, JsonNode claim) {
        if (claim == null || !"Bound".equals(Json.text(claim, "status", "phase"))) {
            return null;
        }
        String pvName = Json.text(claim, "spec", "volumeName");
        return pvName == null ? null : store.find(ResourceType.PVS, null, pvName);
    }

    /** The live claim a PV is bound to (claimRef with a matching uid), or null. */
    public static ObjectNode claimOf(ObjectStore store, JsonNode pv) {
        JsonNode ref = Json.at(pv, "spec", "claimRef");
        if (ref == null) {
            return null;
        }
        ObjectNode c = store.find(ResourceType.PVCS, ref.path("namespace").asText(), ref.path("name").asText());
        if (c == null) {
            return null;
        }
        String uid = ref.path("uid").asText("");
        if (!uid.isEmpty() && !uid.equals(Json.uid(c))) {
            return null;
        }
        return uid.isEmpty() ? null : c;
    }

    /** The uid of the object's controlling owner, or null. */
    public static String controllerUid(JsonNode o) {
        JsonNode refs = Json.at(o, "metadata", "ownerReferences");
        if (refs != null) {
            for (JsonNode r : refs) {
                if (r.path("controller").asBoolean(false)) {
                    return r.path("uid").asText();
                }
            }
        }
        return null;
    }

    public static boolean ownedBy(JsonNode o, String uid) {
        JsonNode refs = Json.at(o, "metadata", "ownerReferences");
        if (refs != null) {
            for (JsonNode r : refs) {
                if (uid.equals(r.path("uid").asText())) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The ordinal of a StatefulSet's pod from its name ("web-3" of "web": 3), or -1. */
    public static int ordinalOf(String podName, String stsName) {
        if (podName == null || !podName.startsWith(stsName + "-")) {
            return -1;
        }
        String rest = podName.substring(stsName.length() + 1);
        if (!rest.matches("\\d{1,9}")) {
            return -1;
        }
        return Integer.parseInt(rest);
    }
}
