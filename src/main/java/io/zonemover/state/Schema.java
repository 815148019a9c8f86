package io.zonemover.state;

import org.flywaydb.core.Flyway;

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

    private Schema() {
    }

    /** Brings the database to the latest version; concurrent processes wait on Flyway's lock. */
    public static void migrate(DataSource dataSource) {
        MIGRATED.computeIfAbsent(dataSource, ds -> {
            Flyway.configure()
                    .dataSource(ds)
                    .locations("classpath:db/migration")
                    .javaMigrations(new BatchTables())
                    .baselineOnMigrate(true)
                    .baselineVersion("0")
                    .baselineDescription("zonemover tables before Flyway")
                    .load()
                    .migrate();
            return Boolean.TRUE;
        });
    }
}
