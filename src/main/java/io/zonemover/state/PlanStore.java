package io.zonemover.state;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;

/**
 * The plans `rebalance apply` runs (tables ZM_PLAN and ZM_PLAN_MOVE): the plan as applied, its limits, and
 * per move its state and the single-pod move job that carries it out. Each row is written in its own
 * transaction, before the action it announces, so a killed process leaves a plan its resume can read.
 *
 * <p>A plan several workers share ({@link #createShared}) is claimed move by move ({@link #claim}): each claim
 * is one transaction that first locks the plan's row in ZM_PLAN_CLAIM (SELECT ... FOR UPDATE, on H2 and
 * PostgreSQL alike), so claimers take turns, and holds the move with a lease whose expiry is the database's clock plus the plan's
 * lease: machines whose clocks disagree still agree on when a lease has lapsed.
 */
public final class PlanStore {

    /** Where one move of a plan is. */
    public enum MoveState { WAITING, RUNNING, DONE, SKIPPED, FAILED }

    /**
     * @param message      why the plan's last run stopped short, or null
     * @param leaseSeconds how long a worker's claim on a move holds without a heartbeat; null for a plan that one
     *                     process applies
     * @param paused       why the plan's workers start no new move (a failed --check), or null
     */
    public record Plan(String id, String name, String source, String body, int parallel, int maxUnavailable,
                       int maxFailures, String checkCommand, String outcome, String message, Instant createdAt,
                       Instant updatedAt, Integer leaseSeconds, String paused) {

        public Plan(String id, String name, String source, String body, int parallel, int maxUnavailable,
                    int maxFailures, String checkCommand, String outcome, String message, Instant createdAt,
                    Instant updatedAt) {
            this(id, name, source, body, parallel, maxUnavailable, maxFailures, checkCommand, outcome, message,
                    createdAt, updatedAt, null, null);
        }

        public boolean shared() {
            return leaseSeconds != null;
        }
    }

    /**
     * @param worker         the worker that runs or ran the move (plans shared by workers), or null
     * @param previousWorker the worker it took the move over from, or null
     * @param leaseUntil     until when the worker's claim holds, on the database's clock, or null
     */
    public record Move(String planId, int index, String pod, String statefulSet, String fromZone, String toZone,
                       String jobId, MoveState state, String detail, Instant startedAt, Instant endedAt,
                       String worker, String previousWorker, Instant leaseUntil) {

        public Move(String planId, int index, String pod, String statefulSet, String fromZone, String toZone,
                    String jobId, MoveState state, String detail, Instant startedAt, Instant endedAt) {
            this(planId, index, pod, statefulSet, fromZone, toZone, jobId, state, detail, startedAt, endedAt, null,
                    null, null);
        }
    }

    /** What a claimer decided under the plan's lock: the move it takes (or null), and anything to report. */
    public record Claim<T>(Move move, T decision) {
    }

    /** Decides, from the plan and its moves as they stand under the lock and the database's clock, what to claim. */
    @FunctionalInterface
    public interface Claimer<T> {
        Claim<T> decide(Plan plan, List<Move> moves, Instant now);
    }

    private final JdbcTemplate jdbc;
    private final TransactionTemplate transactions;

    public PlanStore(DataSource dataSource) {
        Schema.migrate(dataSource);
        this.jdbc = new JdbcTemplate(dataSource);
        this.transactions = new TransactionTemplate(new DataSourceTransactionManager(dataSource));
    }

    public void create(Plan plan, List<Move> moves) {
        Timestamp now = now();
        jdbc.update("INSERT INTO ZM_PLAN (ID, NAME, SOURCE, BODY, PARALLEL, MAX_UNAVAILABLE, MAX_FAILURES, "
                        + "CHECK_COMMAND, CREATED_AT, UPDATED_AT) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", plan.id(),
                plan.name(), plan.source(), plan.body(), plan.parallel(), plan.maxUnavailable(), plan.maxFailures(),
                plan.checkCommand(), now, now);
        for (Move m : moves) {
            jdbc.update("INSERT INTO ZM_PLAN_MOVE (PLAN_ID, IDX, POD, STATEFUL_SET, FROM_ZONE, TO_ZONE, STATE) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?)", plan.id(), m.index(), m.pod(), m.statefulSet(), m.fromZone(),
                    m.toZone(), MoveState.WAITING.name());
        }
    }

    /**
     * Records a plan its workers share, with its moves, in one transaction; false when a plan with this id is
     * there already (another worker created it: the primary key decides, and a second creator waits for the
     * first's commit before it is told).
     */
    public boolean createShared(Plan plan, List<Move> moves, Duration lease) {
        for (int attempt = 1; ; attempt++) {
            try {
                return Boolean.TRUE.equals(transactions.execute(tx -> {
                    create(plan, moves);
                    jdbc.update("UPDATE ZM_PLAN SET LEASE_SECONDS = ? WHERE ID = ?", (int) lease.toSeconds(), plan.id());
                    jdbc.update("INSERT INTO ZM_PLAN_CLAIM (PLAN_ID) VALUES (?)", plan.id());
                    return true;
                }));
            } catch (DuplicateKeyException e) {
                return false;
            } catch (TransientDataAccessException e) {
                // H2 gives up waiting for another creator's uncommitted row after its lock timeout; by the next
                // attempt that creator has committed (duplicate key) or rolled back (this one creates it).
                if (attempt >= 20) {
                    throw e;
                }
                sleep(250);
            }
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /**
     * One claim: locks the plan's row, reads its moves and the database's clock, lets {@code claimer} decide,
     * and records the move it takes as RUNNING, held by {@code worker} until the database's clock plus the
     * plan's lease (taking over from the worker that held it before, if any). Claimers on every machine take
     * turns on the lock; one that waits too long for it gets a {@code PessimisticLockingFailureException}.
     */
    public <T> Claim<T> claim(String planId, String worker, Claimer<T> claimer) {
        return transactions.execute(tx -> {
            if (jdbc.queryForList("SELECT PLAN_ID FROM ZM_PLAN_CLAIM WHERE PLAN_ID = ? FOR UPDATE", String.class,
                    planId).isEmpty()) {
                throw new IllegalStateException("plan " + planId + " is not shared by workers");
            }
            Plan plan = find(planId).orElseThrow(() -> new IllegalStateException("no plan " + planId));
            OffsetDateTime now = databaseNow();
            long deciding = System.nanoTime();
            Claim<T> claim = claimer.decide(plan, moves(planId), now.toInstant());
            Move m = claim.move();
            if (m != null) {
                // The lease runs from the decision's end: the database's clock as read at its start (PostgreSQL's
                // CURRENT_TIMESTAMP is the transaction's start) plus how long deciding took here (a duration on
                // this machine's monotonic clock, not its wall clock), so slow budget checks do not eat into it.
                long leaseMillis = (plan.leaseSeconds() == null ? 30 : plan.leaseSeconds()) * 1000L
                        + (System.nanoTime() - deciding) / 1_000_000;
                String previous = m.worker() != null && !m.worker().equals(worker) && m.state() == MoveState.RUNNING
                        ? m.worker() : m.previousWorker();
                jdbc.update("UPDATE ZM_PLAN_MOVE SET STATE = ?, WORKER = ?, PREVIOUS_WORKER = ?, LEASE_UNTIL = ?, "
                                + "STARTED_AT = COALESCE(STARTED_AT, ?) WHERE PLAN_ID = ? AND IDX = ?",
                        MoveState.RUNNING.name(), worker, previous, now.plusNanos(leaseMillis * 1_000_000), now(),
                        planId, m.index());
                m = new Move(m.planId(), m.index(), m.pod(), m.statefulSet(), m.fromZone(), m.toZone(), m.jobId(),
                        MoveState.RUNNING, m.detail(), m.startedAt(), m.endedAt(), worker, previous,
                        now.plusNanos(leaseMillis * 1_000_000).toInstant());
            }
            return new Claim<>(m, claim.decision());
        });
    }

    /**
     * Renews the worker's lease on a move it runs, to the database's clock plus the plan's lease; false when the
     * move is no longer its own (it ended, or another worker took it over after the lease lapsed).
     */
    public boolean renew(String planId, int index, String worker) {
        return Boolean.TRUE.equals(transactions.execute(tx -> {
            Integer seconds = jdbc.queryForObject("SELECT LEASE_SECONDS FROM ZM_PLAN WHERE ID = ?", Integer.class,
                    planId);
            OffsetDateTime until = databaseNow().plusSeconds(seconds == null ? 30 : seconds);
            return jdbc.update("UPDATE ZM_PLAN_MOVE SET LEASE_UNTIL = ? WHERE PLAN_ID = ? AND IDX = ? AND WORKER = ? "
                    + "AND STATE = ?", until, planId, index, worker, MoveState.RUNNING.name()) == 1;
        }));
    }

    /** Stops the plan's workers from starting new moves (null: lets them go on). */
    public void pause(String planId, String why) {
        jdbc.update("UPDATE ZM_PLAN SET PAUSED = ?, UPDATED_AT = ? WHERE ID = ?",
                why == null || why.length() <= 4000 ? why : why.substring(0, 4000), now(), planId);
    }

    private OffsetDateTime databaseNow() {
        return jdbc.queryForObject("SELECT CURRENT_TIMESTAMP", OffsetDateTime.class);
    }

    public Optional<Plan> find(String id) {
        return jdbc.query("SELECT * FROM ZM_PLAN WHERE ID = ?", (rs, i) -> plan(rs), id).stream().findFirst();
    }

    public List<Plan> all() {
        return jdbc.query("SELECT * FROM ZM_PLAN ORDER BY CREATED_AT DESC", (rs, i) -> plan(rs));
    }

    public List<Move> moves(String planId) {
        return jdbc.query("SELECT * FROM ZM_PLAN_MOVE WHERE PLAN_ID = ? ORDER BY IDX", (rs, i) -> move(rs), planId);
    }

    public void setOutcome(String planId, String outcome, String message) {
        jdbc.update("UPDATE ZM_PLAN SET OUTCOME = ?, MESSAGE = ?, UPDATED_AT = ? WHERE ID = ?", outcome,
                message == null || message.length() <= 4000 ? message : message.substring(0, 4000), now(), planId);
    }

    /** Records the job that carries the move out, before it is started. */
    public void started(String planId, int index, String jobId) {
        jdbc.update("UPDATE ZM_PLAN_MOVE SET STATE = ?, JOB_ID = ?, DETAIL = NULL, STARTED_AT = COALESCE(STARTED_AT, ?), "
                + "ENDED_AT = NULL WHERE PLAN_ID = ? AND IDX = ?", MoveState.RUNNING.name(), jobId, now(), planId, index);
    }

    public void ended(String planId, int index, MoveState state, String detail) {
        jdbc.update("UPDATE ZM_PLAN_MOVE SET STATE = ?, DETAIL = ?, ENDED_AT = ?, LEASE_UNTIL = NULL "
                        + "WHERE PLAN_ID = ? AND IDX = ?",
                state.name(), detail == null || detail.length() <= 4000 ? detail : detail.substring(0, 4000), now(),
                planId, index);
        jdbc.update("UPDATE ZM_PLAN SET UPDATED_AT = ? WHERE ID = ?", now(), planId);
    }

    /** The plan a single-pod move job belongs to, if any. */
    public Optional<String> planOfJob(String jobId) {
        return jdbc.queryForList("SELECT PLAN_ID FROM ZM_PLAN_MOVE WHERE JOB_ID = ?", String.class, jobId).stream()
                .findFirst();
    }

    private static Plan plan(ResultSet rs) throws SQLException {
        return new Plan(rs.getString("ID"), rs.getString("NAME"), rs.getString("SOURCE"), rs.getString("BODY"),
                rs.getInt("PARALLEL"), rs.getInt("MAX_UNAVAILABLE"), rs.getInt("MAX_FAILURES"),
                rs.getString("CHECK_COMMAND"), rs.getString("OUTCOME"), rs.getString("MESSAGE"),
                rs.getTimestamp("CREATED_AT").toInstant(),
                rs.getTimestamp("UPDATED_AT").toInstant(), (Integer) rs.getObject("LEASE_SECONDS"),
                rs.getString("PAUSED"));
    }

    private static Move move(ResultSet rs) throws SQLException {
        Timestamp started = rs.getTimestamp("STARTED_AT");
        Timestamp ended = rs.getTimestamp("ENDED_AT");
        OffsetDateTime lease = rs.getObject("LEASE_UNTIL", OffsetDateTime.class);
        return new Move(rs.getString("PLAN_ID"), rs.getInt("IDX"), rs.getString("POD"), rs.getString("STATEFUL_SET"),
                rs.getString("FROM_ZONE"), rs.getString("TO_ZONE"), rs.getString("JOB_ID"),
                MoveState.valueOf(rs.getString("STATE")), rs.getString("DETAIL"),
                started == null ? null : started.toInstant(), ended == null ? null : ended.toInstant(),
                rs.getString("WORKER"), rs.getString("PREVIOUS_WORKER"), lease == null ? null : lease.toInstant());
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }
}
