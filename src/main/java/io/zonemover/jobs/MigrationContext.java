package io.zonemover.jobs;

import io.zonemover.domain.ClaimRef;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;

/**
 * The job's checkpoint: every id a step creates and every manifest it saves, kept in the job's
 * ExecutionContext and written to the repository in the current step's transaction, so it commits with
 * the iteration that produced it. Only strings and longs go in (Batch serializes the context).
 */
public final class MigrationContext {

    // Keys, one per fact; the step that writes each is named in its comment.
    static final String CLAIM = "claim";                            // launch
    static final String TO_ZONE = "toZone";                         // preflight
    static final String FROM_ZONE = "fromZone";                     // preflight
    static final String OLD_PV = "oldPv";                           // preflight
    static final String OLD_VOLUME = "oldVolumeId";                 // preflight
    static final String POD = "pod";                                // preflight
    static final String STS_NAME = "statefulSet";                   // preflight
    static final String OLD_RECLAIM_POLICY = "oldReclaimPolicy";    // protect
    static final String CLAIM_MANIFEST = "claimManifest";           // protect
    static final String PV_MANIFEST = "pvManifest";                 // protect
    static final String STS_MANIFEST = "statefulSetManifest";       // protect
    static final String PRE_SNAPSHOT = "preSnapshotId";             // pre-snapshot
    static final String QUIESCE_STARTED = "quiesceStartedAt";       // quiesce (epoch millis)
    static final String FINAL_SNAPSHOT = "finalSnapshotId";         // final-snapshot
    static final String FINAL_SNAPSHOT_ATTEMPT = "finalSnapshotAttempt";
    static final String NEW_VOLUME = "newVolumeId";                 // restore
    static final String RESTORE_ATTEMPT = "restoreAttempt";
    static final String NEW_PV = "newPv";                           // rebind
    static final String READY_WAIT_STARTED = "readyWaitStartedAt";  // restart (epoch millis)
    static final String READY_WAIT_EXECUTION = "readyWaitExecution"; // restart: which run started the wait
    static final String READY_AT = "readyAt";                       // restart (epoch millis)
    static final String ROLLED_BACK = "rolledBack";                 // rollback

    private final ExecutionContext context;
    private final JobExecution execution;
    private final JobRepository repository;
    private final String jobId;

    MigrationContext(JobExecution execution, JobRepository repository) {
        this.execution = execution;
        this.context = execution.getExecutionContext();
        this.repository = repository;
        this.jobId = execution.getJobParameters().getString(MigrationJob.PARAM_ID);
    }

    public String jobId() {
        return jobId;
    }

    /** The id of this run of the job (a resume is a new run of the same job). */
    public long executionId() {
        return execution.getId();
    }

    public ClaimRef claim() {
        return ClaimRef.parse(execution.getJobParameters().getString(MigrationJob.PARAM_CLAIM));
    }

    public String param(String name) {
        return execution.getJobParameters().getString(name);
    }

    public boolean has(String key) {
        return context.containsKey(key);
    }

    public String get(String key) {
        return context.containsKey(key) ? String.valueOf(context.get(key)) : null;
    }

    public long getLong(String key, long fallback) {
        String value = get(key);
        return value == null ? fallback : Long.parseLong(value);
    }

    /** Records a fact; it commits with the current iteration of the step. */
    public void put(String key, Object value) {
        context.putString(key, String.valueOf(value));
        repository.updateExecutionContext(execution);
    }

    public void remove(String key) {
        context.remove(key);
        repository.updateExecutionContext(execution);
    }
}
