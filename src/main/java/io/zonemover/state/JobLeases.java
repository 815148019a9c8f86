package io.zonemover.state;

import io.zonemover.domain.ZonemoverException;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.jdbc.core.JdbcTemplate;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which process runs a job, as a lease in table ZM_OWNER: taken by one atomic statement (an insert, or an update
 * that matches only the holder it replaces and only once its lease has expired by the database's clock), renewed
 * by the holder's heartbeat, released at the end. Two processes can never both win. The same-host fast path: an
 * owner recorded on this host whose process is gone is replaced at once, without waiting for expiry.
 */
final class JobLeases {

    /** The lease's end, {@code lease} from now by the database's clock (works on H2 and PostgreSQL alike). */
    private static final String LEASE_END = "CURRENT_TIMESTAMP + CAST(? AS INTEGER) * INTERVAL '0.001' SECOND";
    private static final String SELECT = "SELECT MIGRATION_ID, PID, HOST, PROCESS_START, HEARTBEAT_AT, INSTANCE_ID, "
            + "LEASE_UNTIL, CURRENT_TIMESTAMP AS DB_NOW FROM ZM_OWNER";

    private final JdbcTemplate jdbc;
    private final Duration lease;
    private final Instance self;
    /** The jobs this process took a lease on and has not released. */
    private final Set<String> held = ConcurrentHashMap.newKeySet();

    JobLeases(JdbcTemplate jdbc, Duration lease, Instance self) {
        this.jdbc = jdbc;
        this.lease = lease;
        this.self = self;
    }

    Duration lease() {
        return lease;
    }

    Instance self() {
        return self;
    }

    Optional<MigrationStore.Owner> take(String id) {
        for (int attempt = 0; attempt < 5; attempt++) {
            try {
                jdbc.update("INSERT INTO ZM_OWNER (MIGRATION_ID, PID, HOST, PROCESS_START, INSTANCE_ID, HEARTBEAT_AT, "
                        + "LEASE_UNTIL) VALUES (?, ?, ?, ?, ?, ?, " + LEASE_END + ")", id, self.pid(), self.host(),
                        self.processStart(), self.id(), Timestamp.from(Instant.now()), leaseMillis());
                held.add(id);
                return Optional.empty();
            } catch (DuplicateKeyException taken) {
                Optional<MigrationStore.Owner> current = find(id);
                if (current.isEmpty()) {
                    continue; // released in between: insert again
                }
                MigrationStore.Owner owner = current.get();
                if (self.id().equals(owner.instanceId())) {
                    renew(id);
                    held.add(id);
                    return Optional.empty();
                }
                boolean gone = self.sameHostAndGone(owner.host(), owner.pid(), owner.processStart());
                if (!gone && owner.live()) {
                    return current;
                }
                // Compare-and-set on the holder read above; unless its process is known gone, only once its
                // lease has run out by the database's clock (not by ours, nor by what we read a moment ago).
                int replaced = jdbc.update("UPDATE ZM_OWNER SET PID = ?, HOST = ?, PROCESS_START = ?, INSTANCE_ID = ?, "
                                + "HEARTBEAT_AT = ?, LEASE_UNTIL = " + LEASE_END + " WHERE MIGRATION_ID = ? AND PID = ? "
                                + "AND HOST = ? AND COALESCE(INSTANCE_ID, '-') = ?"
                                + (gone ? "" : " AND (LEASE_UNTIL IS NULL OR LEASE_UNTIL <= CURRENT_TIMESTAMP)"),
                        self.pid(), self.host(), self.processStart(), self.id(), Timestamp.from(Instant.now()),
                        leaseMillis(), id, owner.pid(), owner.host(),
                        owner.instanceId() == null ? "-" : owner.instanceId());
                if (replaced == 1) {
                    held.add(id);
                    return Optional.empty();
                }
                // Someone else replaced it first, or it was renewed just now: read again.
            }
        }
        return find(id).filter(o -> !self.id().equals(o.instanceId()));
    }

    /** Extends this process's lease on the job; false if it no longer holds it (another process took it over). */
    boolean renew(String id) {
        return jdbc.update("UPDATE ZM_OWNER SET HEARTBEAT_AT = ?, LEASE_UNTIL = " + LEASE_END
                + " WHERE MIGRATION_ID = ? AND INSTANCE_ID = ?", Timestamp.from(Instant.now()), leaseMillis(), id,
                self.id()) == 1;
    }

    void release(String id) {
        held.remove(id);
        jdbc.update("DELETE FROM ZM_OWNER WHERE MIGRATION_ID = ? AND INSTANCE_ID = ?", id, self.id());
    }

    Optional<MigrationStore.Owner> find(String id) {
        return jdbc.query(SELECT + " WHERE MIGRATION_ID = ?", (rs, i) -> owner(rs), id).stream().findFirst();
    }

    /**
     * Throws if this process must stop acting on job {@code id}: another process holds that job, or a lease this
     * process took (the job's, or the plan's it runs under) now belongs to another process or was released by
     * one. That happens only when this process stalled past its lease and was taken over.
     */
    void checkStillOwner(String id) {
        List<String> ids = new ArrayList<>(held);
        if (!ids.contains(id)) {
            ids.add(id);
        }
        String marks = String.join(", ", Collections.nCopies(ids.size(), "?"));
        List<MigrationStore.Owner> owners = jdbc.query(SELECT + " WHERE MIGRATION_ID IN (" + marks + ")",
                (rs, i) -> owner(rs), ids.toArray());
        for (String job : ids) {
            Optional<MigrationStore.Owner> owner = owners.stream().filter(o -> o.jobId().equals(job)).findFirst();
            if (owner.isPresent() && !self.id().equals(owner.get().instanceId())) {
                throw lost(job, "taken over by " + owner.get().describe());
            }
            if (owner.isEmpty() && held.contains(job)) {
                throw lost(job, "taken over by another process, which has finished with it since");
            }
        }
    }

    private static ZonemoverException lost(String job, String how) {
        return ZonemoverException.failed("job " + job + " was " + how + " after this process stalled past its "
                + "lease; this process stopped acting on it (see `zonemover jobs show " + job + "`)", null);
    }

    private int leaseMillis() {
        return (int) Math.min(Integer.MAX_VALUE, lease.toMillis());
    }

    private static MigrationStore.Owner owner(ResultSet rs) throws SQLException {
        OffsetDateTime until = rs.getObject("LEASE_UNTIL", OffsetDateTime.class);
        OffsetDateTime now = rs.getObject("DB_NOW", OffsetDateTime.class);
        Timestamp heartbeat = rs.getTimestamp("HEARTBEAT_AT");
        return new MigrationStore.Owner(rs.getLong("PID"), rs.getString("HOST"), rs.getString("PROCESS_START"),
                heartbeat == null ? null : heartbeat.toInstant(), rs.getString("MIGRATION_ID"),
                rs.getString("INSTANCE_ID"), until == null ? null : until.toInstant(),
                until == null ? Duration.ZERO : Duration.between(now.toInstant(), until.toInstant()));
    }
}
