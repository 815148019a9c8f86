package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.Quantity;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The PV controller's binder: keeps each PV's phase true to its claimRef (Available, Bound, Released, and
 * reclaims Released volumes whose policy is Delete), binds pending claims to the PV pre-bound to them, to the
 * PV named in spec.volumeName (or says why not, as VolumeMismatch), or to the smallest matching Available PV,
 * and asks {@link EbsProvisioner} for a new volume when nothing fits.
 */
public final class PersistentVolumeBinder implements Controller {

    @Override
    public void reconcile(ControllerContext ctx) {
        ObjectStore store = ctx.store();
        Map<String, ObjectNode> claimsByUid = new HashMap<>();
        for (ObjectNode c : store.map(ResourceType.PVCS).values()) {
            claimsByUid.put(Json.uid(c), c);
        }
        // Volumes first: phase from claimRef, release and reclaim.
        for (ObjectNode v : new ArrayList<>(store.map(ResourceType.PVS).values())) {
            syncVolume(ctx, v, claimsByUid);
        }
        // Claims.
        Map<String, List<ObjectNode>> availableByClass = null;
        Map<String, List<ObjectNode>> pvsByClaimRef = null;
        for (ObjectNode c : new ArrayList<>(store.map(ResourceType.PVCS).values())) {
            String phase = Json.text(c, "status", "phase");
            if ("Bound".equals(phase)) {
                String pvName = Json.text(c, "spec", "volumeName");
                ObjectNode pv = pvName == null ? null : store.find(ResourceType.PVS, null, pvName);
                if (pv == null) {
                    Json.with(c, "status").put("phase", "Lost");
                    store.touch(ResourceType.PVCS, c);
                    ctx.record(ResourceType.PVCS, c, "Warning", "ClaimLost",
                            "Bound claim has lost its PersistentVolume. Data on the volume is lost!",
                            "persistentvolume-controller");
                }
                continue;
            }
            if (!"Pending".equals(phase) && phase != null) {
                continue;
            }
            String volumeName = Json.text(c, "spec", "volumeName");
            if (volumeName != null && !volumeName.isEmpty()) {
                syncPreboundClaim(ctx, c, volumeName);
                continue;
            }
            if (Json.deleting(c)) {
                continue;
            }
            // A PV pre-bound to this claim by claimRef is taken before any other match.
            if (pvsByClaimRef == null) {
                pvsByClaimRef = new HashMap<>();
                for (ObjectNode v : store.map(ResourceType.PVS).values()) {
                    JsonNode ref = Json.at(v, "spec", "claimRef");
                    if (ref != null) {
                        pvsByClaimRef.computeIfAbsent(ref.path("namespace").asText() + "/"
                                + ref.path("name").asText(), k -> new ArrayList<>()).add(v);
                    }
                }
            }
            ObjectNode prebound = null;
            for (ObjectNode v : pvsByClaimRef.getOrDefault(Json.namespace(c) + "/" + Json.name(c), List.of())) {
                JsonNode ref = Json.at(v, "spec", "claimRef");
                if (ref != null && ref.path("name").asText().equals(Json.name(c))
                        && ref.path("namespace").asText().equals(Json.namespace(c))
                        && (ref.path("uid").asText("").isEmpty() || ref.path("uid").asText().equals(Json.uid(c)))
                        && !Json.deleting(v) && store.find(ResourceType.PVS, null, Json.name(v)) == v) {
                    prebound = v;
                    break;
                }
            }
            if (prebound != null) {
                bind(ctx, c, prebound, false);
                continue;
            }
            String className = Json.text(c, "spec", "storageClassName");
            ObjectNode sc = className == null || className.isEmpty() ? null
                    : store.find(ResourceType.STORAGECLASSES, null, className);
            boolean wffc = sc != null && "WaitForFirstConsumer".equals(Json.text(sc, "volumeBindingMode"));
            String selectedNode = Json.text(c, "metadata", "annotations", "volume.kubernetes.io/selected-node");
            if (!wffc) {
                if (availableByClass == null) {
                    availableByClass = new HashMap<>();
                    for (ObjectNode v : store.map(ResourceType.PVS).values()) {
                        if ("Available".equals(Json.text(v, "status", "phase"))
                                && Json.at(v, "spec", "claimRef") == null
                                && !Json.deleting(v)) {
                            availableByClass.computeIfAbsent(nz(Json.text(v, "spec", "storageClassName")),
                                    k -> new ArrayList<>()).add(v);
                        }
                    }
                }
                ObjectNode match = null;
                long best = Long.MAX_VALUE;
                for (ObjectNode v : availableByClass.getOrDefault(nz(className), List.of())) {
                    if (Json.at(v, "spec", "claimRef") == null && checkVolumeSatisfyClaim(v, c) == null) {
                        long size = Quantity.units(Json.text(v, "spec", "capacity", "storage"));
                        if (size < best) {
                            best = size;
                            match = v;
                        }
                    }
                }
                if (match != null) {
                    bind(ctx, c, match, true);
                    continue;
                }
            }
            if (sc == null || "kubernetes.io/no-provisioner".equals(Json.text(sc, "provisioner"))) {
                continue;
            }
            String provisioner = Json.text(sc, "provisioner");
            if (!KubeWorld.EBS_CSI.equals(provisioner) && !KubeWorld.IN_TREE_EBS.equals(provisioner)) {
                continue;
            }
            String zone;
            if (wffc) {
                if (selectedNode == null) {
                    continue;
                }
                ObjectNode node = store.find(ResourceType.NODES, null, selectedNode);
                zone = node == null ? null : Facts.nodeZone(node);
            } else {
                zone = EbsProvisioner.chooseZoneForVolume(ctx, Json.name(c));
            }
            if (zone == null) {
                continue;
            }
            EbsProvisioner.provision(ctx, c, sc, zone);
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    private static void syncVolume(ControllerContext ctx, ObjectNode v, Map<String, ObjectNode> claimsByUid) {
        long now = ctx.now();
        Ec2Side ec2 = ctx.ec2();
        ObjectStore store = ctx.store();
        ObjectNode status = Json.with(v, "status");
        String phase = Json.text(status, "phase");
        String policy = Json.text(v, "spec", "persistentVolumeReclaimPolicy");
        // The external-provisioner keeps its finalizer only while the policy is Delete.
        if (Json.hasFinalizer(v, KubeWorld.PROVISIONER_FINALIZER) && !"Delete".equals(policy)) {
            Json.removeFinalizer(v, KubeWorld.PROVISIONER_FINALIZER);
            store.touch(ResourceType.PVS, v);
        }
        JsonNode ref = Json.at(v, "spec", "claimRef");
        String want;
        if (ref == null) {
            want = "Available";
        } else {
            String uid = ref.path("uid").asText("");
            if (uid.isEmpty()) {
                want = "Available";
            } else {
                ObjectNode c = claimsByUid.get(uid);
                if (c != null && Json.name(c).equals(ref.path("name").asText())) {
                    want = Json.name(v).equals(Json.text(c, "spec", "volumeName")) ? "Bound"
                            : "Bound".equals(phase) ? "Bound" : "Available";
                    if (!Json.name(v).equals(Json.text(c, "spec", "volumeName"))
                            && (Json.text(c, "spec", "volumeName") == null)) {
                        // Controller-side half bind: finish it from the claim's side.
                        bind(ctx, c, v, true);
                        return;
                    }
                } else {
                    want = "Released";
                }
            }
        }
        if ("Failed".equals(phase) && "Released".equals(want)) {
            return;
        }
        if (!want.equals(phase)) {
            status.put("phase", want);
            if ("Released".equals(want)) {
                status.put("lastPhaseTransitionTime", Json.time(now));
            }
            store.touch(ResourceType.PVS, v);
        }
        if ("Released".equals(want) && "Delete".equals(policy) && !Json.deleting(v)) {
            String vol = Facts.volumeId(v);
            if (vol == null || ec2.volume(vol) == null || ec2.deleteVolume(vol, now)) {
                Json.removeFinalizer(v, KubeWorld.PROVISIONER_FINALIZER);
                Json.removeFinalizer(v, KubeWorld.PV_PROTECTION);
                ctx.api().remove(ResourceType.PVS, v, now, ec2);
            } else {
                ctx.waitingOnEc2();
            }
        }
    }

    private static void syncPreboundClaim(ControllerContext ctx, ObjectNode c, String volumeName) {
        long now = ctx.now();
        ObjectStore store = ctx.store();
        ObjectNode pv = store.find(ResourceType.PVS, null, volumeName);
        if (pv == null) {
            return;
        }
        JsonNode ref = Json.at(pv, "spec", "claimRef");
        if (ref == null) {
            String why = checkVolumeSatisfyClaim(pv, c);
            if (why != null) {
                mismatch(ctx, c, volumeName, why);
                return;
            }
            bind(ctx, c, pv, false);
            return;
        }
        boolean sameName = ref.path("name").asText().equals(Json.name(c))
                && ref.path("namespace").asText().equals(Json.namespace(c));
        String uid = ref.path("uid").asText("");
        if (sameName && (uid.isEmpty() || uid.equals(Json.uid(c)))) {
            String why = checkVolumeSatisfyClaim(pv, c);
            if (why != null) {
                mismatch(ctx, c, volumeName, why);
                return;
            }
            bind(ctx, c, pv, false);
            return;
        }
        ctx.events().reportOnce("bindfail:" + Json.uid(c) + ":" + volumeName, now, ResourceType.PVCS, c, "Warning",
                "FailedBinding", "volume \"" + volumeName + "\" already bound to a different claim.",
                "persistentvolume-controller");
    }

    private static void mismatch(ControllerContext ctx, ObjectNode c, String volumeName, String why) {
        long now = ctx.now();
        ctx.events().reportOnce("mismatch:" + Json.uid(c) + ":" + volumeName + ":" + why, now, ResourceType.PVCS, c,
                "Warning",
                "VolumeMismatch", "Cannot bind to requested volume \"" + volumeName + "\": " + why,
                "persistentvolume-controller");
    }

    /** checkVolumeSatisfyClaim, in the PV controller's order; null when the volume fits. */
    private static String checkVolumeSatisfyClaim(JsonNode pv, JsonNode claim) {
        if (Json.deleting(pv)) {
            return "the volume is marked for deletion";
        }
        long want = Quantity.units(Json.text(claim, "spec", "resources", "requests", "storage"));
        long have = Quantity.units(Json.text(pv, "spec", "capacity", "storage"));
        if (have < want) {
            return "requested PV is too small";
        }
        String cc = nz(Json.text(claim, "spec", "storageClassName"));
        String vc = nz(Json.text(pv, "spec", "storageClassName"));
        if (!cc.equals(vc)) {
            return "storageClassName does not match";
        }
        String cm = Json.text(claim, "spec", "volumeMode");
        String vm = Json.text(pv, "spec", "volumeMode");
        if (!(cm == null ? "Filesystem" : cm).equals(vm == null ? "Filesystem" : vm)) {
            return "incompatible volumeMode";
        }
        Set<String> pvModes = new HashSet<>();
        Json.at(pv, "spec").path("accessModes").forEach(m -> pvModes.add(m.asText()));
        JsonNode modes = Json.at(claim, "spec", "accessModes");
        if (modes != null) {
            for (JsonNode m : modes) {
                if (!pvModes.contains(m.asText())) {
                    return "incompatible accessMode";
                }
            }
        }
        return null;
    }

    static void bind(ControllerContext ctx, ObjectNode c, ObjectNode pv, boolean byController) {
        ObjectStore store = ctx.store();
        ObjectNode spec = Json.with(pv, "spec");
        ObjectNode ref = Json.obj();
        ref.put("kind", "PersistentVolumeClaim");
        ref.put("namespace", Json.namespace(c));
        ref.put("name", Json.name(c));
        ref.put("uid", Json.uid(c));
        ref.put("apiVersion", "v1");
        ref.put("resourceVersion", Json.text(c, "metadata", "resourceVersion"));
        spec.set("claimRef", ref);
        ObjectNode pvAnn = Json.with(Json.meta(pv), "annotations");
        pvAnn.put("pv.kubernetes.io/bound-by-controller", "yes");
        if (!byController && !pvAnn.has("pv.kubernetes.io/bound-by-controller")) {
            pvAnn.remove("pv.kubernetes.io/bound-by-controller");
        }
        Json.with(pv, "status").put("phase", "Bound");
        store.touch(ResourceType.PVS, pv);
        Json.with(c, "spec").put("volumeName", Json.name(pv));
        ObjectNode ann = Json.with(Json.meta(c), "annotations");
        ann.put("pv.kubernetes.io/bind-completed", "yes");
        if (byController) {
            ann.put("pv.kubernetes.io/bound-by-controller", "yes");
        }
        ObjectNode st = Json.with(c, "status");
        st.put("phase", "Bound");
        st.set("accessModes", spec.path("accessModes").deepCopy());
        st.putObject("capacity").put("storage", Json.text(spec, "capacity", "storage"));
        store.touch(ResourceType.PVCS, c);
        ctx.events().clearReported("bindfail:" + Json.uid(c) + ":" + Json.name(pv));
    }
}
