package io.zonemover.jobs;

import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;
import io.zonemover.testing.FakeWorld;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.zonemover.jobs.MoveStepsTest.C;
import static io.zonemover.jobs.MoveStepsTest.NS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Two moves of the same pod racing to protect its claims: exactly one holds them, the other is refused. */
class ClaimLockTest {

    private static final String A = "zm-aaaaaa";
    private static final String B = "zm-bbbbbb";

    private static StepDriver job(FakeWorld world, String id) throws Exception {
        Map<String, String> params = StepDriver.move("default/www-web-1", C);
        params.put(MigrationJob.PARAM_ID, id);
        StepDriver d = new StepDriver(world, params);
        d.run("preflight");
        return d;
    }

    private static List<String> holders(FakeWorld world) {
        return List.of(String.valueOf(world.cluster().claimState(NS, "www-web-1").annotations.get(Tags.MIGRATION_ANNOTATION)),
                String.valueOf(world.cluster().claimState(NS, "data-web-1").annotations.get(Tags.MIGRATION_ANNOTATION)));
    }

    @Test
    void theJobWhoseCompareAndSetComesSecondIsRefusedEvenThoughItReadTheClaimFree() throws Exception {
        FakeWorld world = MoveStepsTest.twoClaimPods();
        StepDriver a = job(world, A);
        StepDriver b = job(world, B);
        AtomicBoolean once = new AtomicBoolean();
        world.cluster().beforeCompareAndSet(() -> {
            if (once.compareAndSet(false, true)) {
                try {
                    b.run("protect");
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        });
        assertThatThrownBy(() -> a.run("protect")).isInstanceOfSatisfying(ZonemoverException.class, e -> {
            assertThat(e.kind()).isEqualTo(ZonemoverException.Kind.REFUSED);
            assertThat(e.getMessage()).contains("held by move " + B);
        });
        assertThat(holders(world)).containsExactly(B, B);
        assertThat(a.ctx().has(MoveRecord.ACTIVE)).isFalse();
        assertThat(world.cluster().configMapNames()).containsExactly(NS + "/" + MoveRecord.name(B));
    }

    @Test
    void ofTwoJobsProtectingTheSameClaimsAtOnceExactlyOneWins() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int trial = 0; trial < 25; trial++) {
                FakeWorld world = MoveStepsTest.twoClaimPods();
                List<StepDriver> jobs = List.of(job(world, A), job(world, B));
                CountDownLatch start = new CountDownLatch(1);
                List<Future<String>> outcomes = new ArrayList<>();
                for (StepDriver job : jobs) {
                    outcomes.add(pool.submit(() -> {
                        start.await();
                        try {
                            job.run("protect");
                            return "won";
                        } catch (ZonemoverException e) {
                            return e.kind() == ZonemoverException.Kind.REFUSED ? "refused" : e.toString();
                        }
                    }));
                }
                start.countDown();
                List<String> results = new ArrayList<>();
                for (Future<String> outcome : outcomes) {
                    results.add(outcome.get(30, TimeUnit.SECONDS));
                }
                assertThat(results).as("trial " + trial).containsExactlyInAnyOrder("won", "refused");
                String winner = results.get(0).equals("won") ? A : B;
                assertThat(holders(world)).as("trial " + trial).containsExactly(winner, winner);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
