package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.EbsVolume;

import java.util.Optional;

import static io.zonemover.jobs.MigrationContext.*;

/**
 * Step 4: stops the pod without letting its controller recreate it. The StatefulSet is deleted with
 * propagationPolicy=Orphan (its other pods keep running), then the pod, then the step waits until the
 * volume is detached: a detached volume has been unmounted, so the final snapshot is consistent.
 */
final class QuiesceStep extends MigrationStep {

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
        String namespace = ctx.claim().namespace();
        if (!ctx.has(QUIESCE_STARTED)) {
            ctx.put(QUIESCE_STARTED, System.currentTimeMillis());
            return Next.CHECKPOINT;
        }
        Optional<Cluster.StatefulSet> sts = cluster.statefulSet(namespace, ctx.get(STS_NAME));
        if (sts.isPresent()) {
            if (!sts.get().deleting()) {
                cluster.deleteStatefulSetOrphan(namespace, ctx.get(STS_NAME));
                audit(ctx, "deleted", "StatefulSet " + namespace + "/" + ctx.get(STS_NAME)
                        + " deleted with propagationPolicy=Orphan (its other pods keep running)");
            } else {
                report("waiting for StatefulSet " + ctx.get(STS_NAME) + " to go");
            }
            return Next.WAIT;
        }
        Optional<Cluster.Pod> pod = cluster.pod(namespace, ctx.get(POD));
        if (pod.isPresent()) {
            if (!pod.get().deleting()) {
                cluster.deletePod(namespace, ctx.get(POD));
                audit(ctx, "deleted", "pod " + namespace + "/" + ctx.get(POD) + " deleted");
            } else {
                report("waiting for pod " + ctx.get(POD) + " to terminate");
            }
            return Next.WAIT;
        }
        String volumeId = ctx.get(OLD_VOLUME);
        Optional<EbsVolume> volume = services.blockStore().volume(volumeId);
        boolean attached = cluster.attachedInCluster(ctx.get(OLD_PV));
        if (attached || volume.isEmpty() || !volume.get().available()) {
            report("waiting for " + volumeId + " to detach (EC2 state " + volume.map(EbsVolume::state).orElse("unknown")
                    + (attached ? ", VolumeAttachment present" : "") + ")");
            return Next.WAIT;
        }
        audit(ctx, "detached", volumeId + " is detached (available); downtime has begun");
        return Next.DONE;
    }
}
