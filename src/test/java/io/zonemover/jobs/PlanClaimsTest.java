package io.zonemover.jobs;

import io.zonemover.state.PlanStore;
import io.zonemover.state.PlanStore.Move;
import io.zonemover.state.PlanStore.MoveState;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Claims on a real database (H2 here; the URL is one parameter): the plan's row lock serializes claimers on many
 * connections, the primary key decides which worker creates a plan, and leases run on the database's clock.
 */
class PlanClaimsTest {

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path base;

    private DriverManagerDataSource ds;
    private PlanStore plans;

    /** The database the claims are tested on: H2 in memory unless ZONEMOVER_TEST_DB names another JDBC URL. */
    private static String databaseUrl() {
        String url = System.getenv("ZONEMOVER_TEST_DB");
        return url != null && !url.isBlank() ? url : "jdbc:h2:mem:claims-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    }

    @BeforeEach
    void database() {
        ds = new DriverManagerDataSource(databaseUrl(), "sa", "");
        plans = new PlanStore(ds);
    }

    private String create(String id, List<String> sets, int parallel, Duration lease) {
        List<Move> moves = new ArrayList<>();
        for (int i = 0; i < sets.size(); i++) {
            moves.add(new Move(id, i, "fleet/" + sets.get(i) + "-" + i, "fleet/" + sets.get(i), "us-east-1b",
                    "us-east-1c", null, MoveState.WAITING, null, null, null));
        }
        assertThat(plans.createShared(new PlanStore.Plan(id, "spread", "f.yaml", "{}", parallel, 1, 1, null, null, null,
                null, null), moves, lease)).isTrue();
        return id;
    }

    private PlanStore.Claim<MoveClaims.Decision> claim(String id, String worker) {
        return plans.claim(id, worker, (plan, moves, now) -> {
            MoveClaims.Decision d = MoveClaims.decide(plan, moves, now, set -> Optional.empty());
            boolean take = d.kind() == MoveClaims.Kind.TAKE || d.kind() == MoveClaims.Kind.TAKE_OVER;
            return new PlanStore.Claim<>(take ? d.move() : null, d);
        });
    }

    @Test
    void theFirstWorkerCreatesThePlanAndTheOthersFindItWhole() throws Exception {
        int workers = 6;
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(workers);
        List<Future<Boolean>> created = new ArrayList<>();
        List<Move> moves = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            moves.add(new Move("zp-race", i, "fleet/s-" + i, "fleet/s" + i, "a", "b", null, MoveState.WAITING, null,
                    null, null));
        }
        for (int w = 0; w < workers; w++) {
            created.add(pool.submit(() -> {
                go.await();
                boolean mine = plans.createShared(new PlanStore.Plan("zp-race", "spread", "f.yaml", "{}", 3, 1, 1, null,
                        null, null, null, null), moves, Duration.ofSeconds(30));
                // Whoever created it, the plan a worker finds next has every move.
                assertThat(plans.moves("zp-race")).hasSize(30);
                return mine;
            }));
        }
        go.countDown();
        int creators = 0;
        for (Future<Boolean> f : created) {
            creators += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
        }
        pool.shutdown();
        assertThat(creators).as("exactly one worker created the plan").isEqualTo(1);
        assertThat(plans.find("zp-race").orElseThrow().leaseSeconds()).isEqualTo(30);
    }

    /** Eight workers on eight connections claim and finish 24 moves: each move once, the limits held throughout. */
    @Test
    void concurrentClaimersTakeEachMoveOnceWithinTheLimits() throws Exception {
        List<String> sets = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            sets.add("s" + i % 5);
        }
        String id = create("zp-many", sets, 3, Duration.ofSeconds(30));
        Map<Integer, String> takenBy = new ConcurrentHashMap<>();
        AtomicInteger doubleTaken = new AtomicInteger();
        Map<String, Integer> running = new HashMap<>();
        AtomicInteger maxInFlight = new AtomicInteger();
        AtomicInteger setTwice = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < 8; w++) {
            String worker = "w" + w;
            done.add(pool.submit(() -> {
                while (true) {
                    PlanStore.Claim<MoveClaims.Decision> c;
                    try {
                        c = claim(id, worker);
                    } catch (TransientDataAccessException e) {
                        Thread.sleep(5);
                        continue;
                    }
                    if (c.decision().kind() == MoveClaims.Kind.COMPLETE) {
                        return null;
                    }
                    if (c.move() == null) {
                        Thread.sleep(5);
                        continue;
                    }
                    if (takenBy.putIfAbsent(c.move().index(), worker) != null) {
                        doubleTaken.incrementAndGet();
                    }
                    synchronized (running) {
                        if (running.merge(c.move().statefulSet(), 1, Integer::sum) > 1) {
                            setTwice.incrementAndGet();
                        }
                        maxInFlight.accumulateAndGet(running.values().stream().mapToInt(Integer::intValue).sum(), Math::max);
                    }
                    Thread.sleep(10 + (long) (Math.random() * 20));
                    synchronized (running) {
                        running.merge(c.move().statefulSet(), -1, Integer::sum);
                    }
                    plans.ended(id, c.move().index(), MoveState.DONE, "moved");
                }
            }));
        }
        for (Future<?> f : done) {
            f.get(60, TimeUnit.SECONDS);
        }
        pool.shutdown();
        assertThat(takenBy).as("every move taken").hasSize(24);
        assertThat(doubleTaken.get()).as("no move taken twice").isZero();
        assertThat(setTwice.get()).as("never two moves of one StatefulSet at once").isZero();
        assertThat(maxInFlight.get()).as("never more than --parallel 3 in flight").isBetween(1, 3);
        assertThat(plans.moves(id)).extracting(Move::worker).doesNotContainNull();
        assertThat(Collections.frequency(plans.moves(id).stream().map(Move::state).toList(), MoveState.DONE)).isEqualTo(24);
    }

    /** Workers on separate connection pools to one database server: a fresh lease is live for the others. */
    @Test
    void aFreshLeaseHoldsForWorkersOnOtherConnections() throws Exception {
        org.h2.tools.Server server = org.h2.tools.Server.createTcpServer("-tcpPort", "0", "-baseDir", base.toString(),
                "-ifNotExists").start();
        try {
            String url = "jdbc:h2:tcp://localhost:" + server.getPort() + "/state";
            PlanStore w1 = new PlanStore(new DriverManagerDataSource(url, "sa", ""));
            PlanStore w2 = new PlanStore(new DriverManagerDataSource(url, "sa", ""));
            plans = w1;
            String id = create("zp-tcp", List.of("a", "b", "c"), 3, Duration.ofSeconds(6));
            plans.ended(id, 0, MoveState.DONE, "moved");
            plans.ended(id, 1, MoveState.DONE, "moved");
            assertThat(claim(id, "w1").decision().kind()).isEqualTo(MoveClaims.Kind.TAKE);
            plans = w2;
            // Well within the 6 s lease (nothing renews it here): every look sees it live.
            long until = System.nanoTime() + 2_500_000_000L;
            while (System.nanoTime() < until) {
                PlanStore.Claim<MoveClaims.Decision> c = claim(id, "w2");
                assertThat(c.decision().kind()).as(c.decision() + " " + w2.moves(id).get(2)).isNotEqualTo(
                        MoveClaims.Kind.TAKE_OVER);
                Thread.sleep(200);
            }
        } finally {
            server.stop();
        }
    }

    /** Budget checks under the lock that take longer than the lease do not hand the move out half-claimed. */
    @Test
    void aSlowDecisionDoesNotShortenTheLease() {
        String id = create("zp-slow", List.of("orders"), 1, Duration.ofSeconds(3));
        plans.claim(id, "w1", (plan, moves, now) -> {
            try {
                Thread.sleep(3_500);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            return new PlanStore.Claim<>(moves.get(0), null);
        });
        assertThat(claim(id, "w2").decision().kind()).as("w1's lease counts from the end of its decision")
                .isEqualTo(MoveClaims.Kind.WAIT);
    }

    @Test
    void aLeaseRunsOnTheDatabasesClockAndALapsedOneIsTakenOverOnce() throws Exception {
        String id = create("zp-lease", List.of("orders", "catalog"), 1, Duration.ofSeconds(3));
        OffsetDateTime before = new JdbcTemplate(ds).queryForObject("SELECT CURRENT_TIMESTAMP", OffsetDateTime.class);
        PlanStore.Claim<MoveClaims.Decision> first = claim(id, "w1");
        assertThat(first.decision().kind()).isEqualTo(MoveClaims.Kind.TAKE);
        Move held = plans.moves(id).get(0);
        assertThat(held.worker()).isEqualTo("w1");
        assertThat(held.state()).isEqualTo(MoveState.RUNNING);
        assertThat(Duration.between(before.toInstant(), held.leaseUntil()).toMillis()).as("lease = database now + 3 s")
                .isBetween(2_500L, 6_000L);

        assertThat(claim(id, "w2").move()).as("w1's lease is live; the ramp allows one move").isNull();
        assertThat(plans.renew(id, 0, "w1")).isTrue();

        Instant lapsed = plans.moves(id).get(0).leaseUntil();
        while (Instant.now().isBefore(lapsed.plusMillis(300))) {
            Thread.sleep(100);
        }
        PlanStore.Claim<MoveClaims.Decision> over = claim(id, "w2");
        assertThat(over.decision().kind()).isEqualTo(MoveClaims.Kind.TAKE_OVER);
        Move taken = plans.moves(id).get(0);
        assertThat(taken.worker()).isEqualTo("w2");
        assertThat(taken.previousWorker()).isEqualTo("w1");
        assertThat(claim(id, "w3").move()).as("taken over once: w2's lease is fresh").isNull();
        assertThat(plans.renew(id, 0, "w1")).as("w1 no longer holds it").isFalse();

        plans.ended(id, 0, MoveState.DONE, "moved");
        assertThat(plans.moves(id).get(0).leaseUntil()).as("an ended move holds no lease").isNull();
        assertThat(plans.renew(id, 0, "w2")).as("an ended move is no one's to renew").isFalse();
    }
}
