package io.zonemover.state;

import io.zonemover.domain.ZonemoverException;
import io.zonemover.testing.PostgresServer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DriverManagerDataSource;

import javax.sql.DataSource;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A job's lease on H2 and on PostgreSQL: one holder at a time, refused while live, taken once expired by the
 * database's clock, never won by two racers, and a holder that was taken over learns it before acting again.
 */
class JobLeasesTest {

    private static final Instance A = new Instance("machine-a", 1001, "aaaa", null);
    private static final Instance B = new Instance("machine-b", 1002, "bbbb", null);

    private static DataSource database(String kind) {
        if (kind.equals("postgres")) {
            return new DriverManagerDataSource(PostgresServer.freshDatabase("leases"));
        }
        return new DriverManagerDataSource("jdbc:h2:mem:leases-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1", "sa", "");
    }

    private static JobLeases leases(DataSource ds, Instance who, Duration lease) {
        Schema.migrate(ds);
        return new JobLeases(new JdbcTemplate(ds), lease, who);
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void aLiveLeaseIsRefusedNamingItsHolderAndAnExpiredOneIsTaken(String kind) throws Exception {
        DataSource ds = database(kind);
        JobLeases a = leases(ds, A, Duration.ofMillis(2500));
        JobLeases b = leases(ds, B, Duration.ofSeconds(30));

        assertThat(a.take("zm-1")).isEmpty();
        Optional<MigrationStore.Owner> refused = b.take("zm-1");
        assertThat(refused).get().satisfies(o -> {
            assertThat(o.host()).isEqualTo("machine-a");
            assertThat(o.instanceId()).isEqualTo("aaaa");
            assertThat(o.live()).isTrue();
            assertThat(o.leaseLeft()).isBetween(Duration.ofMillis(500), Duration.ofMillis(2500));
            assertThat(o.leaseWords()).startsWith("until ");
        });
        assertThat(a.take("zm-1")).as("taking one's own lease again renews it").isEmpty();

        Thread.sleep(3000);
        assertThat(b.find("zm-1")).get().satisfies(o -> assertThat(o.live()).isFalse());
        assertThat(b.take("zm-1")).as("expired: taken over").isEmpty();
        assertThat(b.find("zm-1")).get().satisfies(o -> {
            assertThat(o.host()).isEqualTo("machine-b");
            assertThat(o.leaseLeft()).isGreaterThan(Duration.ofSeconds(20));
        });

        assertThat(a.renew("zm-1")).as("the old holder's heartbeat finds it taken").isFalse();
        assertThatThrownBy(() -> a.checkStillOwner("zm-1")).isInstanceOfSatisfying(ZonemoverException.class, e -> {
            assertThat(e.kind()).isEqualTo(ZonemoverException.Kind.FAILED);
            assertThat(e.getMessage()).contains("taken over by machine-b").contains("stopped acting");
        });
        b.checkStillOwner("zm-1");

        b.release("zm-1");
        assertThatThrownBy(() -> a.checkStillOwner("zm-1")).as("released by the one that took it: still not ours")
                .hasMessageContaining("finished with it");
        a.release("zm-1");
        a.checkStillOwner("zm-1");
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void renewalKeepsALeaseLivePastItsFirstLength(String kind) throws Exception {
        DataSource ds = database(kind);
        JobLeases a = leases(ds, A, Duration.ofSeconds(2));
        JobLeases b = leases(ds, B, Duration.ofSeconds(2));
        assertThat(a.take("zm-2")).isEmpty();
        for (int i = 0; i < 5; i++) {
            Thread.sleep(700);
            assertThat(a.renew("zm-2")).isTrue();
        }
        assertThat(b.take("zm-2")).as("3.5 s after taking a 2 s lease, renewed: still held").isPresent();
    }

    /** Expiry is the database's clock against the database's clock: the taker's own clock never enters. */
    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void expiryIsJudgedByTheDatabaseClock(String kind) {
        DataSource ds = database(kind);
        JobLeases a = leases(ds, A, Duration.ofSeconds(30));
        assertThat(a.take("zm-3")).isEmpty();
        // A holder whose lease ended a minute ago by the database's clock, whatever this machine's clock says.
        new JdbcTemplate(ds).update("UPDATE ZM_OWNER SET LEASE_UNTIL = CURRENT_TIMESTAMP - INTERVAL '60' SECOND");
        JobLeases b = leases(ds, B, Duration.ofSeconds(30));
        assertThat(b.find("zm-3")).get().satisfies(o -> {
            assertThat(o.live()).isFalse();
            assertThat(o.leaseWords()).startsWith("expired 60 s ago");
        });
        assertThat(b.take("zm-3")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"h2", "postgres"})
    void ofManyProcessesRacingForAnExpiredLeaseExactlyOneWins(String kind) throws Exception {
        DataSource ds = database(kind);
        int racers = 6;
        List<JobLeases> all = new ArrayList<>();
        for (int i = 0; i < racers; i++) {
            all.add(leases(ds, new Instance("machine-" + i, 2000 + i, "racer-" + i, null), Duration.ofSeconds(30)));
        }
        ExecutorService pool = Executors.newFixedThreadPool(racers);
        try {
            for (int round = 0; round < 15; round++) {
                String job = "zm-race-" + round;
                if (round % 2 == 1) {
                    // Odd rounds race for a lease left expired by a dead holder elsewhere; even ones for a new job.
                    leases(ds, new Instance("gone", 9, "gone", null), Duration.ofSeconds(30)).take(job);
                    new JdbcTemplate(ds).update("UPDATE ZM_OWNER SET LEASE_UNTIL = CURRENT_TIMESTAMP - INTERVAL '1' "
                            + "SECOND WHERE MIGRATION_ID = ?", job);
                }
                CountDownLatch start = new CountDownLatch(1);
                List<Future<Boolean>> won = new ArrayList<>();
                for (JobLeases racer : all) {
                    won.add(pool.submit(() -> {
                        start.await();
                        return racer.take(job).isEmpty();
                    }));
                }
                start.countDown();
                int winners = 0;
                for (Future<Boolean> f : won) {
                    winners += f.get() ? 1 : 0;
                }
                assertThat(winners).as("round " + round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
