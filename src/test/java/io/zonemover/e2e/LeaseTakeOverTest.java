package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.state.Instance;
import io.zonemover.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Two "machines" (ZONEMOVER_INSTANCE names) sharing one PostgreSQL state database: a job's lease keeps the other
 * machine out while it is live, lets it take over once it expires, lets exactly one of two racers win, and a
 * process whose job was taken over stops acting on it.
 */
class LeaseTakeOverTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("job (zm-[0-9a-f]+) started");
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    @Test
    void afterAKillOnMachineAMachineBIsRefusedWhileTheLeaseIsLiveThenExactlyOneOfTwoTakesOver() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        SimWorlds.View before = SimWorlds.View.of(dir);
        String db = PostgresServer.freshDatabase("takeover");
        // Spring warmed up in this JVM first: B's refusal below must come well within A's lease even on a
        // loaded machine, where a cold start takes seconds.
        assertThat(SimWorlds.run("--db", db, "jobs", "list").exit()).isZero();
        String jobId;
        try (ZonemoverProcess a = ZonemoverProcess.start(Map.of("ZONEMOVER_FAILPOINT", "quiesce#2!",
                Instance.ENV, "machine-a"), "--sim", dir.toString(), "--db", db, "--lease", "20s", "migrate",
                "default/www-web-3", "--to", "auto", "--yes", "--poll-interval", "100ms")) {
            jobId = jobIdOf(a);
            assertThat(a.waitFor(RUN_TIMEOUT)).as("killed mid-move:\n" + a.output()).isEqualTo(137);
        }

        // At once, from machine B (this JVM, named so): A's pid means nothing here, only its lease counts.
        SimWorlds.Run refused = asMachine("machine-b", "--sim", dir.toString(), "--db", db, "jobs", "resume", jobId,
                "--yes");
        assertThat(refused.exit()).as(refused.err()).isEqualTo(3);
        assertThat(refused.err()).contains("held by machine-a (pid ").contains("lease until ");
        SimWorlds.Run show = asMachine("machine-b", "--sim", dir.toString(), "--db", db, "jobs", "show", jobId);
        assertThat(show.out()).contains("owner machine-a (pid ");

        awaitLeaseExpiry(db, jobId);
        String[] resume = {"--sim", dir.toString(), "--db", db, "jobs", "resume", jobId, "--yes", "--poll-interval",
                "100ms", "-o", "json"};
        try (ZonemoverProcess b = ZonemoverProcess.start(Map.of(Instance.ENV, "machine-b"), resume);
             ZonemoverProcess c = ZonemoverProcess.start(Map.of(Instance.ENV, "machine-c"), resume)) {
            int exitB = b.waitFor(RUN_TIMEOUT);
            int exitC = c.waitFor(RUN_TIMEOUT);
            assertThat(new int[] {exitB, exitC}).as(b.output() + "\n----\n" + c.output())
                    .containsExactlyInAnyOrder(0, 3);
            ZonemoverProcess winner = exitB == 0 ? b : c;
            JsonNode result = JSON.readTree(winner.stdout());
            assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
            Moves.assertPodMoved(before, SimWorlds.View.of(dir), jobId, "web", "web-3", List.of("www-web-3"),
                    result.get("toZone").asText());
        }
    }

    /**
     * What a process that stalled past its lease meets when it runs again: its job's lease names another machine.
     * (Made here by writing that machine's lease into the row, as its take-over would: a process really paused
     * with SIGSTOP can hold the simulated world's file lock, which no real cloud has.) It stops before its next
     * action, exits 1 saying so, and the job resumes to the end from the state it left.
     */
    @Test
    void aProcessWhoseJobWasTakenOverStopsBeforeItsNextAction() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        SimWorlds.View before = SimWorlds.View.of(dir);
        String db = PostgresServer.freshDatabase("stall");
        JdbcTemplate jdbc = new JdbcTemplate(new DriverManagerDataSource(db));
        String jobId;
        try (ZonemoverProcess a = ZonemoverProcess.start(Map.of(Instance.ENV, "machine-a"), "--sim", dir.toString(),
                "--db", db, "migrate", "default/www-web-3", "--to", "auto", "--yes", "--poll-interval", "100ms")) {
            jobId = jobIdOf(a);
            // A progress line of the running job (not the plan printed before it starts).
            a.await(l -> l.matches("\\d\\d:\\d\\d:\\d\\d\\s+pre-snapshot\\s.*"), RUN_TIMEOUT);
            assertThat(jdbc.update("UPDATE ZM_OWNER SET HOST = 'machine-b', PID = 1, INSTANCE_ID = 'b-instance', "
                    + "LEASE_UNTIL = CURRENT_TIMESTAMP + INTERVAL '600' SECOND WHERE MIGRATION_ID = ?", jobId)).isOne();
            assertThat(a.waitFor(RUN_TIMEOUT)).as(a.output()).isEqualTo(1);
            assertThat(a.output()).contains("job " + jobId + " was taken over by machine-b (pid 1, instance "
                    + "b-instance)").contains("stopped acting on it");
        }
        // Machine B "crashes" too: its lease runs out, and a resume from here finishes the move.
        jdbc.update("UPDATE ZM_OWNER SET LEASE_UNTIL = CURRENT_TIMESTAMP - INTERVAL '1' SECOND");
        SimWorlds.Run resume = asMachine("machine-c", "--sim", dir.toString(), "--db", db, "jobs", "resume", jobId,
                "--yes", "--poll-interval", "100ms", "-o", "json");
        assertThat(resume.exit()).as(resume.err()).isZero();
        JsonNode result = JSON.readTree(resume.out());
        assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
        Moves.assertPodMoved(before, SimWorlds.View.of(dir), jobId, "web", "web-3", List.of("www-web-3"),
                result.get("toZone").asText());
    }

    /** Runs a command in this JVM under another machine's name. */
    private static SimWorlds.Run asMachine(String name, String... args) {
        System.setProperty(Instance.PROPERTY, name);
        try {
            return SimWorlds.run(args);
        } finally {
            System.clearProperty(Instance.PROPERTY);
        }
    }

    /** Polls `jobs show -o json` until the job's lease has run out (by the database's clock). */
    private static void awaitLeaseExpiry(String db, String jobId) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (System.nanoTime() < deadline) {
            SimWorlds.Run show = SimWorlds.run("--db", db, "jobs", "show", jobId, "-o", "json");
            assertThat(show.exit()).as(show.err()).isZero();
            JsonNode lease = JSON.readTree(show.out()).get("lease");
            if (lease.isNull() || !lease.get("live").asBoolean()) {
                return;
            }
            Thread.sleep(500);
        }
        throw new AssertionError("the lease of " + jobId + " did not expire within 60 s");
    }

    private static String jobIdOf(ZonemoverProcess process) throws InterruptedException {
        Matcher m = JOB_ID.matcher(process.await(l -> JOB_ID.matcher(l).find(), RUN_TIMEOUT));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }
}
