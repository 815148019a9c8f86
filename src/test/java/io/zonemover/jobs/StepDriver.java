package io.zonemover.jobs;

import io.zonemover.state.MigrationStore;
import io.zonemover.testing.Faults;
import io.zonemover.testing.FakeWorld;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.job.JobInstance;
import org.springframework.batch.core.job.parameters.JobParameters;
import org.springframework.batch.core.job.parameters.JobParametersBuilder;
import org.springframework.batch.core.repository.support.ResourcelessJobRepository;
import org.springframework.batch.core.scope.context.ChunkContext;
import org.springframework.batch.core.scope.context.StepContext;
import org.springframework.batch.core.step.StepExecution;
import org.springframework.batch.core.step.tasklet.Tasklet;
import org.springframework.batch.infrastructure.item.ExecutionContext;
import org.springframework.batch.infrastructure.repeat.RepeatStatus;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs the move's steps as Spring Batch would, without Spring Batch's machinery: each step's tasklet is
 * called again and again with a real JobExecution and StepExecution until it says FINISHED, and the world
 * moves on ({@link FakeWorld#settle()}) between calls. The checkpoint is the JobExecution's
 * ExecutionContext; the repository is Spring Batch's resourceless one (updates go nowhere). A crash is
 * modelled as the loss of the checkpoint written by the iteration in flight, a fresh set of step objects and
 * a new execution of the same job.
 */
final class StepDriver {

    static final String JOB = "zm-f00d01";
    static final String[] STEPS = {"preflight", "protect", "pre-snapshot", "quiesce", "final-snapshot", "restore",
            "rebind", "restart", "finish"};
    private static final int MAX_ITERATIONS = 400;
    private static final MigrationStore STORE = new MigrationStore(
            new DriverManagerDataSource("jdbc:h2:mem:zm-step-tests;DB_CLOSE_DELAY=-1"));

    /** One call of a tasklet: what it answered and the calls it made on each port. */
    record Iteration(String step, RepeatStatus status, List<Faults.Call> cluster, List<Faults.Call> ec2) {
    }

    final FakeWorld world;
    final MigrationServices services;
    final List<String> progress = Collections.synchronizedList(new ArrayList<>());
    final List<Iteration> iterations = new ArrayList<>();
    private final JobParameters parameters;
    /** The job's steps, made afresh for each process; and their names, in order. */
    private final java.util.function.Function<MigrationServices, List<MigrationStep>> factory;
    private final List<String> names;
    private List<MigrationStep> steps;
    /** The step executions of this job execution, by step; a restart carries over the unfinished one's context. */
    private final Map<String, StepExecution> stepExecutions = new LinkedHashMap<>();
    private JobExecution execution;
    private long executionId = 1;
    /** Runs after every call of a tasklet, once the world has settled: where a test checks an invariant. */
    java.util.function.Consumer<StepDriver> afterEachIteration = d -> { };

    StepDriver(FakeWorld world, Map<String, String> parameters) {
        this(world, parameters, 5_000);
    }

    StepDriver(FakeWorld world, Map<String, String> parameters, long transientBudgetMillis) {
        this(world, parameters, transientBudgetMillis, MigrationJob.NAME, MigrationJob::steps);
    }

    /** A driver of the split job ({@link SplitJob}) with these parameters. */
    static StepDriver split(FakeWorld world, Map<String, String> parameters) {
        return new StepDriver(world, parameters, 5_000, SplitJob.NAME, SplitJob::steps);
    }

    private StepDriver(FakeWorld world, Map<String, String> parameters, long transientBudgetMillis, String jobName,
                       java.util.function.Function<MigrationServices, List<MigrationStep>> factory) {
        this.world = world;
        this.factory = factory;
        this.services = new MigrationServices(world.cluster(), world.ec2(), STORE, new ResourcelessJobRepository(),
                (step, message) -> progress.add(step + ": " + message), 0, transientBudgetMillis);
        JobParametersBuilder builder = new JobParametersBuilder();
        parameters.forEach((k, v) -> builder.addString(k, v, k.equals(MigrationJob.PARAM_ID)));
        this.parameters = builder.toJobParameters();
        this.steps = factory.apply(services);
        this.names = steps.stream().map(MigrationStep::name).toList();
        this.execution = new JobExecution(executionId, new JobInstance(1L, jobName), this.parameters);
    }

    /** The parameters of a move of the pod behind {@code claim} to {@code toZone}, as `migrate` passes them. */
    static Map<String, String> move(String claim, String toZone) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put(MigrationJob.PARAM_ID, JOB);
        p.put(MigrationJob.PARAM_CLAIM, claim);
        p.put(MigrationJob.PARAM_TO_ZONE, toZone);
        p.put(MigrationJob.PARAM_PRE_SNAPSHOT, "true");
        p.put(MigrationJob.PARAM_READY_TIMEOUT, "600");
        p.put(MigrationJob.PARAM_KEEP_RETAIN, "false");
        return p;
    }

    MigrationContext ctx() {
        return new MigrationContext(execution, services.repository());
    }

    JobExecution execution() {
        return execution;
    }

    MigrationStep step(String name) {
        return steps.stream().filter(s -> s.name().equals(name)).findFirst().orElseThrow();
    }

    /** Runs one step forward until it finishes; returns how many calls of its tasklet that took. */
    int run(String name) throws Exception {
        return run(name, false, MAX_ITERATIONS);
    }

    /** Runs one step's undo until it finishes. */
    int undo(String name) throws Exception {
        return run(name, true, MAX_ITERATIONS);
    }

    /** Runs at most {@code max} calls of the step's tasklet; returns how many ran, or -1 if it did not finish. */
    int run(String name, boolean undo, int max) throws Exception {
        StepExecution stepExecution = stepExecution((undo ? "undo-" : "") + name);
        ChunkContext chunk = new ChunkContext(new StepContext(stepExecution));
        MigrationStep step = step(name);
        Tasklet tasklet = undo ? step.backward() : step.forward();
        for (int i = 1; i <= max; i++) {
            int clusterFrom = world.cluster().faults().size();
            int ec2From = world.ec2().faults().size();
            RepeatStatus status;
            try {
                status = tasklet.execute(stepExecution.createStepContribution(), chunk);
            } finally {
                world.settle();
            }
            iterations.add(new Iteration(name, status, world.cluster().faults().callsSince(clusterFrom),
                    world.ec2().faults().callsSince(ec2From)));
            afterEachIteration.accept(this);
            if (status == RepeatStatus.FINISHED) {
                return i;
            }
        }
        if (max == MAX_ITERATIONS) {
            throw new AssertionError("step " + name + (undo ? " (undo)" : "") + " did not finish in " + max
                    + " calls; last progress: " + progress.subList(Math.max(0, progress.size() - 3), progress.size()));
        }
        return -1;
    }

    /**
     * The step's execution in this job execution: the same one while the step runs (Batch calls its tasklet
     * again within one step execution); in a restarted job, a new one with a copy of the last one's context,
     * as Batch's SimpleStepHandler does.
     */
    private StepExecution stepExecution(String stepName) {
        StepExecution last = stepExecutions.get(stepName);
        if (last != null && last.getJobExecution() == execution) {
            return last;
        }
        StepExecution next = new StepExecution(stepName, execution);
        if (last != null) {
            next.setExecutionContext(new ExecutionContext(last.getExecutionContext()));
        }
        stepExecutions.put(stepName, next);
        return next;
    }

    /** The context of the step's current (or last) execution. */
    ExecutionContext stepContext(String stepName) {
        return stepExecution(stepName).getExecutionContext();
    }

    /** Runs the move's steps before {@code name}. */
    StepDriver runBefore(String name) throws Exception {
        for (String s : names) {
            if (s.equals(name)) {
                return this;
            }
            run(s);
        }
        throw new IllegalArgumentException(name);
    }

    /** Runs the move's steps up to and including {@code name}. */
    StepDriver runThrough(String name) throws Exception {
        runBefore(name);
        run(name);
        return this;
    }

    StepDriver runAll() throws Exception {
        for (String s : names) {
            run(s);
        }
        return this;
    }

    /**
     * Runs the move for at most {@code calls} tasklet calls in all; returns true if it finished within them.
     * The step in flight is left where it was (its done marker unset), as a failed run leaves it.
     */
    boolean runFor(int calls) throws Exception {
        int left = calls;
        for (String s : names) {
            if (ctx().has(MigrationStep.doneKey(s, false))) {
                continue;
            }
            int ran = run(s, false, left);
            if (ran < 0) {
                return false;
            }
            left -= ran;
        }
        return true;
    }

    /**
     * The iteration in flight is lost from the checkpoint, as when the process is killed before its
     * transaction commits: what it did to the world stays. The next run is a new process (new step objects)
     * and a new execution of the same job, which starts from the checkpoint as it was.
     */
    void crashDuring(String name, boolean undo) throws Exception {
        String stepName = (undo ? "undo-" : "") + name;
        ExecutionContext before = new ExecutionContext(execution.getExecutionContext());
        ExecutionContext stepBefore = new ExecutionContext(stepContext(stepName));
        run(name, undo, 1);
        stepExecutions.get(stepName).setExecutionContext(stepBefore);
        restart(before);
    }

    /** A new execution of the job (a resume), from this checkpoint, in a new process. */
    void restart(ExecutionContext checkpoint) {
        JobExecution next = new JobExecution(++executionId, execution.getJobInstance(), execution.getJobParameters());
        next.setExecutionContext(new ExecutionContext(checkpoint));
        execution = next;
        steps = factory.apply(services);
    }

    /** A resume of the job from its checkpoint as it is now. */
    void restart() {
        restart(execution.getExecutionContext());
    }

    /**
     * Starts the rollback job as MigrationService does: a new job instance whose checkpoint is a copy of the
     * move's (so its undone markers never mix with the move's facts).
     */
    void startRollback() {
        Map<String, String> facts = ctx().snapshot();
        JobParameters params = new JobParametersBuilder()
                .addString(MigrationJob.PARAM_ID, parameters.getString(MigrationJob.PARAM_ID), true)
                .addString(MigrationJob.PARAM_CLAIM, parameters.getString(MigrationJob.PARAM_CLAIM), false)
                .addString(MigrationJob.PARAM_ADOPT, "false", false)
                .toJobParameters();
        JobExecution rollback = new JobExecution(++executionId, new JobInstance(2L, MigrationJob.ROLLBACK), params);
        facts.forEach(rollback.getExecutionContext()::putString);
        execution = rollback;
        steps = factory.apply(services);
    }

    /** Every undo, last step first, until each is done. */
    StepDriver rollback() throws Exception {
        startRollback();
        runUndos();
        return this;
    }

    void runUndos() throws Exception {
        for (int i = STEPS.length - 1; i >= 0; i--) {
            undo(STEPS[i]);
        }
    }

    /** Forgets that these steps finished, so the next run calls them again from the checkpoint. */
    void forgetDone(boolean undo, String... names) {
        for (String name : names) {
            execution.getExecutionContext().remove(MigrationStep.doneKey(name, undo).name());
        }
    }
}
