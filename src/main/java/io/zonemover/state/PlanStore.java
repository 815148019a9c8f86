package io.zonemover.state;

import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The plans `rebalance apply` runs (tables ZM_PLAN and ZM_PLAN_MOVE): the plan as applied, its limits, and
 * per move its state and the single-pod move job that carries it out. Each row is written in its own
 * transaction, before the action it announces, so a killed process leaves a plan its resume can read.
 */
public final class PlanStore {

    /** Where one move of a plan is. */
    public enum MoveState { WAITING, RUNNING, DONE, SKIPPED, FAILED }

    /** @param message why the plan's last run stopped short, or null */
    public record Plan(String id, String name, String source, String body, int parallel, int maxUnavailable,
                       int maxFailures, String checkCommand, String outcome, String message, Instant createdAt,
                       Instant updatedAt) {
    }

    public record Move(String planId, int index, String pod, String statefulSet, String fromZone, String toZone,
                       String jobId, MoveState state, String detail, Instant startedAt, Instant endedAt) {
    }

    private final JdbcTemplate jdbc;

    public PlanStore(DataSource dataSource) {
        Schema.migrate(dataSource);
        this.jdbc = new JdbcTemplate(dataSource);
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
        jdbc.update("UPDATE ZM_PLAN_MOVE SET STATE = ?, DETAIL = ?, ENDED_AT = ? WHERE PLAN_ID = ? AND IDX = ?",
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
                rs.getTimestamp("UPDATED_AT").toInstant());
    }

    private static Move move(ResultSet rs) throws SQLException {
        Timestamp started = rs.getTimestamp("STARTED_AT");
        Timestamp ended = rs.getTimestamp("ENDED_AT");
        return new Move(rs.getString("PLAN_ID"), rs.getInt("IDX"), rs.getString("POD"), rs.getString("STATEFUL_SET"),
                rs.getString("FROM_ZONE"), rs.getString("TO_ZONE"), rs.getString("JOB_ID"),
                MoveState.valueOf(rs.getString("STATE")), rs.getString("DETAIL"),
                started == null ? null : started.toInstant(), ended == null ? null : ended.toInstant());
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }
}
