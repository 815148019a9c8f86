package io.zonemover.state;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import javax.sql.DataSource;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;

/**
 * Creates and upgrades zonemover's own tables with Flyway (scripts in db/migration), on H2 and PostgreSQL alike.
 * A state file made before Flyway has the tables but no history: it is baselined at version 0, so every
 * script still runs, and V1's IF NOT EXISTS finds its tables there. Spring Batch's tables come from here too
 * ({@link BatchTables}), under Flyway's lock.
 */
public final class Schema {

    /** Data sources already migrated by this process: the stores built on one share a single migration. */
    private static final Map<DataSource, Boolean> MIGRATED = Collections.synchronizedMap(new WeakHashMap<>());
    private static final int RACE_ATTEMPTS = 10;
    private static final long RACE_PAUSE_MS = 100;

    private Schema() {
    }

    /** Brings the database to the latest version; concurrent processes wait on Flyway's lock. */
    public static void migrate(DataSource dataSource) {
        MIGRATED.computeIfAbsent(dataSource, ds -> {
            Flyway flyway = Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .javaMigrations(new BatchTables())
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .baselineDescription("zonemover tables before Flyway")
                    .load();
            for (int attempt = 1; ; attempt++) {
                try {
                    flyway.migrate();
                    return Boolean.TRUE;
                } catch (FlywayException e) {
                    // Two first starts at once: the other process has just created the history table and not yet
                    // written to it (creating it is not under Flyway's lock), so baselining sees it empty. Once
                    // the other one holds the lock and fills it, migrating again waits for it and finds its work.
                    if (attempt >= RACE_ATTEMPTS || !String.valueOf(e.getMessage()).contains("already exists, and is empty")) {
                        throw e;
                    }
                    sleep(RACE_PAUSE_MS * attempt);
                }
            }
        });
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for another process's schema migration", e);
        }
    }
}
