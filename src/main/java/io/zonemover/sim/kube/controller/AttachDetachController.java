package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.KubeWorld;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The attach-detach controller with the EBS CSI external-attacher: one VolumeAttachment per (PV, node) that
 * a scheduled pod needs, attached through the EC2 side (which refuses a volume in another zone), retried
 * after a failure; a Multi-Attach error while the volume is attached elsewhere; and detach when no pod on
 * the node needs it any more, or at once, without waiting for EC2, when the node is out of service
 * (non-graceful node shutdown).
 *
 * <p>{@link #ATTACH_RETRY_MS} 2 min: a failed attach is retried (the attach-detach controller backs off
 * exponentially up to about 2 min 2 s).
 */
final class AttachDetachController implements Controller {

    static final long ATTACH_RETRY_MS = 2 * 60_000;

    private record Want(String pvName, String nodeName, String volumeId, String instanceId, List<ObjectNode> pods) {
    }

    private static final Map<String, String> ATTACHMENT_NAMES = new java.util.concurrent.ConcurrentHashMap<>();

    /** The external-attacher's name: csi-sha256(pv + attacher + node). */
    static String attachmentName(String pvName, String nodeName) {
        String key = pvName + KubeWorld.EBS_CSI + nodeName;
        String cached = ATTACHMENT_NAMES.get(key);
        if (cached != null) {
            return cached;
        }
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            String name = "csi-" + java.util.HexFormat.of().formatHex(d.digest(key.getBytes(StandardCharsets.UTF_8)));
            if (ATTACHMENT_NAMES.size() > 200_000) {
                ATTACHMENT_NAMES.clear();
            }
            ATTACHMENT_NAMES.put(key, name);
            return name;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void reconcile(ControllerContext ctx) {
        long now = ctx.now();
        Ec2Side ec2 = ctx.ec2();
        ObjectStore store = ctx.store();
        Map<String, Want> wanted = new LinkedHashMap<>();
        for (ObjectNode p : store.map(ResourceType.PODS).values()) {
            String nodeName = Json.text(p, "spec", "nodeName");
            if (nodeName == null || Facts.terminal(p)) {
                continue;
            }
            ObjectNode node = store.find(ResourceType.NODES, null, nodeName);
            if (node == null) {
                continue;
            }
            for (String cn : Facts.podClaims(p)) {
                ObjectNode pv = Facts.boundPv(store, store.find(ResourceType.PVCS, Json.namespace(p), cn));
                String vol = pv == null ? null : Facts.volumeId(pv);
                if (vol == null) {
                    continue;
                }
                String vaName = attachmentName(Json.name(pv), nodeName);
                wanted.computeIfAbsent(vaName, k -> new Want(Json.name(pv), nodeName, vol, Facts.instanceId(node),
                        new ArrayList<>())).pods().add(p);
            }
        }
        TreeMap<String, ObjectNode> vas = store.map(ResourceType.VOLUMEATTACHMENTS);
        Map<String, List<ObjectNode>> vasByPv = new HashMap<>();
        for (ObjectNode va : vas.values()) {
            vasByPv.computeIfAbsent(Json.text(va, "spec", "source", "persistentVolumeName"), k -> new ArrayList<>())
                    .add(va);
        }
        for (Map.Entry<String, Want> e : wanted.entrySet()) {
            Want want = e.getValue();
            ObjectNode va = vas.get(e.getKey());
            if (va == null) {
                boolean elsewhere = false;
                for (ObjectNode other : vasByPv.getOrDefault(want.pvName(), List.of())) {
                    if (!want.nodeName().equals(Json.text(other, "spec", "nodeName"))) {
                        elsewhere = true;
                    }
                }
                if (elsewhere) {
                    for (ObjectNode p : want.pods()) {
                        ctx.events().reportOnce("multiattach:" + Json.uid(p) + ":" + want.pvName(), now,
                                ResourceType.PODS, p,
                                "Warning", "FailedAttachVolume", "Multi-Attach error for volume \"" + want.pvName()
                                        + "\" Volume is already exclusively attached to one node and can't be "
                                        + "attached to another", "attachdetach-controller");
                    }
                    continue;
                }
                ObjectNode nva = Json.obj();
                ObjectNode m = nva.putObject("metadata");
                m.put("name", e.getKey());
                m.putObject("annotations").put("csi.alpha.kubernetes.io/node-id", want.instanceId());
                m.putArray("finalizers").add(KubeWorld.ATTACHER_FINALIZER);
                ObjectNode spec = nva.putObject("spec");
                spec.put("attacher", KubeWorld.EBS_CSI);
                spec.put("nodeName", want.nodeName());
                spec.putObject("source").put("persistentVolumeName", want.pvName());
                nva.putObject("status").put("attached", false);
                ObjectNode created = ctx.api().create(ResourceType.VOLUMEATTACHMENTS, null, nva, now, ec2);
                tryAttach(ctx, created, want);
                continue;
            }
            if (Json.deleting(va)) {
                continue;
            }
            JsonNode status = va.path("status");
            if (status.has("attachError")) {
                Long due = store.timer("attach:" + e.getKey());
                if (due != null && now >= due) {
                    tryAttach(ctx, va, want);
                }
            } else if (!status.path("attached").asBoolean(false)) {
                ctx.waitingOnEc2();
                if (ec2.isAttached(want.volumeId(), want.instanceId())) {
                    ObjectNode st = Json.with(va, "status");
                    st.put("attached", true);
                    st.putObject("attachmentMetadata").put("devicePath", "/dev/xvdaa");
                    store.touch(ResourceType.VOLUMEATTACHMENTS, va);
                }
            }
        }
        for (ObjectNode va : new ArrayList<>(vas.values())) {
            String name = Json.name(va);
            if (wanted.containsKey(name)) {
                continue;
            }
            ObjectNode pv = store.find(ResourceType.PVS, null, Json.text(va, "spec", "source", "persistentVolumeName"));
            ObjectNode node = store.find(ResourceType.NODES, null, Json.text(va, "spec", "nodeName"));
            String vol = pv == null ? Json.text(va, "metadata", "annotations", "zonemover.io/sim-volume-id")
                    : Facts.volumeId(pv);
            String instance = node == null ? Json.text(va, "metadata", "annotations", "csi.alpha.kubernetes.io/node-id")
                    : Facts.instanceId(node);
            if (node != null && PodGarbageCollector.outOfService(node)) {
                // Non-graceful node shutdown: the node is out of service, so the volume is detached without
                // waiting for an unmount (or an EC2 detach) that cannot happen. On the EC2 side the volume stays
                // attached to the stopped instance until its zone is back (our model, Ec2World).
                if (vol != null && instance != null && !va.path("status").has("attachError")) {
                    ec2.detach(vol, instance, now);
                }
                ctx.record(ResourceType.NODES, node, "Normal", "ForceDetach", "Volume \""
                        + Json.text(va, "spec", "source", "persistentVolumeName") + "\" force-detached from node "
                        + Json.name(node) + ", which is out of service", "attachdetach-controller");
                store.clearTimer("attach:" + name);
                ctx.api().remove(ResourceType.VOLUMEATTACHMENTS, va, now, ec2);
                continue;
            }
            if (Json.deleting(va) && vol != null && instance != null && !va.path("status").has("attachError")) {
                // A detach refused meanwhile (its zone was down) is asked again.
                ec2.detach(vol, instance, now);
            }
            if (!Json.deleting(va)) {
                if (vol != null && instance != null && !va.path("status").has("attachError")) {
                    ec2.detach(vol, instance, now);
                }
                Json.meta(va).put("deletionTimestamp", Json.time(now));
                Json.meta(va).put("deletionGracePeriodSeconds", 0);
                store.clearTimer("attach:" + name);
                store.touch(ResourceType.VOLUMEATTACHMENTS, va);
            }
            if (vol == null || instance == null || ec2.isDetachedFrom(vol, instance)) {
                ctx.api().remove(ResourceType.VOLUMEATTACHMENTS, va, now, ec2);
            } else {
                ctx.waitingOnEc2();
            }
        }
    }

    private static void tryAttach(ControllerContext ctx, ObjectNode va, Want want) {
        long now = ctx.now();
        Ec2Side ec2 = ctx.ec2();
        ObjectStore store = ctx.store();
        String err = want.instanceId() == null ? "node has no instance id" : ec2.attach(want.volumeId(),
                want.instanceId(), now);
        ObjectNode st = Json.with(va, "status");
        if (err == null) {
            st.remove("attachError");
            st.put("attached", ec2.isAttached(want.volumeId(), want.instanceId()));
            store.clearTimer("attach:" + Json.name(va));
            store.touch(ResourceType.VOLUMEATTACHMENTS, va);
            return;
        }
        String message = "rpc error: code = Internal desc = Could not attach volume \"" + want.volumeId()
                + "\" to node \"" + want.instanceId() + "\": " + err;
        ObjectNode ae = st.putObject("attachError");
        ae.put("message", message);
        ae.put("time", Json.time(now));
        st.put("attached", false);
        store.touch(ResourceType.VOLUMEATTACHMENTS, va);
        store.setTimer("attach:" + Json.name(va), now + ATTACH_RETRY_MS);
        for (ObjectNode p : want.pods()) {
            ctx.record(ResourceType.PODS, p, "Warning", "FailedAttachVolume", "AttachVolume.Attach failed for "
                    + "volume \"" + want.pvName() + "\" : " + message, "attachdetach-controller");
        }
    }
}
