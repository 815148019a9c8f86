package io.zonemover.jobs;

import io.zonemover.domain.ClaimRef;
import org.springframework.batch.core.job.JobExecution;
import org.springframework.batch.core.repository.JobRepository;
import org.springframework.batch.infrastructure.item.ExecutionContext;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * The job's checkpoint: every id a step creates and every manifest it saves, kept in the job's
 * ExecutionContext and written to the repository in the current step's transaction, so it commits with
 * the iteration that produced it. Keys are typed: a {@link Key} is one fact of the move, a
 * {@link ClaimKey} one fact per moved claim; each is declared by the step that writes it. Only strings
 * go in, so the whole checkpoint can also be copied into the cluster (see {@link MoveRecord}).
 */
public final class MigrationContext {

    /** A fact about the whole move. */
    public record Key(String name) {
    }

    /** A fact about one moved claim, stored as {@code claims.<index>.<name>}. */
    public record ClaimKey(String name) {
        String at(int index) {
            return "claims." + index + "." + name;
        }
    }

    /** How many claims the move carries, and their names; written by preflight. */
    static final Key CLAIM_COUNT = new Key("claimCount");
    static final ClaimKey CLAIM_NAME = new ClaimKey("claim");

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

    /** The claim the user named (with --pod: the pod's first claim). */
    public ClaimRef claim() {
        return ClaimRef.parse(execution.getJobParameters().getString(MigrationJob.PARAM_CLAIM));
    }

    public String namespace() {
        return claim().namespace();
    }

    public String param(String name) {
        return execution.getJobParameters().getString(name);
    }

    public boolean has(Key key) {
        return context.containsKey(key.name());
    }

    public String get(Key key) {
        return raw(key.name());
    }

    public long getLong(Key key, long fallback) {
        String value = get(key);
        return value == null ? fallback : Long.parseLong(value);
    }

    /** Records a fact; it commits with the current iteration of the step. */
    public void put(Key key, Object value) {
        putRaw(key.name(), value);
    }

    public void remove(Key key) {
        context.remove(key.name());
        repository.updateExecutionContext(execution);
    }

    // ---- per claim ----

    public int claimCount() {
        return (int) getLong(CLAIM_COUNT, 0);
    }

    public IntStream claimIndexes() {
        return IntStream.range(0, claimCount());
    }

    public ClaimRef claimAt(int index) {
        return new ClaimRef(namespace(), get(CLAIM_NAME, index));
    }

    public List<ClaimRef> claims() {
        List<ClaimRef> claims = new ArrayList<>();
        claimIndexes().forEach(i -> claims.add(claimAt(i)));
        return claims;
    }

    public boolean has(ClaimKey key, int index) {
        return context.containsKey(key.at(index));
    }

    public String get(ClaimKey key, int index) {
        return raw(key.at(index));
    }

    public long getLong(ClaimKey key, int index, long fallback) {
        String value = get(key, index);
        return value == null ? fallback : Long.parseLong(value);
    }

    /** The values of this key for every claim, in claim order (null where absent). */
    public List<String> all(ClaimKey key) {
        List<String> values = new ArrayList<>();
        claimIndexes().forEach(i -> values.add(get(key, i)));
        return values;
    }

    public void put(ClaimKey key, int index, Object value) {
        putRaw(key.at(index), value);
    }

    public void remove(ClaimKey key, int index) {
        context.remove(key.at(index));
        repository.updateExecutionContext(execution);
    }

    // ---- the whole checkpoint, for the record in the cluster and for adoption ----

    /** Every fact, sorted by key. */
    public Map<String, String> snapshot() {
        Map<String, String> all = new TreeMap<>();
        context.entrySet().forEach(e -> {
            if (!e.getKey().startsWith("batch.")) {
                all.put(e.getKey(), String.valueOf(e.getValue()));
            }
        });
        return all;
    }

    /** Seeds an empty checkpoint from a record (adoption on another machine). */
    void seed(Map<String, String> facts) {
        facts.forEach(context::putString);
        repository.updateExecutionContext(execution);
    }

    private String raw(String key) {
        return context.containsKey(key) ? String.valueOf(context.get(key)) : null;
    }

    private void putRaw(String key, Object value) {
        context.putString(key, String.valueOf(value));
        repository.updateExecutionContext(execution);
    }
}
