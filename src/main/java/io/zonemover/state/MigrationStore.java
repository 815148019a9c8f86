package io.zonemover.state;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
import java.net.InetAddress;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * zonemover's tables (see db/migration). Writes made inside a step's transaction commit with that
 * step's checkpoint; the lock and ownership rows are written outside any job, in their own transactions.
 */
public final class MigrationStore {

    /** A process that has not touched its heartbeat for this long is taken for dead (other hosts). */
    static final Duration HEARTBEAT_TIMEOUT = Duration.ofSeconds(30);

    public record Migration(String id, String claim, String fromZone, String toZone, String oldVolume,
                            String newVolume, String outcome, Double downtimeSeconds, Instant createdAt,
                            Instant updatedAt) {
    }

    public record AuditEntry(Instant at, String step, String action, String detail) {
    }

    public record Owner(long pid, String host, String processStart, Instant heartbeatAt) {
    }

    private final JdbcTemplate jdbc;

    public MigrationStore(DataSource dataSource) {
        this.jdbc = new JdbcTemplate(dataSource);
        Schema.migrate(dataSource);
    }

    public void create(String id, String claim, String fromZone, String toZone, String oldVolume) {
        Timestamp now = Timestamp.from(Instant.now());
        jdbc.update("INSERT INTO ZM_MIGRATION (ID, CLAIM, FROM_ZONE, TO_ZONE, OLD_VOLUME, CREATED_AT, UPDATED_AT) "
                + "VALUES (?, ?, ?, ?, ?, ?, ?)", id, claim, fromZone, toZone, oldVolume, now, now);
    }

    public void setNewVolume(String id, String newVolume) {
        jdbc.update("UPDATE ZM_MIGRATION SET NEW_VOLUME = ?, UPDATED_AT = ? WHERE ID = ?", newVolume, now(), id);
    }

    public void setOutcome(String id, String outcome, Double downtimeSeconds) {
        jdbc.update("UPDATE ZM_MIGRATION SET OUTCOME = ?, DOWNTIME_SECONDS = COALESCE(?, DOWNTIME_SECONDS), "
                + "UPDATED_AT = ? WHERE ID = ?", outcome, downtimeSeconds, now(), id);
    }

    public Optional<Migration> find(String id) {
        return jdbc.query("SELECT * FROM ZM_MIGRATION WHERE ID = ?", (rs, i) -> migration(rs), id).stream().findFirst();
    }

    public List<Migration> all() {
        return jdbc.query("SELECT * FROM ZM_MIGRATION ORDER BY CREATED_AT DESC", (rs, i) -> migration(rs));
    }

    private static Migration migration(java.sql.ResultSet rs) throws java.sql.SQLException {
        double downtime = rs.getDouble("DOWNTIME_SECONDS");
        return new Migration(rs.getString("ID"), rs.getString("CLAIM"), rs.getString("FROM_ZONE"),
                rs.getString("TO_ZONE"), rs.getString("OLD_VOLUME"), rs.getString("NEW_VOLUME"),
                rs.getString("OUTCOME"), rs.wasNull() ? null : downtime,
                rs.getTimestamp("CREATED_AT").toInstant(), rs.getTimestamp("UPDATED_AT").toInstant());
    }

    public void audit(String id, String step, String action, String detail) {
        jdbc.update("INSERT INTO ZM_AUDIT (MIGRATION_ID, AT, STEP, ACTION, DETAIL) VALUES (?, ?, ?, ?, ?)",
                id, now(), step, action, detail == null || detail.length() <= 4000 ? detail : detail.substring(0, 4000));
    }

    public List<AuditEntry> auditTrail(String id) {
        return jdbc.query("SELECT AT, STEP, ACTION, DETAIL FROM ZM_AUDIT WHERE MIGRATION_ID = ? ORDER BY ID",
                (rs, i) -> new AuditEntry(rs.getTimestamp(1).toInstant(), rs.getString(2), rs.getString(3),
                        rs.getString(4)), id);
    }

    // ---- claim locks: at most one job per claim, across processes ----

    /** Takes the claim for this migration; returns the id of the migration that holds it otherwise. */
    public Optional<String> lockClaim(String claim, String migrationId) {
        try {
            jdbc.update("INSERT INTO ZM_CLAIM_LOCK (CLAIM, MIGRATION_ID, ACQUIRED_AT) VALUES (?, ?, ?)",
                    claim, migrationId, now());
            return Optional.empty();
        } catch (DuplicateKeyException e) {
            return lockHolder(claim).filter(holder -> !holder.equals(migrationId));
        }
    }

    public Optional<String> lockHolder(String claim) {
        return jdbc.queryForList("SELECT MIGRATION_ID FROM ZM_CLAIM_LOCK WHERE CLAIM = ?", String.class, claim)
                .stream().findFirst();
    }

    public void unlockClaim(String claim, String migrationId) {
        jdbc.update("DELETE FROM ZM_CLAIM_LOCK WHERE CLAIM = ? AND MIGRATION_ID = ?", claim, migrationId);
    }

    // ---- which process runs a job ----

    /**
     * Records this process as the one running the migration, unless another live process does; returns
     * that owner when it refuses.
     */
    public synchronized Optional<Owner> takeOwnership(String migrationId) {
        Optional<Owner> current = owner(migrationId);
        if (current.isPresent() && alive(current.get())) {
            ProcessHandle self = ProcessHandle.current();
            if (current.get().pid() != self.pid() || !current.get().host().equals(host())) {
                return current;
            }
        }
        jdbc.update("DELETE FROM ZM_OWNER WHERE MIGRATION_ID = ?", migrationId);
        ProcessHandle self = ProcessHandle.current();
        jdbc.update("INSERT INTO ZM_OWNER (MIGRATION_ID, PID, HOST, PROCESS_START, HEARTBEAT_AT) VALUES (?, ?, ?, ?, ?)",
                migrationId, self.pid(), host(), processStart(self), now());
        return Optional.empty();
    }

    public void heartbeat(String migrationId) {
        jdbc.update("UPDATE ZM_OWNER SET HEARTBEAT_AT = ? WHERE MIGRATION_ID = ? AND PID = ? AND HOST = ?",
                now(), migrationId, ProcessHandle.current().pid(), host());
    }

    public void releaseOwnership(String migrationId) {
        jdbc.update("DELETE FROM ZM_OWNER WHERE MIGRATION_ID = ? AND PID = ? AND HOST = ?",
                migrationId, ProcessHandle.current().pid(), host());
    }

    public Optional<Owner> owner(String migrationId) {
        return jdbc.query("SELECT PID, HOST, PROCESS_START, HEARTBEAT_AT FROM ZM_OWNER WHERE MIGRATION_ID = ?",
                (rs, i) -> new Owner(rs.getLong(1), rs.getString(2), rs.getString(3), rs.getTimestamp(4).toInstant()),
                migrationId).stream().findFirst();
    }

    /** Same host: the process with that pid and start time exists. Other hosts: a fresh heartbeat. */
    public static boolean alive(Owner owner) {
        if (owner.host().equals(host())) {
            return ProcessHandle.of(owner.pid())
                    .filter(ProcessHandle::isAlive)
                    .map(p -> owner.processStart() == null || owner.processStart().equals(processStart(p)))
                    .orElse(false);
        }
        return owner.heartbeatAt().plus(HEARTBEAT_TIMEOUT).isAfter(Instant.now());
    }

    private static String processStart(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toString).orElse(null);
    }

    static String host() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }
}
