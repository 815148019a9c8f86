package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.zonemover.testing.PostgresServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills real `zonemover migrate` processes at step boundaries (ZONEMOVER_FAILPOINT halts the process as
 * kill -9 would, either when an iteration of a step begins, or, with "!", after it acted and before its
 * checkpoint committed), then resumes or rolls back the job from a new process, and checks the end state:
 * one new volume per claim carrying the old one's last content, no write lost, no claim on an empty volume,
 * the StatefulSet present and its other pods untouched.
 */
class CrashResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("job (zm-[0-9a-f]+) started");
    static final Duration RUN_TIMEOUT = Duration.ofMinutes(3);

    @TempDir
    Path dir;

    /**
     * A step that creates in EC2 records its intent first: its iteration 2 is the create, 4 the second claim's. The
     * restore then rebinds the claims while EC2 creates the volumes, one action an iteration: for one claim, 3
     * deletes the old claim, 4 creates the PV, 5 the claim again.
     */
    @ParameterizedTest(name = "kill -9 at {0}, then resume")
    @ValueSource(strings = {"protect#1!", "pre-snapshot#2!", "quiesce#2!", "quiesce#3!", "final-snapshot#2!",
            "restore#2!", "restore#4!", "restore#5!", "restart#1!", "finish#2!"})
    void resumeConvergesAfterAKill(String failpoint) throws Exception {
        killThenResume(failpoint);
    }

    /**
     * The same on a PostgreSQL state database, at the two crash points of the downtime (the pod stopping, the
     * new volume's create; the H2 cases above cover every step, and CI's time is shared). The same host: the
     * dead process's lease is taken over at once.
     */
    @ParameterizedTest(name = "on PostgreSQL: kill -9 at {0}, then resume")
    @ValueSource(strings = {"quiesce#2!", "restore#2!"})
    void resumeConvergesAfterAKillOnPostgres(String failpoint) throws Exception {
        killThenResume(failpoint, "--db", PostgresServer.freshDatabase("crash"));
    }

    private void killThenResume(String failpoint, String... db) throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        SimWorlds.View before = SimWorlds.View.of(dir);
        String jobId = migrateUntil(dir, failpoint, "default/www-web-3", db);

        JsonNode result = resume(jobId, db);
        assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
        Moves.assertPodMoved(before, SimWorlds.View.of(dir), jobId, "web", "web-3", List.of("www-web-3"),
                result.get("toZone").asText());
        assertThat(Moves.jobsList(dir, db)).singleElement().satisfies(j -> assertThat(j.get("status").asText())
                .isEqualTo("COMPLETED"));
    }

    /** Two claims: the restore's 5 to 7 rebind the first claim, 8 deletes the second's old claim. */
    @ParameterizedTest(name = "two claims: kill -9 at {0}, then resume")
    @ValueSource(strings = {"pre-snapshot#4!", "final-snapshot#4!", "restore#4!", "restore#8!"})
    void aTwoClaimPodResumesToBothClaimsMoved(String failpoint) throws Exception {
        SimWorlds.create(dir, "two-claims");
        SimWorlds.View before = SimWorlds.View.of(dir);
        String jobId = migrateUntil(dir, failpoint, "default/data-db-3");

        JsonNode result = resume(jobId);
        assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
        Moves.assertPodMoved(before, SimWorlds.View.of(dir), jobId, "db", "db-3", List.of("data-db-3", "wal-db-3"),
                result.get("toZone").asText());
    }

    /**
     * A move killed mid-way is seen from another machine (another state database) by `diagnose`, from the
     * cluster's evidence alone, and the command it gives finishes the move there with the data carried.
     */
    @Test
    void anInterruptedMoveIsFoundAndFinishedFromAnotherStateDatabase(@TempDir Path otherMachine) throws Exception {
        SimWorlds.create(dir, "two-claims");
        SimWorlds.View before = SimWorlds.View.of(dir);
        String jobId = migrateUntil(dir, "final-snapshot#4!", "default/data-db-3");
        String otherDb = otherMachine.resolve("state").toString();

        SimWorlds.Run diagnose = SimWorlds.run("--sim", dir.toString(), "--db", otherDb, "diagnose", "-A", "-o", "json");
        JsonNode findings = JSON.readTree(diagnose.out()).get("findings");
        JsonNode interrupted = findings.get(0);
        assertThat(interrupted.get("kind").asText()).isEqualTo("InterruptedMove");
        assertThat(interrupted.get("jobId").asText()).isEqualTo(jobId);
        assertThat(interrupted.get("statefulSetMissing").asBoolean()).isTrue();
        String command = interrupted.get("command").asText();
        assertThat(command).startsWith("zonemover jobs adopt default/");

        String[] adopt = (String.join(" ", "--sim", dir.toString(), "--db", otherDb) + " "
                + command.substring("zonemover ".length()) + " --yes --poll-interval 100ms -o json").split(" ");
        SimWorlds.Run run = SimWorlds.run(adopt);
        assertThat(run.exit()).as(run.err()).isZero();
        JsonNode result = JSON.readTree(run.out());
        assertThat(result.get("jobId").asText()).isEqualTo(jobId);
        assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
        Moves.assertPodMoved(before, SimWorlds.View.of(dir), jobId, "db", "db-3", List.of("data-db-3", "wal-db-3"),
                result.get("toZone").asText());
        SimWorlds.Run clean = SimWorlds.run("--sim", dir.toString(), "--db", otherDb, "diagnose", "-A", "-o", "json");
        assertThat(clean.out()).doesNotContain("InterruptedMove");
    }

    /**
     * After the pod is Ready in the new zone, the API server fails every call for longer than the retry
     * budget: the move fails resumable, and nothing sends the pod back; once the server answers, the resume
     * completes with every write kept.
     */
    @Test
    void anApiOutageAfterThePodRanNeverMovesItBack() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        SimWorlds.View before = SimWorlds.View.of(dir);
        String jobId = migrateUntil(dir, "finish#1", "default/www-web-3");
        assertThat(SimWorlds.run("sim", "fault", dir.toString(), "--kube-error-rate", "1").exit()).isZero();
        System.setProperty("zonemover.transient-budget-seconds", "4");
        try {
            SimWorlds.Run outage = SimWorlds.run("--sim", dir.toString(), "jobs", "resume", jobId, "--yes",
                    "--poll-interval", "100ms", "-o", "json");
            assertThat(outage.exit()).as(outage.err()).isEqualTo(1);
            JsonNode failed = JSON.readTree(outage.out());
            assertThat(failed.get("outcome").asText()).isEqualTo("FAILED");
            assertThat(failed.get("message").asText()).contains("kept failing").contains("nothing was rolled back");
        } finally {
            System.clearProperty("zonemover.transient-budget-seconds");
        }
        assertThat(SimWorlds.run("sim", "fault", dir.toString(), "--clear").exit()).isZero();
        SimWorlds.View during = SimWorlds.View.of(dir);
        String toZone = (String) during.pod("web-3").get("zone");
        assertThat(during.pod("web-3").get("ready")).isEqualTo(true);
        assertThat(toZone).isNotEqualTo(before.volume(before.claimVolume("www-web-3")).get("zone"));

        JsonNode result = resume(jobId);
        assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
        SimWorlds.View after = SimWorlds.View.of(dir);
        Moves.assertPodMoved(before, after, jobId, "web", "web-3", List.of("www-web-3"), toZone);
        Map<String, Object> restored = after.volume(after.claimVolume("www-web-3"));
        assertThat(((Number) restored.get("writes")).longValue()).as("the pod's writes on its new volume are kept")
                .isGreaterThan(((Number) after.snapshot((String) restored.get("snapshotId")).get("writes")).longValue());
    }

    @Test
    void twoConcurrentMovesOfOnePodLetExactlyOneProceedAndLeaveNoJobForTheOther(@TempDir Path otherMachine)
            throws Exception {
        for (int round = 0; round < 2; round++) {
            Path world = dir.resolve("round-" + round);
            SimWorlds.create(world, "two-claims");
            // Two machines: two state databases, so only the claims' annotations can decide.
            String[] a = {"--sim", world.toString(), "migrate", "default/data-db-3", "--to", "auto", "--yes",
                    "--poll-interval", "100ms"};
            String[] b = {"--sim", world.toString(), "--db", otherMachine.resolve("state-" + round).toString(), "migrate",
                    "--pod", "default/db-3", "--to", "auto", "--yes", "--poll-interval", "100ms"};
            try (ZonemoverProcess first = ZonemoverProcess.start(a); ZonemoverProcess second = ZonemoverProcess.start(b)) {
                int exitA = first.waitFor(RUN_TIMEOUT);
                int exitB = second.waitFor(RUN_TIMEOUT);
                assertThat(new int[] {exitA, exitB}).as(first.output() + "\n----\n" + second.output())
                        .containsExactlyInAnyOrder(0, 3);
                ZonemoverProcess loser = exitA == 3 ? first : second;
                assertThat(loser.output()).contains("held by").doesNotContain("jobs resume");
            }
            SimWorlds.View view = SimWorlds.View.of(world);
            assertThat(view.pod("db-3").get("ready")).isEqualTo(true);
            assertThat(view.list("volumes").stream().filter(v -> ((Map<?, ?>) v.get("tags"))
                    .containsKey("zonemover.io/source-volume"))).as("one new volume per claim").hasSize(2);
            long jobs = Moves.jobsList(world).size()
                    + Moves.jobsList(world, "--db", otherMachine.resolve("state-" + round).toString()).size();
            assertThat(jobs).as("the loser left no job behind").isEqualTo(1);
        }
    }

    /** Two processes sharing one PostgreSQL state database: its claim lock lets exactly one move proceed. */
    @Test
    void twoProcessesSharingAPostgresDatabaseLetExactlyOneMoveOfAPodProceed() throws Exception {
        SimWorlds.create(dir, "two-claims");
        String db = PostgresServer.freshDatabase("claimlock");
        String[] a = {"--sim", dir.toString(), "--db", db, "migrate", "default/data-db-3", "--to", "auto", "--yes",
                "--poll-interval", "100ms"};
        String[] b = {"--sim", dir.toString(), "--db", db, "migrate", "--pod", "default/db-3", "--to", "auto",
                "--yes", "--poll-interval", "100ms"};
        try (ZonemoverProcess first = ZonemoverProcess.start(a); ZonemoverProcess second = ZonemoverProcess.start(b)) {
            int exitA = first.waitFor(RUN_TIMEOUT);
            int exitB = second.waitFor(RUN_TIMEOUT);
            assertThat(new int[] {exitA, exitB}).as(first.output() + "\n----\n" + second.output())
                    .containsExactlyInAnyOrder(0, 3);
            ZonemoverProcess loser = exitA == 3 ? first : second;
            assertThat(loser.output()).containsAnyOf("locked by job", "held by");
        }
        SimWorlds.View view = SimWorlds.View.of(dir);
        assertThat(view.pod("db-3").get("ready")).isEqualTo(true);
        assertThat(view.list("volumes").stream().filter(v -> ((Map<?, ?>) v.get("tags"))
                .containsKey("zonemover.io/source-volume"))).as("one new volume per claim").hasSize(2);
        assertThat(Moves.jobsList(dir, "--db", db)).as("the loser left no job behind").hasSize(1);
    }

    @Test
    void otherCommandsWorkWhileAMigrationRunsAndCannotTakeItOver() throws Exception {
        // A slow world clock: the first full snapshot then takes long enough to look at the running job.
        SimWorlds.create(dir, "stuck-pod", 10);
        try (ZonemoverProcess migrate = ZonemoverProcess.start("--sim", dir.toString(), "migrate", "default/www-web-3",
                "--to", "auto", "--yes", "--poll-interval", "100ms")) {
            String jobId = jobIdOf(migrate);
            migrate.await(l -> l.contains(" pre-snapshot ") && l.contains("pending"), RUN_TIMEOUT);

            JsonNode job = Moves.jobsList(dir).get(0);
            assertThat(job.get("jobId").asText()).isEqualTo(jobId);
            assertThat(job.get("status").asText()).isEqualTo("STARTED");
            assertThat(job.get("runningIn").asText()).contains(" (pid ");
            assertThat(SimWorlds.run("--sim", dir.toString(), "jobs", "show", jobId).exit()).isZero();

            SimWorlds.Run takeOver = SimWorlds.run("--sim", dir.toString(), "jobs", "resume", jobId, "--yes");
            assertThat(takeOver.exit()).as(takeOver.err()).isEqualTo(3);
            assertThat(takeOver.err()).contains("is held by").contains("lease until");
            assertThat(migrate.waitFor(RUN_TIMEOUT)).as(migrate.output()).isZero();
        }
    }

    /** Runs `migrate` in its own process until the failpoint halts it; returns the job id. */
    static String migrateUntil(Path dir, String failpoint, String claim, String... db) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--sim", dir.toString()));
        args.addAll(List.of(db));
        args.addAll(List.of("migrate", claim, "--to", "auto", "--yes", "--poll-interval", "100ms"));
        try (ZonemoverProcess migrate = ZonemoverProcess.start(Map.of("ZONEMOVER_FAILPOINT", failpoint),
                args.toArray(String[]::new))) {
            String jobId = jobIdOf(migrate);
            assertThat(migrate.waitFor(RUN_TIMEOUT)).as("halted at the failpoint:\n" + migrate.output()).isEqualTo(137);
            return jobId;
        }
    }

    static String jobIdOf(ZonemoverProcess process) throws InterruptedException {
        Matcher m = JOB_ID.matcher(process.await(l -> JOB_ID.matcher(l).find(), RUN_TIMEOUT));
        assertThat(m.find()).isTrue();
        return m.group(1);
    }

    private JsonNode resume(String jobId, String... db) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("--sim", dir.toString()));
        args.addAll(List.of(db));
        args.addAll(List.of("jobs", "resume", jobId, "--yes", "--poll-interval", "100ms", "-o", "json"));
        SimWorlds.Run resume = SimWorlds.run(args.toArray(String[]::new));
        assertThat(resume.exit()).as(resume.err()).isZero();
        return JSON.readTree(resume.out());
    }
}
