package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.EbsVolume;
import io.zonemover.jobs.MigrationContext.Key;

import java.util.List;
import java.util.Optional;

import static io.zonemover.jobs.PreflightStep.OLD_VOLUME;
import static io.zonemover.jobs.PreflightStep.POD;
import static io.zonemover.jobs.PreflightStep.STATEFUL_SET;

/**
 * Step 4: stops the pod without letting its controller recreate it. The StatefulSet is deleted with
 * propagationPolicy=Orphan (its other pods keep running), then the pod, then the step waits until each of its
 * volumes is detaching or detached in EC2. Not until it is detached: the attach-detach controller starts a detach
 * only once the node no longer reports the volume in use, that is once the kubelet has unmounted the device
 * (reconciler.go: "Cannot detach volume because it is still mounted"), so a volume in {@code detaching} holds
 * a cleanly unmounted filesystem and the final snapshot of it is consistent; waiting for the detach to finish
 * would only add its seconds to the downtime. (The exceptions, a force-detach from an unhealthy node after its
 * timeout or the out-of-service taint, are the rescue's, which does not snapshot the old volumes.) The pod object
 * going away is not enough: the kubelet deletes it once the pod's own mounts are gone, before the device's.
 * Undo: the StatefulSet is created again from its saved manifest.
 */
final class QuiesceStep extends MigrationStep {

    /** When the pod was about to be stopped (epoch millis): the downtime counts from here. */
    static final Key STARTED = new Key("quiesceStartedAt");
    /**
     * Kubernetes' non-graceful node shutdown: on a node with this taint, pods are force-deleted and their
     * volumes detached without the kubelet (GA in 1.28). The one way to free a pod from a node that is down.
     */
    static final String OUT_OF_SERVICE = "node.kubernetes.io/out-of-service";

    QuiesceStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "quiesce";
    }

    @Override
    Next next(MigrationContext ctx) {
        Cluster cluster = services.cluster();
        String namespace = ctx.namespace();
        if (!ctx.has(STARTED)) {
            ctx.put(STARTED, System.currentTimeMillis());
            return Next.CHECKPOINT;
        }
        Next stopping = stopController(ctx, cluster, this);
        if (stopping != null) {
            return stopping;
        }
        if (PreflightStep.rescue(ctx)) {
            return releaseFromDeadNode(ctx, cluster);
        }
        stopping = stopPod(ctx, cluster, this);
        if (stopping != null) {
            return stopping;
        }
        // The pod object is gone: its kubelet removes it only once its volumes are unmounted from the pod. EC2 is
        // asked from here: the detach that follows starts only once the node has unmounted the device too.
        List<String> ids = ctx.all(OLD_VOLUME);
        List<EbsVolume> volumes = services.blockStore().volumes(ids);
        for (String id : ids) {
            Optional<EbsVolume> volume = volumes.stream().filter(v -> v.id().equals(id)).findFirst();
            if (volume.isEmpty() || !volume.get().released()) {
                report("waiting for " + id + " to be unmounted and detaching (EC2 state "
                        + volume.map(EbsVolume::state).orElse("unknown") + ")");
                return Next.WAIT;
            }
        }
        audit(ctx, "released", String.join(", ", ids) + (ids.size() == 1 ? " is" : " are")
                + " unmounted and detaching or detached: nothing writes to " + (ids.size() == 1 ? "it" : "them")
                + " any more");
        return Next.DONE;
    }

    /**
     * A rescue: the pod's node is down (checked at preflight), so its kubelet cannot stop it and its volumes
     * cannot be detached. The node gets the out-of-service taint, Kubernetes force-deletes the pod, and the
     * step waits until it is gone. The old volumes are not waited for: they are never read again.
     */
    private Next releaseFromDeadNode(MigrationContext ctx, Cluster cluster) {
        Optional<Cluster.Pod> pod = cluster.pod(ctx.namespace(), ctx.get(POD));
        String node = ctx.get(PreflightStep.DEAD_NODE);
        if (pod.isEmpty()) {
            audit(ctx, "released", "pod " + ctx.get(POD) + " is gone; the rescue restores from snapshots");
            return Next.DONE;
        }
        if (node != null && node.equals(pod.get().nodeName())) {
            Optional<Cluster.Node> n = cluster.node(node);
            if (n.isPresent() && n.get().taints().stream().noneMatch(t -> t.startsWith(OUT_OF_SERVICE))) {
                cluster.taintNode(node, OUT_OF_SERVICE, "nodeshutdown", "NoExecute");
                audit(ctx, "tainted", "node " + node + " tainted " + OUT_OF_SERVICE + "=nodeshutdown:NoExecute "
                        + "(non-graceful node shutdown): Kubernetes force-deletes its pods. Remove the taint once the "
                        + "node is back and verified");
                return Next.WAIT;
            }
        } else if (!pod.get().deleting()) {
            cluster.deletePod(ctx.namespace(), ctx.get(POD));
        }
        report("waiting for pod " + ctx.get(POD) + " to be force-deleted from node " + pod.get().nodeName());
        return Next.WAIT;
    }

    /**
     * Deletes the StatefulSet with propagationPolicy=Orphan. Null once it is gone; while it is not, AGAIN right
     * after the delete (an orphaning delete is usually over at once), WAIT afterwards.
     */
    static Next stopController(MigrationContext ctx, Cluster cluster, MigrationStep step) {
        String name = ctx.get(STATEFUL_SET);
        Optional<Cluster.StatefulSet> sts = cluster.statefulSet(ctx.namespace(), name);
        if (sts.isEmpty()) {
            return null;
        }
        if (!sts.get().deleting()) {
            cluster.deleteStatefulSetOrphan(ctx.namespace(), name);
            step.audit(ctx, "deleted", "StatefulSet " + ctx.namespace() + "/" + name
                    + " deleted with propagationPolicy=Orphan (its other pods keep running)");
            return Next.AGAIN;
        }
        step.report("waiting for StatefulSet " + name + " to go");
        return Next.WAIT;
    }

    /** Deletes the pod. Null once it is gone; while it is not, AGAIN right after the delete, WAIT afterwards. */
    static Next stopPod(MigrationContext ctx, Cluster cluster, MigrationStep step) {
        String pod = ctx.get(POD);
        Optional<Cluster.Pod> found = cluster.pod(ctx.namespace(), pod);
        if (found.isEmpty()) {
            return null;
        }
        if (!found.get().deleting()) {
            cluster.deletePod(ctx.namespace(), pod);
            step.audit(ctx, "deleted", "pod " + ctx.namespace() + "/" + pod + " deleted");
            return Next.AGAIN;
        }
        step.report("waiting for pod " + pod + " to terminate");
        return Next.WAIT;
    }

    @Override
    Next undo(MigrationContext ctx) {
        if (!ctx.has(STARTED)) {
            return Next.DONE;
        }
        Cluster cluster = services.cluster();
        Optional<Cluster.StatefulSet> sts = cluster.statefulSet(ctx.namespace(), ctx.get(STATEFUL_SET));
        if (sts.isPresent() && sts.get().deleting()) {
            report("waiting for StatefulSet " + ctx.get(STATEFUL_SET) + " to go before creating it again");
            return Next.WAIT;
        }
        if (sts.isEmpty()) {
            cluster.createStatefulSet(ctx.get(ProtectStep.STS_MANIFEST), null);
            audit(ctx, "created", "StatefulSet " + ctx.namespace() + "/" + ctx.get(STATEFUL_SET) + " restored");
        }
        return Next.DONE;
    }
}
