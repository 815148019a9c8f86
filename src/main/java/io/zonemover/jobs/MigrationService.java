package io.zonemover.jobs;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.state.MigrationStore;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.stereotype.Service;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The use cases behind `migrate` and `jobs ...`: plan, start, resume, roll back, adopt. */
@Service
public class MigrationService {

    /** How a run ended, for the summary and `-o json`. */
    public record Result(String jobId, String status, String outcome, String claim, String pod, String fromZone,
                         String toZone, String oldVolumeId, String newVolumeId, List<ClaimResult> claims,
                         Double downtimeSeconds, Long dataLossWindowSeconds, String message, String warning,
                         List<JobViews.StepTiming> steps) {
    }

    /** @param fromSnapshot for a rescue, the snapshot the new volume started from */
    public record ClaimResult(String claim, String oldVolumeId, String newVolumeId, String fromSnapshot) {
    }

    private final JobOperator operator;
    private final Job migrate;
    private final Job rollback;
    private final MigrationStore store;
    private final MigrationServices services;
    private final JobViews views;

    public MigrationService(JobOperator operator, @Qualifier("migrationJob") Job migrate,
                            @Qualifier("rollbackJob") Job rollback, MigrationStore store, MigrationServices services) {
        this.operator = operator;
        this.migrate = migrate;
        this.rollback = rollback;
        this.store = store;
        this.services = services;
        this.views = new JobViews(services.repository(), store);
    }

    public JobViews views() {
        return views;
    }

    /** The plan for the pod behind a claim ({@code pod == false}) or for a pod named NAMESPACE/POD. */
    /** With a snapshot source (not null), the plan of a rescue from snapshots: the volumes' zone is down. */
    public MigrationPlan plan(ClaimRef ref, boolean pod, String toZone, boolean preSnapshot,
                              MigrationPlanner.SnapshotSource source) {
        return plan(ref, pod, toZone, preSnapshot, source, null);
    }

    /** As above; locks already held by job {@code ownJobId} (a plan's move started before a crash) are its own. */
    public MigrationPlan plan(ClaimRef ref, boolean pod, String toZone, boolean preSnapshot,
                              MigrationPlanner.SnapshotSource source, String ownJobId) {
        MigrationPlanner planner = new MigrationPlanner(services.cluster(), services.blockStore());
        MigrationPlan plan = pod ? planner.planPod(ref, toZone, preSnapshot, ownJobId, source)
                : planner.plan(ref, toZone, preSnapshot, ownJobId, source);
        for (MigrationPlan.ClaimMove move : plan.moves()) {
            store.lockHolder(move.claim().toString()).filter(holder -> !holder.equals(ownJobId)).ifPresent(holder -> {
                throw ZonemoverException.refused("claim " + move.claim() + " is locked by job " + holder + " ("
                        + views.status(holder) + "); `zonemover jobs resume " + holder + "` or `zonemover jobs rollback "
                        + holder + "`");
            });
        }
        return plan;
    }

    /**
     * Takes every claim of the plan (the state database's lock, then the claims' annotations by
     * compare-and-set), and only then creates and runs the job: a move that loses a race is refused having
     * changed nothing and left no job behind.
     */
    public Result start(MigrationPlan plan, boolean byPod, Duration readyTimeout, boolean keepRetain,
                        MigrationPlanner.SnapshotSource source) {
        return start(newJobId(), plan, byPod, readyTimeout, keepRetain, source, MoveOptions.DEFAULT);
    }

    /** Starts a move with these {@link MoveOptions} (pre-copy rounds, the new volumes' initialization). */
    public Result start(MigrationPlan plan, boolean byPod, Duration readyTimeout, boolean keepRetain,
                        MigrationPlanner.SnapshotSource source, MoveOptions options) {
        return start(newJobId(), plan, byPod, readyTimeout, keepRetain, source, options);
    }

    /** A new move's id: {@code zm-} and six hex digits. */
    public static String newJobId() {
        return "zm-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
    }

    /**
     * Starts the move under a given id: a plan records its move's id before starting it, so that a resume
     * after a crash finds the same move (and its locks) whatever moment the crash hit.
     */
    public Result start(String id, MigrationPlan plan, boolean byPod, Duration readyTimeout, boolean keepRetain,
                        MigrationPlanner.SnapshotSource source) {
        return start(id, plan, byPod, readyTimeout, keepRetain, source, MoveOptions.DEFAULT);
    }

    public Result start(String id, MigrationPlan plan, boolean byPod, Duration readyTimeout, boolean keepRetain,
                        MigrationPlanner.SnapshotSource source, MoveOptions options) {
        return start(id, plan, byPod, readyTimeout, keepRetain, source, options, null);
    }

    /**
     * As above, the move recorded as started by {@code origin} (an audit entry of that action, written before
     * the job runs), so that {@link #interrupted} finds it should its process die.
     */
    public Result start(String id, MigrationPlan plan, boolean byPod, Duration readyTimeout, boolean keepRetain,
                        MigrationPlanner.SnapshotSource source, MoveOptions options, String origin) {
        List<ClaimRef> claims = plan.moves().stream().map(MigrationPlan.ClaimMove::claim).toList();
        ClaimLocks.take(services, claims, id, views::status);
        if (store.find(id).isEmpty()) {
            store.create(id, plan.claim().toString(), plan.fromZone(), plan.toZone(), plan.volumeId());
        }
        store.audit(id, null, "started", "move pod " + plan.podName() + " (" + claims.size() + " claim(s)) to "
                + plan.toZone());
        if (origin != null) {
            store.audit(id, null, origin, "started by zonemover " + origin);
        }
        services.progress().report("job", "job " + id + " started (`zonemover jobs show " + id + "` to watch it)");
        JobParametersBuilder params = new JobParametersBuilder()
                .addString(MigrationJob.PARAM_ID, id, true)
                .addString(MigrationJob.PARAM_CLAIM, plan.claim().toString(), false)
                .addString(MigrationJob.PARAM_TO_ZONE, plan.toZone(), false)
                .addString(MigrationJob.PARAM_PRE_SNAPSHOT, String.valueOf(plan.preSnapshot()), false)
                .addString(MigrationJob.PARAM_READY_TIMEOUT, String.valueOf(readyTimeout.toSeconds()), false)
                .addString(MigrationJob.PARAM_KEEP_RETAIN, String.valueOf(keepRetain), false);
        if (options.preSnapshotRounds() > 1) {
            params.addString(MigrationJob.PARAM_PRE_SNAPSHOT_ROUNDS, String.valueOf(options.preSnapshotRounds()), false);
        }
        if (options.volumeInitializationRate() != null) {
            params.addString(MigrationJob.PARAM_INIT_RATE, String.valueOf(options.volumeInitializationRate()), false);
        }
        if (options.fastSnapshotRestore()) {
            params.addString(MigrationJob.PARAM_FAST_RESTORE, "true", false);
        }
        if (source != null) {
            params.addString(MigrationJob.PARAM_FROM_SNAPSHOT, source.spec(), false);
            params.addString(MigrationJob.PARAM_NODE_IS_DOWN, String.valueOf(source.nodeIsDown()), false);
        }
        if (byPod) {
            params.addString(MigrationJob.PARAM_POD, plan.statefulSetNamespace() + "/" + plan.podName(), false);
        }
        JobParameters parameters = params.toJobParameters();
        return runOwned(id, () -> rollBackIfRequested(id, operator.start(migrate, parameters)));
    }

    /** A move that no live process runs and that has not ended: its last runner's lease lapsed. */
    public record Interrupted(String jobId, String claim, String pod) {
    }

    /**
     * The moves started by {@code origin} (see {@link #start}) that have not ended and whose runner's lease has
     * lapsed (by the database's clock): what a process sharing this state may resume. Moves that ended, failed
     * or were rolled back are not among them.
     */
    public List<Interrupted> interrupted(String origin) {
        List<Interrupted> out = new java.util.ArrayList<>();
        for (MigrationStore.Migration m : store.all()) {
            if (m.outcome() != null && !"ROLLING_BACK".equals(m.outcome())) {
                continue;
            }
            if (store.auditTrail(m.id()).stream().noneMatch(a -> origin.equals(a.action()))
                    || store.owner(m.id()).map(MigrationStore.Owner::live).orElse(false)) {
                continue;
            }
            Optional<JobExecution> last = views.lastExecution(MigrationJob.NAME, m.id());
            if (last.isEmpty() || last.get().getStatus() == BatchStatus.COMPLETED) {
                continue;
            }
            out.add(new Interrupted(m.id(), m.claim(), last.get().getJobParameters().getString(MigrationJob.PARAM_POD)));
        }
        return out;
    }

    public Result resume(String id) {
        JobExecution last = views.lastExecution(MigrationJob.NAME, id).orElseThrow(() -> noJob(id));
        Optional<JobExecution> undo = views.lastExecution(MigrationJob.ROLLBACK, id);
        if (undo.isPresent()) {
            if (undo.get().getStatus() == BatchStatus.COMPLETED) {
                throw ZonemoverException.refused("job " + id + " was rolled back; start a new `zonemover migrate`");
            }
            return runOwned(id, () -> afterRollback(id, operator.restart(recovered(undo.get()))));
        }
        if (last.getStatus() == BatchStatus.COMPLETED) {
            throw ZonemoverException.refused("job " + id + " already completed; nothing to resume");
        }
        MigrationContext ctx = new MigrationContext(last, services.repository());
        if (ctx.has(MigrationStep.ROLLBACK_REQUESTED) && !ctx.has(RestartStep.RAN_ON_NEW_VOLUMES)) {
            return runOwned(id, () -> startRollback(id, ctx.claim().toString(), false));
        }
        return runOwned(id, () -> {
            JobExecution execution = recovered(last);
            store.audit(id, null, "resumed", "resumed from step " + JobViews.currentStep(execution));
            return rollBackIfRequested(id, operator.restart(execution));
        });
    }

    /**
     * Rolls the move back to the state before it, as a checkpointed job of its own. Refused after the pod
     * has run on its new volumes, unless the writes it made since are to be dropped.
     */
    public Result rollback(String id, boolean discardNewWrites) {
        JobExecution last = views.lastExecution(MigrationJob.NAME, id).orElseThrow(() -> noJob(id));
        if (last.getStatus() == BatchStatus.COMPLETED) {
            throw ZonemoverException.refused("job " + id + " completed; rolling back now would discard what the pod "
                    + "wrote to the new volumes since. Move it again with `zonemover migrate` instead");
        }
        MigrationContext ctx = new MigrationContext(last, services.repository());
        if (ctx.has(RestartStep.RAN_ON_NEW_VOLUMES) && !discardNewWrites) {
            throw ZonemoverException.refused("pod " + ctx.get(PreflightStep.POD) + " has run on its new volumes; rolling "
                    + "back would drop what it wrote since. Resume forward with `zonemover jobs resume " + id + "`, or "
                    + "pass --discard-new-writes if losing those writes is intended");
        }
        Optional<JobExecution> undo = views.lastExecution(MigrationJob.ROLLBACK, id);
        if (undo.isPresent() && undo.get().getStatus() == BatchStatus.COMPLETED) {
            return views.result(id, undo.get());
        }
        return runOwned(id, () -> {
            if (last.isRunning()) {
                operator.recover(last);
            }
            return undo.isPresent() ? afterRollback(id, operator.restart(recovered(undo.get())))
                    : startRollback(id, ctx.claim().toString(), false);
        });
    }

    /**
     * Takes over a move interrupted on another machine (or with another state database), from its record in
     * the cluster, and finishes or rolls it back as that machine would have.
     */
    public Result adopt(ClaimRef claimRef) {
        var claim = services.cluster().claim(claimRef).orElseThrow(() ->
                ZonemoverException.badInput("claim " + claimRef + " not found"));
        String id = claim.annotations().get(Tags.MIGRATION_ANNOTATION);
        if (id == null) {
            throw ZonemoverException.refused("no move holds claim " + claimRef + " (no " + Tags.MIGRATION_ANNOTATION
                    + " annotation); nothing to adopt");
        }
        if (views.lastExecution(MigrationJob.NAME, id).isPresent()) {
            return resume(id);
        }
        MoveRecord.Saved saved = new MoveRecord(services).read(claimRef.namespace(), id).orElseThrow(() ->
                ZonemoverException.refused("claim " + claimRef + " is held by move " + id + " but its record (ConfigMap "
                        + claimRef.namespace() + "/" + MoveRecord.name(id) + ") is gone; check `zonemover diagnose`"));
        Map<String, Object> summary = saved.summary();
        String fromZone = String.valueOf(summary.get("fromZone"));
        String toZone = String.valueOf(summary.get("toZone"));
        @SuppressWarnings("unchecked")
        List<String> oldVolumes = (List<String>) summary.getOrDefault("oldVolumeIds", List.of());
        String primary = saved.parameters().get(MigrationJob.PARAM_CLAIM);
        store.create(id, primary, fromZone, toZone, oldVolumes.isEmpty() ? null : oldVolumes.get(0));
        @SuppressWarnings("unchecked")
        List<String> claims = (List<String>) summary.getOrDefault("claims", List.of());
        claims.forEach(c -> store.lockClaim(claimRef.namespace() + "/" + c, id));
        store.audit(id, null, "adopted", "adopted from the record in the cluster (step " + summary.get("step") + ")");
        boolean rollingBack = "rollback".equals(summary.get("step"));
        return runOwned(id, () -> {
            if (rollingBack) {
                return startRollback(id, primary, true);
            }
            JobParametersBuilder params = new JobParametersBuilder();
            saved.parameters().forEach((k, v) -> params.addString(k, v, k.equals(MigrationJob.PARAM_ID)));
            params.addString(MigrationJob.PARAM_ADOPT, "true", false);
            return rollBackIfRequested(id, operator.start(migrate, params.toJobParameters()));
        });
    }

    /** A move that failed for a real reason before its pod ran on the new volumes is rolled back at once. */
    private JobExecution rollBackIfRequested(String id, JobExecution execution) throws Exception {
        // A job taken over by another process is that process's to roll back or finish.
        store.checkStillOwner(id);
        MigrationContext ctx = new MigrationContext(execution, services.repository());
        if (execution.getStatus() != BatchStatus.FAILED || !ctx.has(MigrationStep.ROLLBACK_REQUESTED)
                || ctx.has(RestartStep.RAN_ON_NEW_VOLUMES)) {
            if (execution.getStatus() == BatchStatus.FAILED) {
                store.setOutcome(id, "FAILED", null);
            }
            return execution;
        }
        store.audit(id, null, "rolling-back", "rolling back: " + ctx.get(MigrationStep.ROLLBACK_REQUESTED));
        services.progress().report("rollback", "rolling back: " + ctx.get(MigrationStep.ROLLBACK_REQUESTED));
        return startRollback(id, ctx.claim().toString(), false);
    }

    private JobExecution startRollback(String id, String claim, boolean adopt) throws Exception {
        store.setOutcome(id, "ROLLING_BACK", null);
        JobParameters params = new JobParametersBuilder()
                .addString(MigrationJob.PARAM_ID, id, true)
                .addString(MigrationJob.PARAM_CLAIM, claim, false)
                .addString(MigrationJob.PARAM_ADOPT, String.valueOf(adopt), false)
                .toJobParameters();
        return afterRollback(id, operator.start(rollback, params));
    }

    private JobExecution afterRollback(String id, JobExecution execution) {
        if (execution.getStatus() != BatchStatus.COMPLETED) {
            store.setOutcome(id, "ROLLBACK_FAILED", null);
        }
        return execution;
    }

    /** A run left STARTED by a process that died is marked failed, so Batch lets it restart. */
    private JobExecution recovered(JobExecution execution) {
        return execution.isRunning() ? operator.recover(execution) : execution;
    }

    /** Runs with this process recorded as the job's owner, heartbeating, so no one else resumes it meanwhile. */
    private Result runOwned(String id, OwnedRun.Run run) {
        return OwnedRun.run(store, id, run, execution -> views.result(id, execution));
    }

    private static ZonemoverException noJob(String id) {
        return ZonemoverException.badInput("no job " + id + " (see `zonemover jobs list`)");
    }
}
