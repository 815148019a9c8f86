package io.zonemover.jobs;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.state.MigrationStore;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** What `jobs list`, `jobs show` and a run's summary show of a move: read only, from the state database. */
public final class JobViews {

    public record StepTiming(String name, String status, double seconds, long iterations) {
    }

    /**
     * @param owner the process running the job now ("machine-a (pid 42, instance ...)"), or null if none holds a
     *              live lease
     * @param lease the job's lease row, live or expired, or null if no process holds or left one
     */
    public record JobView(MigrationStore.Migration migration, String status, Map<String, String> checkpoint,
                          List<StepTiming> steps, List<MigrationStore.AuditEntry> audit, String owner,
                          MigrationStore.Owner lease) {
    }

    private final JobRepository repository;
    private final MigrationStore store;

    JobViews(JobRepository repository, MigrationStore store) {
        this.repository = repository;
        this.store = store;
    }

    public List<JobView> list() {
        List<JobView> views = new ArrayList<>();
        for (MigrationStore.Migration m : store.all()) {
            Optional<MigrationStore.Owner> lease = store.owner(m.id());
            views.add(new JobView(m, status(m.id()), Map.of(), List.of(), List.of(), owner(lease), lease.orElse(null)));
        }
        return views;
    }

    public JobView show(String id) {
        MigrationStore.Migration m = store.find(id).orElseThrow(() ->
                ZonemoverException.badInput("no job " + id + " (see `zonemover jobs list`)"));
        Optional<JobExecution> last = latest(id);
        Map<String, String> checkpoint = new LinkedHashMap<>();
        last.ifPresent(e -> new MigrationContext(e, repository).snapshot().forEach((k, v) -> {
            if (!k.endsWith("Manifest")) {
                checkpoint.put(k, v);
            }
        }));
        List<StepTiming> steps = new ArrayList<>();
        lastExecution(MigrationJob.NAME, id).ifPresent(e -> steps.addAll(timings(e.getJobInstance())));
        lastExecution(MigrationJob.ROLLBACK, id).ifPresent(e -> steps.addAll(timings(e.getJobInstance())));
        lastExecution(SplitJob.NAME, id).ifPresent(e -> steps.addAll(timings(e.getJobInstance())));
        Optional<MigrationStore.Owner> lease = store.owner(id);
        return new JobView(m, status(id), checkpoint, steps, store.auditTrail(id), owner(lease), lease.orElse(null));
    }

    /**
     * Spring Batch's word for the move: its rollback's while one is unfinished, else the move's own (a
     * rolled-back move stays FAILED; its outcome says ROLLED_BACK).
     */
    public String status(String id) {
        Optional<JobExecution> undo = lastExecution(MigrationJob.ROLLBACK, id);
        if (undo.isPresent() && undo.get().getStatus() != BatchStatus.COMPLETED) {
            return undo.get().getStatus().name();
        }
        return lastExecution(MigrationJob.NAME, id).or(() -> lastExecution(SplitJob.NAME, id))
                .map(e -> e.getStatus().name()).orElse("UNKNOWN");
    }

    private Optional<JobExecution> latest(String id) {
        return lastExecution(MigrationJob.ROLLBACK, id).or(() -> lastExecution(MigrationJob.NAME, id))
                .or(() -> lastExecution(SplitJob.NAME, id));
    }

    Optional<JobExecution> lastExecution(String jobName, String id) {
        return lastExecution(repository, jobName, MigrationJob.PARAM_ID, id);
    }

    /** The last run of the job instance identified by {@code param = id}, if it ever ran. */
    static Optional<JobExecution> lastExecution(JobRepository repository, String jobName, String param, String id) {
        JobParameters identifying = new JobParametersBuilder().addString(param, id, true).toJobParameters();
        JobInstance instance = repository.getJobInstance(jobName, identifying);
        return instance == null ? Optional.empty() : Optional.ofNullable(repository.getLastJobExecution(instance));
    }

    private static String owner(Optional<MigrationStore.Owner> lease) {
        return lease.filter(MigrationStore::alive).map(MigrationStore.Owner::describe).orElse(null);
    }

    MigrationService.Result result(String id, JobExecution execution) {
        MigrationStore.Migration m = store.find(id).orElseThrow();
        MigrationContext ctx = new MigrationContext(execution, repository);
        String message = execution.getAllFailureExceptions().stream().findFirst().map(Throwable::getMessage)
                .orElse(ctx.get(MigrationStep.ROLLBACK_REQUESTED));
        List<MigrationService.ClaimResult> claims = new ArrayList<>();
        for (int i = 0; i < ctx.claimCount(); i++) {
            claims.add(new MigrationService.ClaimResult(ctx.claimAt(i).toString(), ctx.get(PreflightStep.OLD_VOLUME, i),
                    ctx.get(RestoreStep.NEW_VOLUME, i), ctx.get(PreflightStep.SOURCE_SNAPSHOT, i)));
        }
        String pod = ctx.get(PreflightStep.POD) == null ? null : ctx.namespace() + "/" + ctx.get(PreflightStep.POD);
        String status = MigrationJob.ROLLBACK.equals(execution.getJobInstance().getJobName())
                && execution.getStatus() == BatchStatus.COMPLETED ? status(id) : execution.getStatus().name();
        return new MigrationService.Result(id, status, m.outcome(), m.claim(), pod, m.fromZone(), m.toZone(),
                m.oldVolume(), claims.isEmpty() ? null : claims.get(0).newVolumeId(), claims, m.downtimeSeconds(),
                ctx.has(PreflightStep.DATA_LOSS_WINDOW) ? ctx.getLong(PreflightStep.DATA_LOSS_WINDOW, 0) : null, message, ctx.get(FinishStep.REVISION_WARNING), timings(execution.getJobInstance()));
    }

    List<StepTiming> timings(JobInstance instance) {
        Map<String, StepTiming> byStep = new LinkedHashMap<>();
        List<JobExecution> executions = new ArrayList<>(repository.getJobExecutions(instance));
        executions.sort(Comparator.comparing(JobExecution::getId));
        for (JobExecution execution : executions) {
            for (StepExecution step : execution.getStepExecutions()) {
                double seconds = 0;
                if (step.getStartTime() != null) {
                    var end = step.getEndTime() != null ? step.getEndTime() : step.getLastUpdated();
                    if (end != null) {
                        seconds = Duration.between(step.getStartTime(), end).toMillis() / 1000.0;
                    }
                }
                StepTiming earlier = byStep.get(step.getStepName());
                double total = seconds + (earlier == null ? 0 : earlier.seconds());
                long iterations = step.getCommitCount() + (earlier == null ? 0 : earlier.iterations());
                byStep.put(step.getStepName(), new StepTiming(step.getStepName(), step.getStatus().name(), total, iterations));
            }
        }
        return new ArrayList<>(byStep.values());
    }

    static String currentStep(JobExecution execution) {
        return execution.getStepExecutions().stream()
                .filter(s -> s.getStatus() != BatchStatus.COMPLETED)
                .map(StepExecution::getStepName).findFirst().orElse("the start");
    }
}
