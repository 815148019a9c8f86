package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.jobs.MigrationContext.Key;

import java.time.Duration;
import java.util.Optional;

import static io.zonemover.jobs.PreflightStep.OLD_PV;
import static io.zonemover.jobs.PreflightStep.POD;
import static io.zonemover.jobs.PreflightStep.STATEFUL_SET;
import static io.zonemover.jobs.PreflightStep.TO_ZONE;

/**
 * Step 8: recreates the StatefulSet from its saved manifest, with updateStrategy OnDelete so that a revision
 * change cannot restart its other pods; it adopts the orphaned pods and creates the missing one, which can
 * only be scheduled in the target zone now. Once that pod has run there, the move is past its point of no
 * return. Past the ready timeout, a pod that never ran makes the move roll back; one that ran does not.
 * Undo: stops whatever uses the claims again (StatefulSet orphan-deleted, pod deleted).
 */
final class RestartStep extends MigrationStep {

    static final String ON_DELETE = "{\"type\":\"OnDelete\"}";
    /** When the pod was first seen to have run on its new volumes (epoch millis): the point of no return. */
    static final Key RAN_ON_NEW_VOLUMES = new Key("ranOnNewVolumesAt");
    static final Key READY_AT = new Key("readyAt");
    private static final Key WAIT_STARTED = new Key("readyWaitStartedAt");
    private static final Key WAIT_EXECUTION = new Key("readyWaitExecution");

    RestartStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "restart";
    }

    @Override
    Next next(MigrationContext ctx) {
        Cluster cluster = services.cluster();
        String namespace = ctx.namespace();
        Optional<Cluster.StatefulSet> sts = cluster.statefulSet(namespace, ctx.get(STATEFUL_SET));
        if (sts.isEmpty()) {
            cluster.createStatefulSet(ctx.get(ProtectStep.STS_MANIFEST), ON_DELETE);
            audit(ctx, "created", "StatefulSet " + namespace + "/" + ctx.get(STATEFUL_SET) + " created again from its "
                    + "saved manifest, with updateStrategy OnDelete until its revision is seen unchanged");
            return Next.CHECKPOINT;
        }
        // The ready timeout counts from when this run began waiting: a job resumed an hour after its
        // process died gets the full timeout again rather than an instant rollback.
        if (!String.valueOf(ctx.executionId()).equals(ctx.get(WAIT_EXECUTION))) {
            ctx.put(WAIT_STARTED, System.currentTimeMillis());
            ctx.put(WAIT_EXECUTION, ctx.executionId());
            return Next.CHECKPOINT;
        }
        Optional<Cluster.Pod> pod = cluster.pod(namespace, ctx.get(POD));
        String toZone = ctx.get(TO_ZONE);
        boolean inTarget = pod.isPresent() && toZone.equals(pod.get().zone());
        if (inTarget && pod.get().started() && !ctx.has(RAN_ON_NEW_VOLUMES)) {
            ctx.put(RAN_ON_NEW_VOLUMES, System.currentTimeMillis());
            audit(ctx, "running", "pod " + ctx.get(POD) + " runs on its new volumes in " + toZone
                    + ": from here on nothing moves it back automatically");
            return Next.CHECKPOINT;
        }
        if (inTarget && pod.get().ready()) {
            ctx.put(READY_AT, System.currentTimeMillis());
            audit(ctx, "ready", "pod " + ctx.get(POD) + " is Ready on " + pod.get().nodeName() + " in " + toZone);
            return Next.DONE;
        }
        if (pod.isPresent() && pod.get().ready()) {
            throw ZonemoverException.failed("pod " + ctx.get(POD) + " is Ready in " + pod.get().zone() + ", not in "
                    + toZone, null);
        }
        Duration timeout = Duration.ofSeconds(Long.parseLong(ctx.param(MigrationJob.PARAM_READY_TIMEOUT)));
        long waited = System.currentTimeMillis() - ctx.getLong(WAIT_STARTED, System.currentTimeMillis());
        if (waited > timeout.toMillis()) {
            String state = pod.map(MigrationPlanner::describe).orElse("absent");
            if (ctx.has(RAN_ON_NEW_VOLUMES)) {
                throw new StepFailure("pod " + ctx.get(POD) + " ran on its new volumes but was not Ready within "
                        + timeout.toSeconds() + "s (" + state + "); it is left there, since moving it back would drop "
                        + "what it wrote. Fix the pod, then `zonemover jobs resume " + ctx.jobId() + "`", null);
            }
            throw new StepFailure("pod " + ctx.get(POD) + " was not Ready in " + toZone + " within "
                    + timeout.toSeconds() + "s (" + state + ")", null);
        }
        report("pod " + ctx.get(POD) + ": " + pod.map(MigrationPlanner::describe).orElse("not created yet"));
        return Next.WAIT;
    }

    @Override
    Next undo(MigrationContext ctx) {
        Cluster cluster = services.cluster();
        boolean allOnOld = true;
        for (int i = 0; i < ctx.claimCount(); i++) {
            Optional<Cluster.Claim> claim = cluster.claim(ctx.claimAt(i));
            allOnOld &= claim.isPresent() && ctx.get(OLD_PV, i).equals(claim.get().volumeName());
        }
        if (!ctx.has(QuiesceStep.STARTED) || allOnOld) {
            return Next.DONE;
        }
        // Nothing may use the claims while they are replaced: no controller, no pod.
        Next stopping = QuiesceStep.stopController(ctx, cluster, this);
        if (stopping == null) {
            stopping = QuiesceStep.stopPod(ctx, cluster, this);
        }
        return stopping != null ? stopping : Next.DONE;
    }
}
