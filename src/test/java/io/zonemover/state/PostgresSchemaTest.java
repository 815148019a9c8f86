package io.zonemover.state;

import io.zonemover.cli.Main;
import io.zonemover.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * zonemover's and Spring Batch's tables on PostgreSQL: an empty database gets all of them, once, even when
 * several processes start on it at the same moment; every statement of the stores works there; and the
 * commands open it again without error output.
 */
class PostgresSchemaTest {

    @Test
    void anEmptyDatabaseGetsEveryTableOnceWhenSeveralStartAtOnce() throws Exception {
        String url = PostgresServer.freshDatabase("schema");
        int starters = 4;
        ExecutorService pool = Executors.newFixedThreadPool(starters);
        try {
            CountDownLatch go = new CountDownLatch(1);
            List<Future<?>> started = new ArrayList<>();
            for (int i = 0; i < starters; i++) {
                // A data source each: as separate processes would, each runs its own migration.
                DriverManagerDataSource ds = new DriverManagerDataSource(url);
                started.add(pool.submit(() -> {
                    go.await();
                    Schema.migrate(ds);
                    return null;
                }));
            }
            go.countDown();
            for (Future<?> f : started) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(url));
        List<String> tables = jdbc.queryForList("SELECT UPPER(TABLE_NAME) FROM INFORMATION_SCHEMA.TABLES "
                + "WHERE TABLE_SCHEMA = CURRENT_SCHEMA()", String.class);
        assertThat(tables).contains("ZM_MIGRATION", "ZM_AUDIT", "ZM_CLAIM_LOCK", "ZM_OWNER", "ZM_PLAN",
                "ZM_PLAN_MOVE", "ZM_PLAN_CLAIM", "BATCH_JOB_INSTANCE", "BATCH_JOB_EXECUTION", "BATCH_STEP_EXECUTION_CONTEXT");
        assertThat(jdbc.queryForList("SELECT \"version\" FROM \"flyway_schema_history\" WHERE \"success\" "
                + "ORDER BY \"installed_rank\"", String.class)).containsExactly("1", "2", "2.1", "3");
    }

    /** Two real processes opening one empty database at the same moment: both work, neither prints an error. */
    @Test
    void twoProcessesStartingAtOnceOnAnEmptyDatabaseBothSucceedQuietly() throws Exception {
        String url = PostgresServer.freshDatabase("twostarts");
        List<Process> processes = new ArrayList<>();
        List<java.nio.file.Path> errs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            java.nio.file.Path err = java.nio.file.Files.createTempFile("zm-start-", ".err");
            errs.add(err);
            processes.add(new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java")
                    .toString(), "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"),
                    "io.zonemover.cli.Main", "--db", url, "jobs", "list")
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(err.toFile()).start());
        }
        for (int i = 0; i < 2; i++) {
            assertThat(processes.get(i).waitFor(3, java.util.concurrent.TimeUnit.MINUTES)).isTrue();
            String err = java.nio.file.Files.readString(errs.get(i));
            java.nio.file.Files.delete(errs.get(i));
            assertThat(processes.get(i).exitValue()).as(err).isZero();
            assertThat(err).isEmpty();
        }
    }

    @Test
    void theStoresStatementsWorkOnPostgres() {
        DriverManagerDataSource ds = new DriverManagerDataSource(PostgresServer.freshDatabase("stores"));
        MigrationStore store = new MigrationStore(ds);
        store.create("zm-1", "default/www-web-3", "us-east-1b", "us-east-1c", "vol-1");
        store.setNewVolume("zm-1", "vol-2");
        store.setOutcome("zm-1", "COMPLETED", 2.5);
        store.audit("zm-1", "finish", "done", "x".repeat(5000));
        assertThat(store.find("zm-1")).get().satisfies(m -> {
            assertThat(m.newVolume()).isEqualTo("vol-2");
            assertThat(m.downtimeSeconds()).isEqualTo(2.5);
        });
        assertThat(store.all()).hasSize(1);
        assertThat(store.auditTrail("zm-1")).singleElement().satisfies(e -> assertThat(e.detail()).hasSize(4000));
        assertThat(store.lockClaim("default/www-web-3", "zm-1")).isEmpty();
        assertThat(store.lockClaim("default/www-web-3", "zm-2")).contains("zm-1");
        store.unlockClaim("default/www-web-3", "zm-1");
        assertThat(store.lockHolder("default/www-web-3")).isEmpty();
        assertThat(store.takeOwnership("zm-1")).isEmpty();
        assertThat(store.owner("zm-1")).get().satisfies(o -> assertThat(MigrationStore.alive(o)).isTrue());
        store.releaseOwnership("zm-1");
        assertThat(store.owner("zm-1")).isEmpty();

        PlanStore plans = new PlanStore(ds);
        plans.create(new PlanStore.Plan("zm-p1", "spread", "plan.yaml", "{}", 2, 1, 0, null, null, null, null, null),
                List.of(new PlanStore.Move("zm-p1", 0, "default/web-0", "default/web", "us-east-1b", "us-east-1c",
                        null, PlanStore.MoveState.WAITING, null, null, null)));
        plans.started("zm-p1", 0, "zm-1");
        plans.ended("zm-p1", 0, PlanStore.MoveState.DONE, "moved");
        plans.setOutcome("zm-p1", "COMPLETED", null);
        assertThat(plans.planOfJob("zm-1")).contains("zm-p1");
        assertThat(plans.moves("zm-p1")).singleElement().satisfies(m -> {
            assertThat(m.state()).isEqualTo(PlanStore.MoveState.DONE);
            assertThat(m.startedAt()).isNotNull();
            assertThat(m.endedAt()).isNotNull();
        });
        assertThat(plans.all()).singleElement().satisfies(p -> assertThat(p.outcome()).isEqualTo("COMPLETED"));
    }

    /** The claim lock of two moves (or more) taking one claim at once, each from its own connection. */
    @Test
    void ofSeveralJobsLockingOneClaimAtOnceExactlyOneHoldsIt() throws Exception {
        String url = PostgresServer.freshDatabase("claimrace");
        List<MigrationStore> stores = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            stores.add(new MigrationStore(new DriverManagerDataSource(url)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            for (int round = 0; round < 10; round++) {
                String claim = "default/data-" + round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<Boolean>> won = new ArrayList<>();
                for (int i = 0; i < 4; i++) {
                    MigrationStore store = stores.get(i);
                    String job = "zm-" + round + "-" + i;
                    won.add(pool.submit(() -> {
                        go.await();
                        return store.lockClaim(claim, job).isEmpty();
                    }));
                }
                go.countDown();
                int winners = 0;
                for (Future<Boolean> f : won) {
                    winners += f.get() ? 1 : 0;
                }
                assertThat(winners).as(claim).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void commandsOpenAnExistingDatabaseAgainWithoutErrorOutput() {
        String url = PostgresServer.freshDatabase("reopen");
        for (int i = 0; i < 2; i++) {
            StringWriter out = new StringWriter();
            StringWriter err = new StringWriter();
            int exit = Main.run(new String[] {"--db", url, "jobs", "list"}, new PrintWriter(out, true),
                    new PrintWriter(err, true));
            assertThat(exit).as(err.toString()).isZero();
            assertThat(err.toString()).isEmpty();
        }
    }

    @Test
    void aWrongPasswordIsBadInputNamingTheUrlWithoutThePassword() {
        String url = PostgresServer.freshDatabase("password").replaceAll("password=[^&]*", "password=not-it");
        StringWriter err = new StringWriter();
        int exit = Main.run(new String[] {"--db", url, "jobs", "list"}, new PrintWriter(new StringWriter(), true),
                new PrintWriter(err, true));
        assertThat(exit).isEqualTo(2);
        assertThat(err.toString().strip()).startsWith("zonemover: error: --db jdbc:postgresql://")
                .contains("password=***").contains("refused the user name or password").doesNotContain("not-it")
                .doesNotContain("\n");
        String noDb = PostgresServer.freshDatabase("nodb").replaceAll("/zm_nodb_[a-z0-9_]+", "/zm_absent");
        StringWriter err2 = new StringWriter();
        assertThat(Main.run(new String[] {"--db", noDb, "jobs", "list"}, new PrintWriter(new StringWriter(), true),
                new PrintWriter(err2, true))).isEqualTo(2);
        assertThat(err2.toString()).contains("no such database");
    }
}
