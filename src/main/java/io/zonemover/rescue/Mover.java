package io.zonemover.rescue;

import io.zonemover.domain.MigrationPlan;
import io.zonemover.jobs.MigrationService;

import java.time.Duration;
import java.util.List;

/**
 * What the rescuer asks of the job engine: the plan of a pod's move (read only; refuses with a
 * ZonemoverException, as {@code migrate} would) and the move itself, under a job id chosen beforehand so the
 * rescuer knows which job it is while it runs; and the moves a rescuer started whose process died, to resume.
 */
public interface Mover {

    /** How a rescuer's moves are marked in the state (an audit action), so a later leader finds them. */
    String ORIGIN = "rescue";

    MigrationPlan plan(String namespace, String pod);

    MigrationService.Result move(String jobId, MigrationPlan plan);

    /** Moves rescuers started that no live process runs any more (a leader died mid-move), by the shared state. */
    List<MigrationService.Interrupted> interrupted();

    /** Goes on with such a move where it stood (forward, or on with its rollback), as `jobs resume` does. */
    MigrationService.Result resume(String jobId);

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
                return service.start(jobId, plan, true, readyTimeout, false, null,
                        io.zonemover.jobs.MoveOptions.DEFAULT, ORIGIN);
            }

            @Override
            public List<MigrationService.Interrupted> interrupted() {
                return service.interrupted(ORIGIN);
            }

            @Override
            public MigrationService.Result resume(String jobId) {
                return service.resume(jobId);
            }
        };
    }
}
