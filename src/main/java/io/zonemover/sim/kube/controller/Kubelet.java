package io.zonemover.sim.kube.controller;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.zonemover.sim.kube.Ec2Side;
import io.zonemover.sim.kube.store.Facts;
import io.zonemover.sim.kube.store.Json;
import io.zonemover.sim.kube.store.ObjectStore;
import io.zonemover.sim.kube.store.ResourceType;

import java.util.ArrayList;
import java.util.List;

/**
 * The kubelets of every node: start a scheduled pod once its volumes are attached (then its containers write
 * to them), report readiness (unless a fault says the pod never becomes Ready), stop a deleted pod's
 * containers and remove it, and (as PodGC) remove pods bound to a node that no longer exists. A kubelet whose
 * node's instance is down does nothing; back up, it finishes what was asked meanwhile (a pod marked for
 * deletion goes) and its running pods are Ready and write again.
 *
 * <p>Modelled durations:
 * <ul>
 *   <li>{@link #CONTAINER_START_MS} 8 s from "all volumes attached" to Running and Ready: the kubelet's
 *   NodeStage/NodePublish of an EBS volume (a second or two: fsck/mount of an existing ext4), pulling an
 *   image already cached on the node, and starting the container and its readiness probe (a few seconds
 *   with the default 10 s probe period, first probe early). Users commonly report 5-15 s for a StatefulSet
 *   pod with an attached volume once the attach is done.</li>
 *   <li>{@link #CONTAINER_STOP_MS} 2 s from deletion to the pod object being gone (capped by the pod's
 *   terminationGracePeriodSeconds): the kubelet sends SIGTERM, nginx-style servers exit within a second or
 *   two, and the kubelet then deletes the pod with grace 0.</li>
 *   <li>A workload that reads its data before it is Ready (a database replaying its log, a cache warming up)
 *   says how much with the pod annotation {@link #START_READ_MIB} (scenarios set it on the pod template): its
 *   start then also takes the time to read that many MiB from each of its volumes, which EC2's side answers
 *   ({@code Ec2World.readMillis}: slow while a restored volume's blocks are still loading, full speed once they
 *   are). Our model: Running and Ready come together, after the read.</li>
 * </ul>
 */
public final class Kubelet implements Controller {

    public static final long CONTAINER_START_MS = 8_000;
    public static final long CONTAINER_STOP_MS = 2_000;
    public static final String START_READ_MIB = "sim.zonemover.io/start-read-mib";

    @Override
    public void reconcile(ControllerContext ctx) {
        long now = ctx.now();
        Ec2Side ec2 = ctx.ec2();
        ObjectStore store = ctx.store();
        // Readiness faults can change at any time; a running pod's readiness is re-checked only while some
        // are set, or once after they were changed, so that a large healthy world costs nothing here.
        boolean faultsChanged = ctx.takeFaultsChanged();
        boolean anyNeverReady = !ctx.faults().neverReadyPods().isEmpty() || !ctx.faults().neverReadyLabels().isEmpty()
                || faultsChanged;
        for (ObjectNode p : new ArrayList<>(store.map(ResourceType.PODS).values())) {
            String nodeName = Json.text(p, "spec", "nodeName");
            if (nodeName == null) {
                continue;
            }
            String k = ObjectStore.key(ResourceType.PODS, Json.namespace(p), Json.name(p));
            if (store.find(ResourceType.NODES, null, nodeName) == null) {
                // PodGC: pods bound to a node that no longer exists are force-deleted.
                ctx.api().remove(ResourceType.PODS, p, now, ec2);
                continue;
            }
            if (!ctx.kubeletUp(store.find(ResourceType.NODES, null, nodeName))) {
                // The node's instance is down: nothing on it starts, stops or reports. Its timers wait for it
                // (a past-due timer would keep the world's clock stepping in place); the kubelet sets them
                // again when it is back.
                store.clearTimer("stop:" + k);
                store.clearTimer("start:" + k);
                continue;
            }
            if (Json.deleting(p)) {
                Long stopAt = store.timer("stop:" + k);
                if (stopAt == null) {
                    long grace = Json.meta(p).path("deletionGracePeriodSeconds").asLong(0);
                    stopAt = now + Math.min(grace * 1000, CONTAINER_STOP_MS);
                    store.setTimer("stop:" + k, stopAt);
                }
                if (now >= stopAt && Json.noFinalizers(p)) {
                    ctx.api().remove(ResourceType.PODS, p, now, ec2);
                }
                continue;
            }
            String phase = Json.text(p, "status", "phase");
            if ("Pending".equals(phase)) {
                if (!volumesReady(ctx, p, nodeName)) {
                    continue;
                }
                Long startAt = store.timer("start:" + k);
                if (startAt == null) {
                    store.setTimer("start:" + k, now + CONTAINER_START_MS
                            + startReadMillis(store, ec2, p, now + CONTAINER_START_MS));
                    setContainerStatuses(ctx, p, "waiting", false);
                    store.touch(ResourceType.PODS, p);
                    continue;
                }
                if (now < startAt) {
                    continue;
                }
                if (ctx.faults().neverStarts(Json.namespace(p), Json.name(p))) {
                    // As with an image that cannot be pulled: the containers stay waiting, and no timer is
                    // left due (a past-due timer would keep the world's clock stepping in place).
                    store.clearTimer("start:" + k);
                    continue;
                }
                store.clearTimer("start:" + k);
                ObjectNode st = Json.with(p, "status");
                st.put("phase", "Running");
                st.put("startTime", Json.time(now));
                ObjectNode node = store.find(ResourceType.NODES, null, nodeName);
                st.put("hostIP", hostIp(node));
                st.put("podIP", podIp(ctx));
                boolean ready = !ctx.faults().neverReady(Json.namespace(p), Json.name(p), Json.labels(p));
                setContainerStatuses(ctx, p, "running", ready);
                setReadiness(ctx, p, ready);
                store.touch(ResourceType.PODS, p);
                for (String vol : Facts.podVolumeIds(store, p)) {
                    ec2.setWriting(vol, true, now);
                }
            } else if ("Running".equals(phase) && (anyNeverReady || !Facts.podReady(p))) {
                boolean ready = !ctx.faults().neverReady(Json.namespace(p), Json.name(p), Json.labels(p));
                if (!Facts.podReady(p)) {
                    // Back from a lost node (or still not ready): its containers run, and write, again.
                    for (String vol : Facts.podVolumeIds(store, p)) {
                        ec2.setWriting(vol, true, now);
                    }
                }
                if (ready != Facts.podReady(p)) {
                    setContainerStatuses(ctx, p, "running", ready);
                    setReadiness(ctx, p, ready);
                    store.touch(ResourceType.PODS, p);
                }
            }
        }
    }

    /** The time the pod's start reads take ({@link #START_READ_MIB} from each volume, read side by side). */
    private static long startReadMillis(ObjectStore store, Ec2Side ec2, ObjectNode pod, long from) {
        long mib = Json.meta(pod).path("annotations").path(START_READ_MIB).asLong(0);
        if (mib <= 0) {
            return 0;
        }
        long longest = 0;
        for (String vol : Facts.podVolumeIds(store, pod)) {
            longest = Math.max(longest, ec2.readMillis(vol, mib, from));
        }
        return longest;
    }

    private static boolean volumesReady(ControllerContext ctx, JsonNode pod, String nodeName) {
        ObjectStore store = ctx.store();
        for (String cn : Facts.podClaims(pod)) {
            ObjectNode pv = Facts.boundPv(store, store.find(ResourceType.PVCS, Json.namespace(pod), cn));
            if (pv == null) {
                return false;
            }
            if (Facts.volumeId(pv) == null) {
                continue;
            }
            ObjectNode va = store.find(ResourceType.VOLUMEATTACHMENTS, null,
                    AttachDetachController.attachmentName(Json.name(pv), nodeName));
            if (va == null || !va.path("status").path("attached").asBoolean(false)) {
                return false;
            }
        }
        return true;
    }

    private static String hostIp(JsonNode node) {
        int h = Math.abs(Json.name(node).hashCode());
        return "10.0." + (h % 250) + "." + ((h / 250) % 250 + 1);
    }

    private static String podIp(ControllerContext ctx) {
        // The counter moves once per pod IP, as it always has: worlds saved earlier keep their futures.
        long v = ObjectStore.mix(ctx.store().nextSeq() + 16);
        return "10.1." + Long.remainderUnsigned(v, 250) + "." + (Long.remainderUnsigned(v >>> 8, 250) + 1);
    }

    private static void setContainerStatuses(ControllerContext ctx, ObjectNode pod, String state, boolean ready) {
        long now = ctx.now();
        ArrayNode statuses = Json.with(pod, "status").putArray("containerStatuses");
        for (JsonNode c : pod.path("spec").path("containers")) {
            ObjectNode s = statuses.addObject();
            s.put("name", c.path("name").asText());
            s.put("image", c.path("image").asText(""));
            s.put("imageID", state.equals("running") ? "sha256:" + String.format("%064x", 0).substring(0, 56)
                    + String.format("%08x", c.path("image").asText("").hashCode()) : "");
            s.put("ready", ready);
            s.put("restartCount", 0);
            s.put("started", state.equals("running"));
            ObjectNode st = s.putObject("state");
            if (state.equals("running")) {
                st.putObject("running").put("startedAt", Json.time(now));
                long id = ObjectStore.mix(ctx.store().nextSeq() - 1);
                s.put("containerID", "containerd://" + String.format("%016x", id));
            } else {
                st.putObject("waiting").put("reason", "ContainerCreating");
            }
        }
    }

    private static void setReadiness(ControllerContext ctx, ObjectNode pod, boolean ready) {
        long now = ctx.now();
        ArrayNode conds = Json.withArray(Json.with(pod, "status"), "conditions");
        String[] types = {"PodReadyToStartContainers", "Initialized", "ContainersReady", "Ready"};
        for (String t : types) {
            String want = t.equals("ContainersReady") || t.equals("Ready") ? (ready ? "True" : "False") : "True";
            ObjectNode found = null;
            for (JsonNode c : conds) {
                if (t.equals(c.path("type").asText())) {
                    found = (ObjectNode) c;
                }
            }
            if (found == null) {
                found = conds.addObject();
                found.put("type", t);
                found.putNull("lastProbeTime");
            }
            if (!want.equals(found.path("status").asText())) {
                found.put("lastTransitionTime", Json.time(now));
            }
            found.put("status", want);
            if (want.equals("False")) {
                found.put("reason", "ContainersNotReady");
                found.put("message", "containers with unready status: [" + containerNames(pod) + "]");
            } else {
                found.remove("reason");
                found.remove("message");
            }
        }
    }

    private static String containerNames(JsonNode pod) {
        List<String> names = new ArrayList<>();
        pod.path("spec").path("containers").forEach(c -> names.add(c.path("name").asText()));
        return String.join(" ", names);
    }
}
