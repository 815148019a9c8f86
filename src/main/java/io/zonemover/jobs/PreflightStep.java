package io.zonemover.jobs;

import io.zonemover.domain.MigrationPlan;

import static io.zonemover.jobs.MigrationContext.*;

/** Step 1, read only: checks again, now that the job owns the claim, what the plan shown to the user said. */
final class PreflightStep extends MigrationStep {

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
        MigrationPlan plan = new MigrationPlanner(services.cluster(), services.blockStore())
                .plan(ctx.claim(), ctx.param(MigrationJob.PARAM_TO_ZONE), true, ctx.jobId());
        ctx.put(FROM_ZONE, plan.fromZone());
        ctx.put(TO_ZONE, plan.toZone());
        ctx.put(OLD_PV, plan.pvName());
        ctx.put(OLD_VOLUME, plan.volumeId());
        ctx.put(POD, plan.podName());
        ctx.put(STS_NAME, plan.statefulSetName());
        audit(ctx, "planned", "move " + plan.claim() + " (" + plan.volumeId() + ", " + plan.sizeGiB() + " GiB) from "
                + plan.fromZone() + " to " + plan.toZone());
        return Next.DONE;
    }
}
