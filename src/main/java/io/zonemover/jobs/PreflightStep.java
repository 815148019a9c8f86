package io.zonemover.jobs;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.jobs.MigrationContext.ClaimKey;
import io.zonemover.jobs.MigrationContext.Key;

/** Step 1, read only: checks again, now that the job holds the claims, what the plan shown to the user said. */
final class PreflightStep extends MigrationStep {

    static final Key TO_ZONE = new Key("toZone");
    static final Key POD = new Key("pod");
    static final Key STATEFUL_SET = new Key("statefulSet");
    static final ClaimKey OLD_PV = new ClaimKey("oldPv");
    static final ClaimKey OLD_VOLUME = new ClaimKey("oldVolumeId");
    static final ClaimKey FROM_ZONE = new ClaimKey("fromZone");
    /** A rescue's source: the completed snapshot the claim is restored from (the volume's zone is down). */
    static final ClaimKey SOURCE_SNAPSHOT = new ClaimKey("sourceSnapshotId");
    /** A rescue: the down node the pod was on, and the data-loss window (seconds). */
    static final Key DEAD_NODE = new Key("deadNode");
    static final Key DATA_LOSS_WINDOW = new Key("dataLossWindowSeconds");

    PreflightStep(MigrationServices services) {
        super(services);
    }

    @Override
    String name() {
        return "preflight";
    }

    @Override
    Next next(MigrationContext ctx) {
        if (ctx.has(TO_ZONE)) {
            return Next.DONE;
        }
        MigrationPlanner planner = new MigrationPlanner(services.cluster(), services.blockStore());
        String pod = ctx.param(MigrationJob.PARAM_POD);
        String zone = ctx.param(MigrationJob.PARAM_TO_ZONE);
        MigrationPlanner.SnapshotSource source = rescue(ctx) ? new MigrationPlanner.SnapshotSource(
                ctx.param(MigrationJob.PARAM_FROM_SNAPSHOT), Boolean.parseBoolean(ctx.param(MigrationJob.PARAM_NODE_IS_DOWN)))
                : null;
        MigrationPlan plan = pod != null ? planner.planPod(ClaimRef.parse(pod), zone, true, ctx.jobId(), source)
                : planner.plan(ctx.claim(), zone, true, ctx.jobId(), source);
        for (int i = 0; i < plan.moves().size(); i++) {
            MigrationPlan.ClaimMove move = plan.moves().get(i);
            ctx.put(MigrationContext.CLAIM_NAME, i, move.claim().name());
            ctx.put(OLD_PV, i, move.pvName());
            ctx.put(OLD_VOLUME, i, move.volumeId());
            ctx.put(FROM_ZONE, i, move.fromZone());
            if (move.sourceSnapshotId() != null) {
                ctx.put(SOURCE_SNAPSHOT, i, move.sourceSnapshotId());
            }
        }
        if (plan.deadNode() != null) {
            ctx.put(DEAD_NODE, plan.deadNode());
        }
        if (plan.dataLossWindowSeconds() != null) {
            ctx.put(DATA_LOSS_WINDOW, plan.dataLossWindowSeconds());
        }
        ctx.put(MigrationContext.CLAIM_COUNT, plan.moves().size());
        ctx.put(POD, plan.podName());
        ctx.put(STATEFUL_SET, plan.statefulSetName());
        ctx.put(TO_ZONE, plan.toZone());
        audit(ctx, "planned", "move pod " + plan.podName() + " (" + String.join(", ", plan.moves().stream()
                .map(m -> m.claim().name() + " " + m.volumeId() + " " + m.sizeGiB() + " GiB").toList()) + ") from "
                + plan.fromZone() + " to " + plan.toZone());
        return Next.DONE;
    }

    /** A rescue from snapshots: the volumes' zone is down, so they are neither read nor snapshotted. */
    static boolean rescue(MigrationContext ctx) {
        return ctx.param(MigrationJob.PARAM_FROM_SNAPSHOT) != null;
    }
}
