package io.zonemover.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Kills a real `zonemover migrate` process with SIGKILL at step boundaries and inside long waits, then
 * resumes (or rolls back) the job, and checks the end state: one new volume, no lost write, no claim on an
 * empty volume, the StatefulSet present.
 */
class CrashResumeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern JOB_ID = Pattern.compile("job (zm-[0-9a-f]+) started");
    private static final Duration STEP_TIMEOUT = Duration.ofSeconds(90);


    @TempDir
    Path dir;

    @ParameterizedTest(name = "kill -9 at {0}, then resume")
    @ValueSource(strings = {
            "protect|annotated", "protect|-> Retain", "pre-snapshot| of vol-", "pre-snapshot|pending",
            "quiesce|propagationPolicy=Orphan", "quiesce|pod default/web-3 deleted", "quiesce|detached",
            "final-snapshot| of vol-", "final-snapshot|pending", "restore| from snap-", "restore|is available in",
            "rebind|old claim", "rebind|reserved for", "rebind|volumeName=", "restart|saved manifest",
            "restart|pod web-3:"})
    void resumeConvergesAfterAKill(String killPoint) throws Exception {
        SimWorlds.create(dir, "stuck-pod", timeScaleFor(killPoint));
        SimWorlds.View before = SimWorlds.View.of(dir);
        String oldVolume = before.claimVolume("www-web-3");
        String jobId = migrateAndKillAt(killPoint);

        SimWorlds.Run resume = SimWorlds.run("--sim", dir.toString(), "jobs", "resume", jobId, "--yes",
                "--poll-interval", "100ms", "-o", "json");
        assertThat(resume.exit()).as(resume.err()).isZero();
        JsonNode result = JSON.readTree(resume.out());
        assertThat(result.get("status").asText()).isEqualTo("COMPLETED");
        MigrationEndToEndTest.assertMigrated(SimWorlds.View.of(dir), jobId, oldVolume,
                result.get("newVolumeId").asText(), result.get("toZone").asText());

        SimWorlds.Run list = SimWorlds.run("--sim", dir.toString(), "jobs", "list", "-o", "json");
        JsonNode jobs = JSON.readTree(list.out());
        assertThat(jobs).hasSize(1);
        assertThat(jobs.get(0).get("status").asText()).isEqualTo("COMPLETED");
    }

    @ParameterizedTest(name = "kill -9 at {0}, then roll back")
    @ValueSource(strings = {
            "protect|-> Retain", "pre-snapshot|pending", "quiesce|propagationPolicy=Orphan", "final-snapshot| of vol-",
            "restore| from snap-", "rebind|old claim", "rebind|volumeName=", "restart|pod web-3:"})
    void rollbackReturnsTheClaimToItsOriginalVolume(String killPoint) throws Exception {
        SimWorlds.create(dir, "stuck-pod", timeScaleFor(killPoint));
        SimWorlds.View before = SimWorlds.View.of(dir);
        String oldVolume = before.claimVolume("www-web-3");
        String oldPv = (String) before.pvc("www-web-3").get("volumeName");
        Object oldPolicy = before.pv(oldPv).orElseThrow().get("reclaimPolicy");
        String jobId = migrateAndKillAt(killPoint);

        SimWorlds.Run rollback = SimWorlds.run("--sim", dir.toString(), "jobs", "rollback", jobId, "--yes",
                "--poll-interval", "100ms");
        assertThat(rollback.exit()).as(rollback.err() + rollback.out()).isZero();

        SimWorlds.View after = SimWorlds.View.of(dir);
        assertThat(after.pvc("www-web-3").get("phase")).isEqualTo("Bound");
        assertThat(after.pvc("www-web-3").get("volumeName")).isEqualTo(oldPv);
        assertThat(after.claimVolume("www-web-3")).isEqualTo(oldVolume);
        assertThat(after.pv(oldPv).orElseThrow().get("reclaimPolicy")).isEqualTo(oldPolicy);
        assertThat(after.statefulSet("web")).as("StatefulSet restored").isPresent();
        assertThat(after.find("pods", p -> "web-3".equals(p.get("name")))).as("web-3 recreated").isPresent();
        Map<String, Object> old = after.volume(oldVolume);
        assertThat(((Number) old.get("writes")).longValue())
                .isEqualTo(((Number) before.volume(oldVolume).get("writes")).longValue());
        assertThat(after.list("volumes")).as("nothing deleted").hasSizeGreaterThanOrEqualTo(before.list("volumes").size());
    }

    @Test
    void twoConcurrentMigrationsOfOneClaimLetExactlyOneProceed() throws Exception {
        SimWorlds.create(dir, "stuck-pod");
        String[] args = {"--sim", dir.toString(), "migrate", "default/www-web-3", "--to", "auto", "--yes",
                "--poll-interval", "100ms"};
        try (ZonemoverProcess a = ZonemoverProcess.start(args); ZonemoverProcess b = ZonemoverProcess.start(args)) {
            int exitA = a.waitFor(Duration.ofMinutes(3));
            int exitB = b.waitFor(Duration.ofMinutes(3));
            assertThat(new int[] {exitA, exitB}).as(a.output() + "\n----\n" + b.output()).containsExactlyInAnyOrder(0, 3);
        }
        SimWorlds.View view = SimWorlds.View.of(dir);
        assertThat(view.pod("web-3").get("ready")).isEqualTo(true);
        assertThat(view.list("volumes").stream().filter(v -> {
            Map<?, ?> tags = (Map<?, ?>) v.get("tags");
            return tags != null && tags.containsKey("zonemover.io/job") && v.get("snapshotId") != null;
        })).hasSize(1);
    }

    @Test
    void otherCommandsWorkWhileAMigrationRunsAndCannotTakeItOver() throws Exception {
        // A slow world clock: the first full snapshot then takes long enough to look at the running job.
        SimWorlds.create(dir, "stuck-pod", 10);
        try (ZonemoverProcess migrate = ZonemoverProcess.start("--sim", dir.toString(), "migrate", "default/www-web-3",
                "--to", "auto", "--yes", "--poll-interval", "100ms")) {
            Matcher m = JOB_ID.matcher(migrate.await(l -> JOB_ID.matcher(l).find(), STEP_TIMEOUT));
            assertThat(m.find()).isTrue();
            String jobId = m.group(1);
            migrate.await(l -> l.contains(" pre-snapshot ") && l.contains("pending"), STEP_TIMEOUT);

            SimWorlds.Run list = SimWorlds.run("--sim", dir.toString(), "jobs", "list", "-o", "json");
            assertThat(list.exit()).as(list.err()).isZero();
            JsonNode job = JSON.readTree(list.out()).get(0);
            assertThat(job.get("jobId").asText()).isEqualTo(jobId);
            assertThat(job.get("status").asText()).isEqualTo("STARTED");
            assertThat(job.get("runningIn").asText()).startsWith("pid ");
            assertThat(SimWorlds.run("--sim", dir.toString(), "jobs", "show", jobId).exit()).isZero();

            SimWorlds.Run takeOver = SimWorlds.run("--sim", dir.toString(), "jobs", "resume", jobId, "--yes");
            assertThat(takeOver.exit()).as(takeOver.err()).isEqualTo(3);
            assertThat(takeOver.err()).contains("is running in process");
            assertThat(migrate.waitFor(Duration.ofMinutes(3))).as(migrate.output()).isZero();
        }
    }

    /**
     * Kill points inside a wait need the wait to last a few polls even on a slow machine: the world's clock
     * runs slower for them (a small final snapshot or a pod start is well under a second of wall time at 120x).
     */
    private static double timeScaleFor(String killPoint) {
        return killPoint.contains("pending") || killPoint.contains("pod web-3:") ? 30 : SimWorlds.TIME_SCALE;
    }

    private String migrateAndKillAt(String killPoint) throws Exception {
        String step = killPoint.substring(0, killPoint.indexOf('|'));
        String text = killPoint.substring(killPoint.indexOf('|') + 1);
        try (ZonemoverProcess migrate = ZonemoverProcess.start("--sim", dir.toString(), "migrate", "default/www-web-3",
                "--to", "auto", "--yes", "--poll-interval", "100ms")) {
            String started = migrate.await(l -> JOB_ID.matcher(l).find(), STEP_TIMEOUT);
            Matcher m = JOB_ID.matcher(started);
            assertThat(m.find()).isTrue();
            migrate.await(l -> l.contains(" " + step + " ") && l.contains(text), STEP_TIMEOUT);
            migrate.kill();
            return m.group(1);
        }
    }
}
