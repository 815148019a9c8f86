package io.zonemover.state;

import io.zonemover.cli.Main;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Flyway takes over zonemover's tables: a state file written by release 0.1.0 (before Flyway; its tables came
 * from a plain script) upgrades in place with its jobs intact, and an empty database gets every table.
 */
class SchemaUpgradeTest {

    @TempDir
    Path dir;

    /** The file in src/test/resources was made by release 0.1.0 (commit a93d659) moving default/www-web-3. */
    private Path releaseFile() throws Exception {
        Path file = dir.resolve("state.mv.db");
        try (InputStream in = getClass().getResourceAsStream("/state/release-0.1.0.mv.db")) {
            Files.copy(in, file);
        }
        return dir.resolve("state");
    }

    private static DriverManagerDataSource h2(String url) {
        DriverManagerDataSource ds = new DriverManagerDataSource(url, "sa", "");
        ds.setDriverClassName("org.h2.Driver");
        return ds;
    }

    @Test
    void aReleaseFileUpgradesInPlaceKeepingItsJobs() throws Exception {
        Path base = releaseFile();
        DriverManagerDataSource ds = h2("jdbc:h2:file:" + base + ";TRACE_LEVEL_FILE=0");
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        assertThat(jdbc.queryForObject("SELECT COUNT(*) FROM INFORMATION_SCHEMA.TABLES WHERE TABLE_NAME = "
                + "'flyway_schema_history'", Integer.class)).as("made before Flyway").isZero();

        MigrationStore store = new MigrationStore(ds);

        assertThat(store.find("zm-9d82b7")).get().satisfies(m -> {
            assertThat(m.claim()).isEqualTo("default/www-web-3");
            assertThat(m.outcome()).isEqualTo("COMPLETED");
            assertThat(m.toZone()).isEqualTo("us-east-1c");
        });
        assertThat(store.auditTrail("zm-9d82b7")).isNotEmpty();
        List<String> applied = jdbc.query("SELECT * FROM \"flyway_schema_history\" ORDER BY \"installed_rank\"",
                (rs, i) -> rs.getString("version") + ":" + rs.getString("type") + ":" + rs.getBoolean("success"));
        assertThat(applied).containsSubsequence("0:BASELINE:true", "1:SQL:true");
        // New rows go on after the old ones (the audit trail's identity continues past the old ids).
        store.audit("zm-9d82b7", "test", "appended", null);
        assertThat(store.auditTrail("zm-9d82b7")).last().extracting(MigrationStore.AuditEntry::action)
                .isEqualTo("appended");
    }

    @Test
    void theUpgradedFileServesTheCommandsThatReadJobs() throws Exception {
        Path base = releaseFile();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"--db", base.toString(), "jobs", "show", "zm-9d82b7"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(exit).as(err.toString()).isZero();
        assertThat(out.toString()).contains("default/www-web-3").contains("COMPLETED");
        // Opened a second time: nothing left to migrate, still readable.
        exit = Main.run(new String[] {"--db", base.toString(), "jobs", "list"},
                new PrintWriter(out, true), new PrintWriter(err, true));
        assertThat(exit).as(err.toString()).isZero();
    }

    @Test
    void anEmptyDatabaseGetsEveryTable() {
        DriverManagerDataSource ds = h2("jdbc:h2:mem:schema-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1");
        new MigrationStore(ds);
        new PlanStore(ds);
        JdbcTemplate jdbc = new JdbcTemplate(ds);
        List<String> tables = jdbc.queryForList("SELECT TABLE_NAME FROM INFORMATION_SCHEMA.TABLES "
                + "WHERE TABLE_NAME LIKE 'ZM_%'", String.class);
        assertThat(tables).contains("ZM_MIGRATION", "ZM_AUDIT", "ZM_CLAIM_LOCK", "ZM_OWNER", "ZM_PLAN",
                "ZM_PLAN_MOVE");
        assertThat(jdbc.queryForList("SELECT \"type\" FROM \"flyway_schema_history\"", String.class))
                .doesNotContain("BASELINE");
    }
}
