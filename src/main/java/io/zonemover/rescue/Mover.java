package io.zonemover.rescue;

import io.zonemover.domain.MigrationPlan;
import io.zonemover.jobs.MigrationService;

import java.time.Duration;

/**
 * What the rescuer asks of the job engine: the plan of a pod's move (read only; refuses with a
 * ZonemoverException, as {@code migrate} would) and the move itself, under a job id chosen beforehand so the
 * rescuer knows which job it is while it runs.
 */
public interface Mover {

    MigrationPlan plan(String namespace, String pod);

    MigrationService.Result move(String jobId, MigrationPlan plan);

    /** Through {@link MigrationService}, as {@code migrate --pod NS/POD --to auto --no-pre-snapshot} does. */
    static Mover of(MigrationService service, Duration readyTimeout) {
        return new Mover() {
            @Override
            public MigrationPlan plan(String namespace, String pod) {
                // No pre-snapshot: the pod is Pending, so nothing is writing; a base snapshot would only add time.
                return service.plan(new io.zonemover.domain.ClaimRef(namespace, pod), true,
                        io.zonemover.jobs.MigrationPlanner.AUTO, false, null);
            }

            @Override
            public MigrationService.Result move(String jobId, MigrationPlan plan) {
                return service.start(jobId, plan, true, readyTimeout, false, null);
            }
        };
    }
}
