package io.zonemover.sim.ec2;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.awscore.retry.AwsRetryStrategy;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.ec2.Ec2Client;
import software.amazon.awssdk.services.ec2.model.DescribeFastSnapshotRestoreSuccessItem;
import software.amazon.awssdk.services.ec2.model.Ec2Exception;
import software.amazon.awssdk.services.ec2.model.EnableFastSnapshotRestoresResponse;
import software.amazon.awssdk.services.ec2.model.Filter;
import software.amazon.awssdk.services.ec2.model.InitializationStatusDetails;
import software.amazon.awssdk.services.ec2.model.Snapshot;
import software.amazon.awssdk.services.ec2.model.Volume;
import software.amazon.awssdk.services.ec2.model.VolumeType;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Restored volumes' initialization and fast snapshot restore, through the real Ec2Client against the simulated
 * endpoint: the fields EC2 documents (Volume.VolumeInitializationRate and FastRestored, DescribeVolumeStatus'
 * InitializationStatusDetails, DescribeFastSnapshotRestores' states), and the time a volume takes to reach full
 * speed: its size over the rate asked, over the default pace without one, none with fast snapshot restore enabled.
 */
class VolumeInitializationTest {

    private static final long T0 = 1_700_000_000_000L;
    private static final String B = "us-east-1b";
    private static final String C = "us-east-1c";

    private final AtomicLong clock = new AtomicLong(T0);
    private final AtomicLong wallNanos = new AtomicLong(0);
    private Ec2Access.InMemory access;
    private HttpServer server;
    private Ec2Client ec2;

    @BeforeAll
    static void noDelay() {
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    @BeforeEach
    void start() throws Exception {
        access = new Ec2Access.InMemory(Ec2World.empty("us-east-1"), clock::get, true);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", new Ec2Endpoint(access, wallNanos::get));
        server.start();
        ec2 = Ec2Client.builder().region(Region.US_EAST_1)
                .endpointOverride(URI.create("http://127.0.0.1:" + server.getAddress().getPort()))
                .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create("test", "test")))
                .httpClient(UrlConnectionHttpClient.create())
                .overrideConfiguration(c -> c.retryStrategy(AwsRetryStrategy.doNotRetry()))
                .build();
    }

    @AfterEach
    void stop() {
        ec2.close();
        server.stop(0);
    }

    private void advance(long seconds) {
        clock.addAndGet(seconds * 1000);
        wallNanos.addAndGet(seconds * 1_000_000_000L);
    }

    /** A completed (full) snapshot of a new 10 GiB gp3 volume in us-east-1b. */
    private String snapshotOf10GiB() {
        String vol = ec2.createVolume(b -> b.availabilityZone(B).size(10).volumeType(VolumeType.GP3)).volumeId();
        advance(3);
        String snap = ec2.createSnapshot(b -> b.volumeId(vol)).snapshotId();
        advance(133); // 30 s + 10240 MiB at 100 MiB/s
        return snap;
    }

    private Volume volume(String id) {
        return ec2.describeVolumes(r -> r.volumeIds(id)).volumes().get(0);
    }

    private InitializationStatusDetails initialization(String id) {
        return ec2.describeVolumeStatus(r -> r.volumeIds(id)).volumeStatuses().get(0).initializationStatusDetails();
    }

    private String fsrState(String snapshot, String zone) {
        List<DescribeFastSnapshotRestoreSuccessItem> items = ec2.describeFastSnapshotRestores(r -> r.filters(
                Filter.builder().name("snapshot-id").values(snapshot).build(),
                Filter.builder().name("availability-zone").values(zone).build())).fastSnapshotRestores();
        return items.isEmpty() ? null : items.get(0).stateAsString();
    }

    @Test
    void aCompletedSnapshotCarriesItsCompletionTime() {
        String snap = snapshotOf10GiB();
        Snapshot s = ec2.describeSnapshots(r -> r.snapshotIds(snap)).snapshots().get(0);
        assertThat(Duration.between(s.startTime(), s.completionTime())).isEqualTo(Duration.ofMillis(30_000 + 102_400));
    }

    @Test
    void aProvisionedRateShowsOnTheVolumeAndLoadsItsBlocksInSizeOverRate() {
        String snap = snapshotOf10GiB();
        String vol = ec2.createVolume(b -> b.availabilityZone(C).snapshotId(snap).volumeType(VolumeType.GP3)
                .volumeInitializationRate(200)).volumeId();
        advance(10); // 5 s + 0.5 s per GiB: available; its blocks start loading now
        Volume v = volume(vol);
        assertThat(v.volumeInitializationRate()).isEqualTo(200);
        assertThat(v.fastRestored()).isFalse();
        InitializationStatusDetails at0 = initialization(vol);
        assertThat(at0.initializationTypeAsString()).isEqualTo("provisioned-rate");
        assertThat(at0.progress()).isZero();
        assertThat(at0.estimatedTimeToCompleteInSeconds()).isEqualTo(51L); // 10240 MiB / 200 MiB/s
        advance(26);
        assertThat(initialization(vol).progress()).isBetween(49L, 51L);
        advance(26);
        assertThat(initialization(vol).progress()).isEqualTo(100L);
        assertThat(initialization(vol).estimatedTimeToCompleteInSeconds()).isZero();
    }

    @Test
    void withoutARateTheDefaultPaceIsSlowAndGivesNoEstimate() {
        String snap = snapshotOf10GiB();
        String vol = ec2.createVolume(b -> b.availabilityZone(C).snapshotId(snap)).volumeId();
        advance(10);
        assertThat(volume(vol).volumeInitializationRate()).isNull();
        assertThat(initialization(vol).initializationTypeAsString()).isEqualTo("default");
        assertThat(initialization(vol).estimatedTimeToCompleteInSeconds()).isNull();
        advance(300);
        assertThat(initialization(vol).progress()).isLessThan(100L); // 10240 MiB at 30 MiB/s: 341 s
        advance(42);
        assertThat(initialization(vol).progress()).isEqualTo(100L);
        // An empty volume has nothing to load.
        String empty = ec2.createVolume(b -> b.availabilityZone(C).size(5)).volumeId();
        advance(3);
        assertThat(initialization(empty)).isNull();
    }

    @Test
    void aRateIsRefusedOutsideEc2sRangeAndWithoutASnapshot() {
        String snap = snapshotOf10GiB();
        assertThatThrownBy(() -> ec2.createVolume(b -> b.availabilityZone(C).snapshotId(snap)
                .volumeInitializationRate(301))).isInstanceOfSatisfying(Ec2Exception.class,
                e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterValue"));
        assertThatThrownBy(() -> ec2.createVolume(b -> b.availabilityZone(C).size(10).volumeInitializationRate(200)))
                .isInstanceOfSatisfying(Ec2Exception.class,
                        e -> assertThat(e.awsErrorDetails().errorCode()).isEqualTo("InvalidParameterCombination"));
    }

    @Test
    void fastSnapshotRestoreGoesEnablingOptimizingEnabledAndItsVolumesAreFullSpeedAtOnce() {
        String snap = snapshotOf10GiB();
        EnableFastSnapshotRestoresResponse enabled = ec2.enableFastSnapshotRestores(r -> r.sourceSnapshotIds(snap)
                .availabilityZones(C));
        assertThat(enabled.unsuccessful()).isEmpty();
        assertThat(enabled.successful()).singleElement().satisfies(i -> {
            assertThat(i.snapshotId()).isEqualTo(snap);
            assertThat(i.availabilityZone()).isEqualTo(C);
            assertThat(i.stateAsString()).isEqualTo("enabling");
        });
        assertThat(fsrState(snap, C)).isEqualTo("enabling");
        assertThat(fsrState(snap, B)).isNull();
        advance(30);
        assertThat(fsrState(snap, C)).isEqualTo("optimizing");
        // A volume created while it optimizes loads as any other.
        String early = ec2.createVolume(b -> b.availabilityZone(C).snapshotId(snap)).volumeId();
        advance(60); // 60 minutes per TiB, at least a minute
        assertThat(fsrState(snap, C)).isEqualTo("enabled");
        String fast = ec2.createVolume(b -> b.availabilityZone(C).snapshotId(snap)).volumeId();
        String elsewhere = ec2.createVolume(b -> b.availabilityZone(B).snapshotId(snap)).volumeId();
        advance(10);
        assertThat(volume(fast).fastRestored()).isTrue();
        assertThat(initialization(fast).progress()).isEqualTo(100L);
        assertThat(volume(early).fastRestored()).isFalse();
        assertThat(initialization(early).progress()).isLessThan(100L);
        assertThat(volume(elsewhere).fastRestored()).isFalse();

        ec2.disableFastSnapshotRestores(r -> r.sourceSnapshotIds(snap).availabilityZones(C));
        assertThat(fsrState(snap, C)).isEqualTo("disabling");
        advance(10);
        assertThat(fsrState(snap, C)).isEqualTo("disabled");
    }

    @Test
    void enablingAPendingOrUnknownSnapshotIsAPerItemRefusal() {
        String vol = ec2.createVolume(b -> b.availabilityZone(B).size(10)).volumeId();
        advance(3);
        String pending = ec2.createSnapshot(b -> b.volumeId(vol)).snapshotId();
        EnableFastSnapshotRestoresResponse r = ec2.enableFastSnapshotRestores(b -> b
                .sourceSnapshotIds(pending, "snap-0000000000000dead").availabilityZones(C));
        assertThat(r.successful()).isEmpty();
        assertThat(r.unsuccessful()).extracting(u -> u.fastSnapshotRestoreStateErrors().get(0).error().code())
                .containsExactly("IncorrectState", "InvalidSnapshot.NotFound");
    }

    @Test
    void aReaderIsSlowWhileTheBlocksLoadAndFullSpeedAfter() {
        String snap = snapshotOf10GiB();
        String vol = ec2.createVolume(b -> b.availabilityZone(C).snapshotId(snap).volumeType(VolumeType.GP3)
                .volumeInitializationRate(100)).volumeId();
        advance(10);
        long now = clock.get();
        access.with((w, t) -> {
            // 1024 MiB while loading at 100 MiB/s: 10.24 s; once loaded, at gp3's 125 MiB/s: 8.19 s.
            assertThat(w.readMillis(vol, 1024, t)).isEqualTo(10_240);
            assertThat(w.readMillis(vol, 1024, now + 200_000)).isEqualTo(8_192);
            // Starting 100 s in: 2.4 s at 100 MiB/s until loaded (at 102.4 s), the remaining 784 MiB at 125.
            assertThat(w.readMillis(vol, 1024, now + 100_000)).isEqualTo(2_400 + 784 * 1000 / 125);
            return null;
        }, false);
    }
}
