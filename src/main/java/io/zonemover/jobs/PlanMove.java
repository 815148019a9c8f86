package io.zonemover.jobs;

import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.state.PlanStore;
import io.zonemover.state.PlanStore.MoveState;
import org.springframework.batch.core.BatchStatus;

import java.time.Duration;
import java.util.Optional;

/**
 * Carries out one move of a plan as a single-pod move job: records the job's id in the plan first, then
 * starts it; on a later run resumes that same job (or rolls it back, as a single move would), and starts a
 * fresh one only when the earlier one was rolled back. A move whose pod is already whole in its target zone
 * is skipped, so no move is done twice.
 */
final class PlanMove {

    private final MigrationService moves;
    private final PlanStore plans;
    private final Cluster cluster;
    private final Duration readyTimeout;

    PlanMove(MigrationService moves, PlanStore plans, Cluster cluster, Duration readyTimeout) {
        this.moves = moves;
        this.plans = plans;
        this.cluster = cluster;
        this.readyTimeout = readyTimeout;
    }

    /** Runs the move to its end and records how it ended; never throws for a move that failed. */
    MoveState run(PlanStore.Move move) {
        MoveState state;
        String detail;
        try {
            MigrationService.Result result = runJob(move);
            if (result == null) {
                state = MoveState.SKIPPED;
                detail = "already in " + move.toZone();
            } else if ("COMPLETED".equals(result.status())) {
                state = MoveState.DONE;
                detail = "job " + result.jobId() + ": moved to " + move.toZone()
                        + (result.downtimeSeconds() == null ? "" : String.format(", down %.1f s", result.downtimeSeconds()));
            } else {
                state = MoveState.FAILED;
                detail = "job " + result.jobId() + " " + moves.views().status(result.jobId())
                        + (result.message() == null ? "" : ": " + result.message());
            }
        } catch (RuntimeException e) {
            state = MoveState.FAILED;
            detail = e.getMessage();
        }
        plans.ended(move.planId(), move.index(), state, detail);
        return state;
    }

    private MigrationService.Result runJob(PlanStore.Move move) {
        String id = move.jobId();
        if (id != null) {
            Optional<BatchStatus> undo = moves.views().lastExecution(MigrationJob.ROLLBACK, id).map(e -> e.getStatus());
            boolean known = moves.views().lastExecution(MigrationJob.NAME, id).isPresent();
            if (undo.isPresent() && undo.get() == BatchStatus.COMPLETED) {
                id = null;  // rolled back: this run tries the move afresh
            } else if (known) {
                // Its worker died after the job completed but before the plan recorded it: done, not resumed.
                Optional<org.springframework.batch.core.job.JobExecution> last =
                        moves.views().lastExecution(MigrationJob.NAME, id);
                if (last.get().getStatus() == BatchStatus.COMPLETED) {
                    return moves.views().result(id, last.get());
                }
                return moves.resume(id);
            }
        }
        if (alreadyThere(move)) {
            return null;
        }
        if (id == null) {
            id = MigrationService.newJobId();
        }
        plans.started(move.planId(), move.index(), id);
        ClaimRef pod = ClaimRef.parse(move.pod());
        MigrationPlan plan = moves.plan(pod, true, move.toZone(), true, null, id);
        return moves.start(id, plan, true, readyTimeout, false, null);
    }

    /** True when every EBS claim of the pod is bound to a volume in the target zone already. */
    private boolean alreadyThere(PlanStore.Move move) {
        ClaimRef set = ClaimRef.parse(move.statefulSet());
        Optional<Cluster.StatefulSet> sts = cluster.statefulSet(set.namespace(), set.name());
        if (sts.isEmpty() || sts.get().claimTemplates().isEmpty()) {
            return false;
        }
        String podName = ClaimRef.parse(move.pod()).name();
        int ordinal = Integer.parseInt(podName.substring(podName.lastIndexOf('-') + 1));
        for (String template : sts.get().claimTemplates()) {
            Optional<Cluster.Pv> pv = cluster.claim(new ClaimRef(set.namespace(), sts.get().claimName(template, ordinal)))
                    .filter(c -> c.volumeName() != null).flatMap(c -> cluster.pv(c.volumeName()));
            if (pv.isEmpty() || pv.get().ebs() && !move.toZone().equals(pv.get().zone())) {
                return false;
            }
        }
        return true;
    }
}
