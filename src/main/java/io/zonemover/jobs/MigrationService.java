package io.zonemover.jobs;

import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.MigrationPlan;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.state.MigrationStore;
import org.springframework.batch.core.BatchStatus;
import org.springframework.batch.core.job.Job;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.launch.JobOperator;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.stereotype.Service;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/** The use cases behind `migrate` and `jobs ...`: plan, start, resume, roll back, list, show. */
@Service
public class MigrationService {

    /** How a run ended, for the summary and `-o json`. */
    public record Result(String jobId, String status, String outcome, String claim, String fromZone, String toZone,
                         String oldVolumeId, String newVolumeId, Double downtimeSeconds, String message,
                         List<StepTiming> steps) {
    }

    public record StepTiming(String name, String status, double seconds, long iterations) {
    }

    public record JobView(MigrationStore.Migration migration, String status, Map<String, String> checkpoint,
                          List<StepTiming> steps, List<MigrationStore.AuditEntry> audit, String owner) {
    }

    private final JobOperator operator;
    private final JobRepository repository;
    private final Job job;
    private final MigrationStore store;
    private final MigrationServices services;

    public MigrationService(JobOperator operator, JobRepository repository, Job job, MigrationStore store,
                            MigrationServices services) {
        this.operator = operator;
        this.repository = repository;
        this.job = job;
        this.store = store;
        this.services = services;
    }

    public MigrationPlan plan(ClaimRef claim, String toZone, boolean preSnapshot) {
        store.lockHolder(claim.toString()).ifPresent(holder -> {
            throw ZonemoverException.refused("claim " + claim + " is locked by job " + holder + " ("
                    + status(holder) + "); `zonemover jobs resume " + holder + "` or `zonemover jobs rollback "
                    + holder + "`");
        });
        return new MigrationPlanner(services.cluster(), services.blockStore()).plan(claim, toZone, preSnapshot, null);
    }

    public Result start(MigrationPlan plan, Duration readyTimeout) {
        String id = "zm-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(3));
        store.lockClaim(plan.claim().toString(), id).ifPresent(holder -> {
            throw ZonemoverException.refused("claim " + plan.claim() + " is locked by job " + holder + " ("
                    + status(holder) + ")");
        });
        store.create(id, plan.claim().toString(), plan.fromZone(), plan.toZone(), plan.volumeId());
        store.audit(id, null, "started", "migrate " + plan.claim() + " to " + plan.toZone());
        services.progress().report("job", "job " + id + " started (`zonemover jobs show " + id + "` to watch it)");
        JobParameters params = new JobParametersBuilder()
                .addString(MigrationJob.PARAM_ID, id, true)
                .addString(MigrationJob.PARAM_CLAIM, plan.claim().toString(), false)
                .addString(MigrationJob.PARAM_TO_ZONE, plan.toZone(), false)
                .addString(MigrationJob.PARAM_PRE_SNAPSHOT, String.valueOf(plan.preSnapshot()), false)
                .addString(MigrationJob.PARAM_READY_TIMEOUT, String.valueOf(readyTimeout.toSeconds()), false)
                .toJobParameters();
        return runOwned(id, () -> operator.start(job, params));
    }

    public Result resume(String id) {
        JobExecution last = lastExecution(id);
        MigrationContext ctx = new MigrationContext(last, repository);
        if (last.getStatus() == BatchStatus.COMPLETED) {
            throw ZonemoverException.refused("job " + id + " already completed; nothing to resume");
        }
        if (ctx.has(MigrationContext.ROLLED_BACK)) {
            throw ZonemoverException.refused("job " + id + " was rolled back; start a new `zonemover migrate`");
        }
        return runOwned(id, () -> {
            JobExecution execution = last;
            if (execution.isRunning()) {
                // Left STARTED by a process that died: mark it failed so Batch lets it restart.
                execution = operator.recover(execution);
            }
            store.audit(id, null, "resumed", "resumed from step " + currentStep(execution));
            return operator.restart(execution);
        });
    }

    public Result rollback(String id) {
        JobExecution last = lastExecution(id);
        if (last.getStatus() == BatchStatus.COMPLETED) {
            throw ZonemoverException.refused("job " + id + " completed; rolling back now would discard what the pod "
                    + "wrote to the new volume since. Move it again with `zonemover migrate` instead");
        }
        return runOwned(id, () -> {
            JobExecution execution = last;
            if (execution.isRunning()) {
                execution = operator.recover(execution);
            }
            MigrationContext ctx = new MigrationContext(execution, repository);
            if (!ctx.has(MigrationContext.ROLLED_BACK)) {
                new Rollback(services).run(ctx);
            }
            return repository.getJobExecution(execution.getId());
        });
    }

    @FunctionalInterface
    private interface Run {
        JobExecution run() throws Exception;
    }

    /** Runs with this process recorded as the job's owner, heartbeating, so no one else resumes it meanwhile. */
    private Result runOwned(String id, Run run) {
        store.takeOwnership(id).ifPresent(owner -> {
            throw ZonemoverException.refused("job " + id + " is running in process " + owner.pid() + " on "
                    + owner.host() + "; watch it with `zonemover jobs show " + id + "`");
        });
        ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "zonemover-heartbeat");
            t.setDaemon(true);
            return t;
        });
        heartbeat.scheduleAtFixedRate(() -> {
            try {
                store.heartbeat(id);
            } catch (RuntimeException ignored) {
                // A missed heartbeat only matters after 30 s; the next one retries.
            }
        }, 2, 2, TimeUnit.SECONDS);
        try {
            JobExecution execution = run.run();
            return result(id, execution);
        } catch (ZonemoverException e) {
            throw e;
        } catch (Exception e) {
            throw ZonemoverException.failed("job " + id + ": " + e.getMessage(), e);
        } finally {
            heartbeat.shutdownNow();
            store.releaseOwnership(id);
        }
    }

    private Result result(String id, JobExecution execution) {
        MigrationStore.Migration m = store.find(id).orElseThrow();
        MigrationContext ctx = new MigrationContext(execution, repository);
        String message = execution.getAllFailureExceptions().stream().findFirst().map(Throwable::getMessage).orElse(null);
        return new Result(id, execution.getStatus().name(), m.outcome(), m.claim(), m.fromZone(),
                m.toZone(), m.oldVolume(), ctx.get(MigrationContext.NEW_VOLUME), m.downtimeSeconds(), message,
                timings(execution.getJobInstance()));
    }

    public List<JobView> list() {
        List<JobView> views = new ArrayList<>();
        for (MigrationStore.Migration m : store.all()) {
            views.add(new JobView(m, status(m.id()), Map.of(), List.of(), List.of(), owner(m.id())));
        }
        return views;
    }

    public JobView show(String id) {
        MigrationStore.Migration m = store.find(id).orElseThrow(() ->
                ZonemoverException.badInput("no job " + id + " (see `zonemover jobs list`)"));
        Optional<JobExecution> last = findLastExecution(id);
        Map<String, String> checkpoint = new LinkedHashMap<>();
        last.ifPresent(e -> e.getExecutionContext().entrySet().stream()
                .filter(entry -> !entry.getKey().endsWith("Manifest") && !entry.getKey().startsWith("batch."))
                .sorted(Map.Entry.comparingByKey())
                .forEach(entry -> checkpoint.put(entry.getKey(), String.valueOf(entry.getValue()))));
        List<StepTiming> steps = last.map(e -> timings(e.getJobInstance())).orElse(List.of());
        return new JobView(m, status(id), checkpoint, steps, store.auditTrail(id), owner(id));
    }

    private String owner(String id) {
        return store.owner(id).filter(MigrationStore::alive).map(o -> "pid " + o.pid() + " on " + o.host()).orElse(null);
    }

    /** Spring Batch's word for the job's last execution (STARTED with no live owner means it was killed). */
    public String status(String id) {
        return findLastExecution(id).map(e -> e.getStatus().name()).orElse("UNKNOWN");
    }

    private List<StepTiming> timings(JobInstance instance) {
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

    private static String currentStep(JobExecution execution) {
        return execution.getStepExecutions().stream()
                .filter(s -> s.getStatus() != BatchStatus.COMPLETED)
                .map(StepExecution::getStepName).findFirst().orElse("the start");
    }

    private JobExecution lastExecution(String id) {
        return findLastExecution(id).orElseThrow(() ->
                ZonemoverException.badInput("no job " + id + " (see `zonemover jobs list`)"));
    }

    private Optional<JobExecution> findLastExecution(String id) {
        JobParameters identifying = new JobParametersBuilder().addString(MigrationJob.PARAM_ID, id, true).toJobParameters();
        JobInstance instance = repository.getJobInstance(MigrationJob.NAME, identifying);
        if (instance == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(repository.getLastJobExecution(instance));
    }
}
