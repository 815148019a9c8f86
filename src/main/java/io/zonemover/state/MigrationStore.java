package io.zonemover.state;

import io.zonemover.domain.ZonemoverException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import javax.sql.DataSource;
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

    /** How long a job's lease runs without renewal, unless configured (`--lease`). */
    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(30);

    public record Migration(String id, String claim, String fromZone, String toZone, String oldVolume,
                            String newVolume, String outcome, Double downtimeSeconds, Instant createdAt,
                            Instant updatedAt) {
    }

    public record AuditEntry(Instant at, String step, String action, String detail) {
    }

    /**
     * A job's lease holder. {@code leaseLeft}: until the lease ends, by the database's clock when read (negative
     * once expired; zero for a row an older release wrote, which has no lease).
     */
    public record Owner(long pid, String host, String processStart, Instant heartbeatAt, String jobId,
                        String instanceId, Instant leaseUntil, Duration leaseLeft) {

        /** The lease has not run out (by the database's clock when this was read). */
        public boolean live() {
            return !leaseLeft.isNegative() && !leaseLeft.isZero();
        }

        /** "machine-a (pid 4242, instance 3f9a...)", as messages name the owner. */
        public String describe() {
            return host + " (pid " + pid + (instanceId == null ? "" : ", instance " + instanceId) + ")";
        }

        /** "until 2026-05-04T10:00:05Z (in 12 s)" or "expired 3 s ago". */
        public String leaseWords() {
            if (leaseUntil == null) {
                return "no lease (recorded by an older release)";
            }
            long seconds = Math.abs(leaseLeft.toMillis() + (live() ? 999 : 0)) / 1000;
            return live() ? "until " + leaseUntil + " (in " + seconds + " s)"
                    : "expired " + seconds + " s ago (" + leaseUntil + ")";
        }
    }

    private final JdbcTemplate jdbc;
    private final JobLeases leases;

    public MigrationStore(DataSource dataSource) {
        this(dataSource, DEFAULT_LEASE);
    }

    public MigrationStore(DataSource dataSource, Duration lease) {
        this.jdbc = new JdbcTemplate(dataSource);
        this.leases = new JobLeases(jdbc, lease, Instance.current());
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

    // ---- which process runs a job: a lease (see JobLeases) ----

    /**
     * Takes the lease on the job for this process, unless another process holds a live one; returns that owner
     * when it refuses.
     */
    public Optional<Owner> takeOwnership(String migrationId) {
        return leases.take(migrationId);
    }

    /** Renews this process's lease on the job; false if another process has taken it over meanwhile. */
    public boolean heartbeat(String migrationId) {
        return leases.renew(migrationId);
    }

    public void releaseOwnership(String migrationId) {
        leases.release(migrationId);
    }

    /** The job's lease holder, live or not (see {@link #alive}). */
    public Optional<Owner> owner(String migrationId) {
        return leases.find(migrationId);
    }

    /**
     * Throws ({@link ZonemoverException} of kind failed) if this process must stop acting on the job, because
     * another process took it over (or the plan this process runs it under) after this one stalled past its
     * lease. Steps call it before each action.
     */
    public void checkStillOwner(String migrationId) {
        leases.checkStillOwner(migrationId);
    }

    /** How long a lease runs without renewal; the heartbeat renews it well before that. */
    public Duration lease() {
        return leases.lease();
    }

    /**
     * Whether the owner still holds the job: this process; or a lease unexpired by the database's clock whose
     * process, when recorded on this host, still exists (a dead one on this host is taken over at once).
     */
    public static boolean alive(Owner owner) {
        Instance self = Instance.current();
        if (self.id().equals(owner.instanceId())) {
            return true;
        }
        return !self.sameHostAndGone(owner.host(), owner.pid(), owner.processStart()) && owner.live();
    }

    private static Timestamp now() {
        return Timestamp.from(Instant.now());
    }
}
