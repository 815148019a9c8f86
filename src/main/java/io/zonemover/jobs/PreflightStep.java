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
        MigrationPlan plan = pod != null ? planner.planPod(ClaimRef.parse(pod), zone, true, ctx.jobId())
                : planner.plan(ctx.claim(), zone, true, ctx.jobId());
        for (int i = 0; i < plan.moves().size(); i++) {
            MigrationPlan.ClaimMove move = plan.moves().get(i);
            ctx.put(MigrationContext.CLAIM_NAME, i, move.claim().name());
            ctx.put(OLD_PV, i, move.pvName());
            ctx.put(OLD_VOLUME, i, move.volumeId());
            ctx.put(FROM_ZONE, i, move.fromZone());
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
}
