package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ZonemoverException;

import java.time.Duration;
import java.util.Optional;

import static io.zonemover.jobs.MigrationContext.*;

/**
 * Step 8: recreates the StatefulSet from its saved manifest; it adopts the orphaned pods and creates the
 * missing one, which can only be scheduled in the target zone now. Waits for it to be Ready there; past
 * the ready timeout the step fails and the job rolls back.
 */
final class RestartStep extends MigrationStep {

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
        String namespace = ctx.claim().namespace();
        Optional<Cluster.StatefulSet> sts = cluster.statefulSet(namespace, ctx.get(STS_NAME));
        if (sts.isEmpty()) {
            cluster.createStatefulSet(ctx.get(STS_MANIFEST));
            audit(ctx, "created", "StatefulSet " + namespace + "/" + ctx.get(STS_NAME) + " created again from its saved manifest");
            return Next.CHECKPOINT;
        }
        // The ready timeout counts from when this run began waiting: a job resumed an hour after its
        // process died gets the full timeout again rather than an instant rollback.
        if (!String.valueOf(ctx.executionId()).equals(ctx.get(READY_WAIT_EXECUTION))) {
            ctx.put(READY_WAIT_STARTED, System.currentTimeMillis());
            ctx.put(READY_WAIT_EXECUTION, ctx.executionId());
            return Next.CHECKPOINT;
        }
        Optional<Cluster.Pod> pod = cluster.pod(namespace, ctx.get(POD));
        String toZone = ctx.get(TO_ZONE);
        if (pod.isPresent() && pod.get().ready() && toZone.equals(pod.get().zone())) {
            ctx.put(READY_AT, System.currentTimeMillis());
            audit(ctx, "ready", "pod " + ctx.get(POD) + " is Ready on " + pod.get().nodeName() + " in " + toZone);
            return Next.DONE;
        }
        if (pod.isPresent() && pod.get().ready()) {
            throw ZonemoverException.failed("pod " + ctx.get(POD) + " is Ready in " + pod.get().zone() + ", not in "
                    + toZone, null);
        }
        Duration timeout = Duration.ofSeconds(Long.parseLong(ctx.param(MigrationJob.PARAM_READY_TIMEOUT)));
        long waited = System.currentTimeMillis() - ctx.getLong(READY_WAIT_STARTED, System.currentTimeMillis());
        if (waited > timeout.toMillis()) {
            throw new ReadyTimeoutException("pod " + ctx.get(POD) + " was not Ready in " + toZone + " within "
                    + timeout.toSeconds() + "s (" + pod.map(MigrationPlanner::describe).orElse("absent") + ")");
        }
        report("pod " + ctx.get(POD) + ": " + pod.map(MigrationPlanner::describe).orElse("not created yet"));
        return Next.WAIT;
    }

    /** The pod did not come up in the target zone in time: the job rolls back. */
    static final class ReadyTimeoutException extends RuntimeException {
        ReadyTimeoutException(String message) {
            super(message);
        }
    }
}
