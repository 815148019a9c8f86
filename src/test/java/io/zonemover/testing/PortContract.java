package io.zonemover.testing;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.PortError;
import io.zonemover.domain.Tags;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What every implementation of the two ports must do, whoever answers behind them (the in-memory fakes, or
 * the real adapters over the simulated world or a real cluster): reads are empty when the object is absent;
 * creating what exists and deleting what is gone are success; {@code lockClaim} is a compare-and-set that
 * never overwrites another holder; {@code unlockClaim} removes only its own; batch reads leave out unknown
 * ids; a ClientToken makes CreateVolume return the same volume. A subclass supplies a fresh world per test.
 */
public abstract class PortContract {

    private static final String LOCK = Tags.MIGRATION_ANNOTATION;
    private static final String NO_VOLUME = "vol-0000000000000dead";
    private static final String NO_SNAPSHOT = "snap-0000000000000dead";

    /** Makes a fresh world for the next test: a Bound claim no move holds, and its EBS volume. */
    protected abstract void newWorld() throws Exception;

    protected abstract Cluster cluster();

    protected abstract BlockStore blockStore();

    /** A Bound claim of a StatefulSet pod, with no lock annotation. */
    protected abstract ClaimRef freeClaim();

    /** Lets the world's time pass a little (pending snapshots complete, controllers run). */
    protected abstract void settle() throws Exception;

    @BeforeEach
    void world() throws Exception {
        newWorld();
    }

    private String ns() {
        return freeClaim().namespace();
    }

    private Cluster.Claim claim() {
        return cluster().claim(freeClaim()).orElseThrow();
    }

    private String volumeId() {
        return cluster().pv(claim().volumeName()).orElseThrow().volumeId();
    }

    // ---- reads ----

    @Test
    void readsAreEmptyWhenTheObjectIsAbsent() {
        assertThat(cluster().claim(new ClaimRef(ns(), "no-such-claim"))).isEmpty();
        assertThat(cluster().pv("no-such-pv")).isEmpty();
        assertThat(cluster().pod(ns(), "no-such-pod-0")).isEmpty();
        assertThat(cluster().statefulSet(ns(), "no-such-sts")).isEmpty();
        assertThat(cluster().statefulSetOwning(new ClaimRef(ns(), "www-no-such-sts-0"))).isEmpty();
        assertThat(cluster().configMap(ns(), "no-such-configmap")).isEmpty();
        assertThat(cluster().podsOf(ns(), "no-such-sts")).isEmpty();
        assertThat(cluster().attachedInCluster(List.of("no-such-pv"))).isFalse();
        assertThat(blockStore().volume(NO_VOLUME)).isEmpty();
        assertThat(blockStore().snapshot(NO_SNAPSHOT)).isEmpty();
        assertThat(blockStore().volumesTagged(Tags.JOB, "zm-nobody")).isEmpty();
        assertThat(blockStore().snapshotsTagged(Tags.JOB, "zm-nobody")).isEmpty();
    }

    @Test
    void readsFindWhatExists() {
        Cluster.Claim claim = claim();
        assertThat(claim.phase()).isEqualTo("Bound");
        assertThat(claim.resourceVersion()).isNotBlank();
        Cluster.Pv pv = cluster().pv(claim.volumeName()).orElseThrow();
        assertThat(pv.ebs()).isTrue();
        assertThat(pv.claimName()).isEqualTo(freeClaim().name());
        EbsVolume volume = blockStore().volume(pv.volumeId()).orElseThrow();
        assertThat(volume.zone()).isEqualTo(pv.zone());
        assertThat(cluster().statefulSetOwning(freeClaim())).isPresent();
    }

    @Test
    void batchReadsLeaveOutUnknownIds() {
        String id = volumeId();
        assertThat(blockStore().volumes(List.of(id, NO_VOLUME))).extracting(EbsVolume::id).containsExactly(id);
        assertThat(blockStore().volumes(List.of(NO_VOLUME))).isEmpty();
        assertThat(blockStore().volumes(List.of())).isEmpty();
        String snapshot = blockStore().createSnapshot(id, "contract", Map.of(Tags.JOB, "zm-contract-batch"));
        assertThat(blockStore().snapshots(List.of(NO_SNAPSHOT, snapshot))).extracting(EbsSnapshot::id)
                .containsExactly(snapshot);
        assertThat(blockStore().snapshots(List.of(NO_SNAPSHOT))).isEmpty();
        assertThat(blockStore().snapshots(List.of())).isEmpty();
    }

    // ---- writes ----

    @Test
    void deletingWhatIsGoneIsSuccess() {
        cluster().deletePod(ns(), "no-such-pod-0");
        cluster().deleteClaim(new ClaimRef(ns(), "no-such-claim"));
        cluster().deletePv("no-such-pv");
        cluster().deleteConfigMap(ns(), "no-such-configmap");
        cluster().deleteStatefulSetOrphan(ns(), "no-such-sts");
    }

    @Test
    void creatingWhatExistsIsSuccessAndChangesNothing() throws Exception {
        Cluster.Claim claim = claim();
        cluster().createClaimBoundTo(claim.manifest(), claim.volumeName());
        assertThat(claim().uid()).isEqualTo(claim.uid());

        Cluster.StatefulSet sts = cluster().statefulSetOwning(freeClaim()).orElseThrow();
        cluster().createStatefulSet(sts.manifest(), null);
        assertThat(cluster().statefulSet(ns(), sts.name()).orElseThrow().uid()).isEqualTo(sts.uid());

        Cluster.Pv pv = cluster().pv(claim.volumeName()).orElseThrow();
        Cluster.StaticPv spec = new Cluster.StaticPv("zm-contract-pv", pv.volumeId(), pv.zone(),
                new ClaimRef(ns(), "zm-contract-claim"), pv.manifest(), Map.of("zonemover.io/job", "zm-contract"));
        cluster().createStaticPv(spec);
        cluster().createStaticPv(spec);
        Cluster.Pv made = cluster().pv("zm-contract-pv").orElseThrow();
        assertThat(made.volumeId()).isEqualTo(pv.volumeId());
        assertThat(made.zone()).isEqualTo(pv.zone());
        assertThat(made.reclaimPolicy()).isEqualTo("Retain");
        assertThat(made.claimName()).isEqualTo("zm-contract-claim");
        cluster().deletePv("zm-contract-pv");

        cluster().saveConfigMap(ns(), "zm-contract", Map.of("app.kubernetes.io/managed-by", "zonemover"),
                Map.of("a", "1"));
        cluster().saveConfigMap(ns(), "zm-contract", Map.of("app.kubernetes.io/managed-by", "zonemover"),
                Map.of("a", "2"));
        assertThat(cluster().configMap(ns(), "zm-contract")).contains(Map.of("a", "2"));
        cluster().deleteConfigMap(ns(), "zm-contract");
        assertThat(cluster().configMap(ns(), "zm-contract")).isEmpty();
    }

    @Test
    void aClientTokenMakesCreateVolumeReturnTheSameVolume() throws Exception {
        EbsVolume source = blockStore().volume(volumeId()).orElseThrow();
        String snapshot = blockStore().createSnapshot(source.id(), "contract", Map.of(Tags.JOB, "zm-contract-token"));
        for (int i = 0; i < 200 && !blockStore().snapshot(snapshot).orElseThrow().completed(); i++) {
            settle();
        }
        Map<String, String> tags = Map.of(Tags.JOB, "zm-contract-token");
        String first = blockStore().createVolume(snapshot, source.zone(), source, tags, "zm-contract-token-1");
        String second = blockStore().createVolume(snapshot, source.zone(), source, tags, "zm-contract-token-1");
        assertThat(second).isEqualTo(first);
        // EC2 is eventually consistent: a new volume may be invisible to Describe for a moment.
        settle();
        assertThat(blockStore().volumesTagged(Tags.JOB, "zm-contract-token")).extracting(EbsVolume::id)
                .containsExactly(first);
        assertThat(blockStore().snapshotsTagged(Tags.JOB, "zm-contract-token")).extracting(EbsSnapshot::id)
                .containsExactly(snapshot);
    }

    @Test
    void fastSnapshotRestoreGoesOnAndOffAndACompletedSnapshotSaysWhenItCompleted() throws Exception {
        EbsVolume source = blockStore().volume(volumeId()).orElseThrow();
        assertThat(source.attachmentStates()).hasSameSizeAs(source.attachedInstanceIds());
        String snapshot = blockStore().createSnapshot(source.id(), "contract", Map.of(Tags.JOB, "zm-contract-fsr"));
        for (int i = 0; i < 200 && !blockStore().snapshot(snapshot).orElseThrow().completed(); i++) {
            settle();
        }
        EbsSnapshot done = blockStore().snapshot(snapshot).orElseThrow();
        assertThat(done.took()).isNotNull().isPositive();
        String zone = source.zone();
        assertThat(blockStore().fastSnapshotRestores(List.of(snapshot), zone)).isEmpty();
        assertThat(blockStore().enableFastSnapshotRestores(List.of(snapshot), zone)).containsKey(snapshot);
        // Enabling again is harmless: it answers the state it is in.
        assertThat(blockStore().enableFastSnapshotRestores(List.of(snapshot), zone).get(snapshot))
                .isIn("enabling", "optimizing", "enabled");
        for (int i = 0; i < 200 && !"enabled".equals(blockStore().fastSnapshotRestores(List.of(snapshot), zone)
                .get(snapshot)); i++) {
            settle();
        }
        assertThat(blockStore().fastSnapshotRestores(List.of(snapshot), zone)).containsEntry(snapshot, "enabled");
        String copy = blockStore().createVolume(snapshot, zone, source, Map.of(Tags.JOB, "zm-contract-fsr"),
                "zm-contract-fsr-1", 200);
        assertThat(blockStore().createVolume(snapshot, zone, source, Map.of(Tags.JOB, "zm-contract-fsr"),
                "zm-contract-fsr-1", 200)).as("the same token and rate: the same volume").isEqualTo(copy);
        blockStore().disableFastSnapshotRestores(List.of(snapshot), zone);
        assertThat(blockStore().fastSnapshotRestores(List.of(snapshot), zone).get(snapshot)).startsWith("disabl");
        blockStore().disableFastSnapshotRestores(List.of(snapshot), zone);
        blockStore().disableFastSnapshotRestores(List.of(NO_SNAPSHOT), zone);
    }

    @Test
    void tagsAreAddedToWhatIsThere() {
        String id = volumeId();
        blockStore().tag(id, Map.of(Tags.SUPERSEDED_BY, "vol-0123"));
        assertThat(blockStore().volume(id).orElseThrow().tags()).containsEntry(Tags.SUPERSEDED_BY, "vol-0123");
        assertThat(blockStore().volumesTagged(Tags.SUPERSEDED_BY, "vol-0123")).extracting(EbsVolume::id)
                .containsExactly(id);
        assertThat(blockStore().volumesTagged(Tags.SUPERSEDED_BY, "*")).extracting(EbsVolume::id)
                .as("EC2's wildcard: any value").containsExactly(id);
    }

    @Test
    void everyPvIsListedWithTheVolumeItNames() {
        Cluster.Pv pv = cluster().pv(claim().volumeName()).orElseThrow();
        assertThat(cluster().pvs()).filteredOn(p -> p.name().equals(pv.name())).singleElement()
                .satisfies(p -> assertThat(p.volumeId()).isEqualTo(pv.volumeId()));
    }

    @Test
    void deletingAVolumeNeverDetachesItAndAGoneOneIsSuccess() throws Exception {
        EbsVolume source = blockStore().volume(volumeId()).orElseThrow();
        String snapshot = blockStore().createSnapshot(source.id(), "contract", Map.of(Tags.JOB, "zm-contract-delete"));
        for (int i = 0; i < 200 && !blockStore().snapshot(snapshot).orElseThrow().completed(); i++) {
            settle();
        }
        String copy = blockStore().createVolume(snapshot, source.zone(), source, Map.of(), "zm-contract-delete-1");
        for (int i = 0; i < 200 && !blockStore().volume(copy).map(EbsVolume::available).orElse(false); i++) {
            settle();
        }
        if (!source.attachedInstanceIds().isEmpty()) {
            assertThatThrownBy(() -> blockStore().deleteVolume(source.id())).isInstanceOf(PortError.class)
                    .satisfies(e -> assertThat(((PortError) e).code()).isEqualTo("VolumeInUse"));
        }
        blockStore().deleteVolume(copy);
        blockStore().deleteVolume(copy);
        blockStore().deleteVolume(NO_VOLUME);
        assertThat(blockStore().volume(copy).map(EbsVolume::usable).orElse(false)).isFalse();
        blockStore().deleteSnapshot(snapshot);
        blockStore().deleteSnapshot(NO_SNAPSHOT);
    }

    // ---- split-per-zone ----

    @Test
    void aZoneCopyOfAStatefulSetStartsEmptyWithItsZoneAndCanBeScaled() {
        Cluster.StatefulSet sts = cluster().statefulSetOwning(freeClaim()).orElseThrow();
        String zone = cluster().pv(claim().volumeName()).orElseThrow().zone();
        cluster().createZoneStatefulSet(sts.manifest(), zone, Map.of(Tags.JOB, "zm-contract"));
        cluster().createZoneStatefulSet(sts.manifest(), zone, Map.of(Tags.JOB, "zm-contract"));
        Cluster.StatefulSet copy = cluster().statefulSet(ns(), sts.name() + "-" + zone).orElseThrow();
        assertThat(copy.replicas()).isZero();
        assertThat(copy.claimTemplates()).isEqualTo(sts.claimTemplates());
        assertThat(copy.manifest()).contains("\"zonemover.io/zone\":\"" + zone + "\"")
                .contains("\"" + Tags.JOB + "\":\"zm-contract\"");
        cluster().scaleStatefulSet(ns(), sts.name(), sts.replicas() - 1);
        assertThat(cluster().statefulSet(ns(), sts.name()).orElseThrow().replicas()).isEqualTo(sts.replicas() - 1);
    }

    @Test
    void aReservedPvBindsTheClaimMadeAsAnotherOne() throws Exception {
        Cluster.Claim claim = claim();
        Cluster.Pv pv = cluster().pv(claim.volumeName()).orElseThrow();
        cluster().createStaticPv(new Cluster.StaticPv("zm-contract-pv", pv.volumeId(), pv.zone(),
                new ClaimRef(ns(), "zm-contract-nobody"), pv.manifest(), Map.of()));
        ClaimRef target = new ClaimRef(ns(), "zm-contract-claim");
        cluster().reservePv("zm-contract-pv", target);
        Cluster.Pv reserved = cluster().pv("zm-contract-pv").orElseThrow();
        assertThat(reserved.claimName()).isEqualTo(target.name());
        assertThat(reserved.claimUid()).isNull();
        cluster().createClaimAs(claim.manifest(), target, "zm-contract-pv");
        String uid = cluster().claim(target).orElseThrow().uid();
        cluster().createClaimAs(claim.manifest(), target, "zm-contract-pv");
        assertThat(cluster().claim(target).orElseThrow().uid()).as("creating it again changes nothing").isEqualTo(uid);
        for (int i = 0; i < 20 && !"Bound".equals(cluster().claim(target).orElseThrow().phase()); i++) {
            settle();
        }
        Cluster.Claim made = cluster().claim(target).orElseThrow();
        assertThat(made.phase()).isEqualTo("Bound");
        assertThat(made.volumeName()).isEqualTo("zm-contract-pv");
        assertThat(made.storageClass()).isEqualTo(claim.storageClass());
        assertThat(cluster().pv("zm-contract-pv").orElseThrow().claimUid()).isEqualTo(uid);
    }

    // ---- the lock ----

    @Test
    void lockClaimIsACompareAndSetThatNeverOverwritesAnotherHolder() {
        ClaimRef ref = freeClaim();
        assertThat(cluster().lockClaim(ref, LOCK, "zm-a")).isEmpty();
        assertThat(claim().annotations()).containsEntry(LOCK, "zm-a");
        assertThat(cluster().lockClaim(ref, LOCK, "zm-a")).as("taking it again is success").isEmpty();
        assertThat(cluster().lockClaim(ref, LOCK, "zm-b")).contains("zm-a");
        assertThat(claim().annotations()).containsEntry(LOCK, "zm-a");
    }

    @Test
    void unlockClaimRemovesOnlyItsOwn() {
        ClaimRef ref = freeClaim();
        cluster().lockClaim(ref, LOCK, "zm-a");
        cluster().unlockClaim(ref, LOCK, "zm-b");
        assertThat(claim().annotations()).containsEntry(LOCK, "zm-a");
        cluster().unlockClaim(ref, LOCK, "zm-a");
        assertThat(claim().annotations()).doesNotContainKey(LOCK);
        cluster().unlockClaim(ref, LOCK, "zm-a");
        assertThat(cluster().lockClaim(ref, LOCK, "zm-b")).isEmpty();
        assertThat(claim().annotations()).containsEntry(LOCK, "zm-b");
    }

    @Test
    void ofJobsRacingForAClaimExactlyOneWins() throws Exception {
        ClaimRef ref = freeClaim();
        int jobs = 6;
        ExecutorService pool = Executors.newFixedThreadPool(jobs);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Optional<String>>> answers = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                String job = "zm-race" + i;
                answers.add(pool.submit(() -> {
                    start.await();
                    return cluster().lockClaim(ref, LOCK, job);
                }));
            }
            start.countDown();
            List<String> winners = new ArrayList<>();
            List<String> told = new ArrayList<>();
            for (int i = 0; i < jobs; i++) {
                Optional<String> holder = answers.get(i).get(30, TimeUnit.SECONDS);
                if (holder.isEmpty()) {
                    winners.add("zm-race" + i);
                } else {
                    told.add(holder.get());
                }
            }
            assertThat(winners).hasSize(1);
            assertThat(told).hasSize(jobs - 1).containsOnly(winners.get(0));
            assertThat(claim().annotations()).containsEntry(LOCK, winners.get(0));
        } finally {
            pool.shutdownNow();
        }
    }

    // ---- leader election and events (rescue --watch) ----

    @Test
    void aLeaseIsCreatedOnceAndUpdatedOnlyWithTheVersionLastRead() {
        java.time.Instant t = java.time.Instant.parse("2026-01-01T12:00:00Z");
        assertThat(cluster().lease("zonemover", "contract")).isEmpty();
        Cluster.Lease created = cluster().createLease(new Cluster.Lease("zonemover", "contract", "a", 15, t, t, 0, null));
        assertThat(created.resourceVersion()).isNotBlank();
        assertThatThrownBy(() -> cluster().createLease(new Cluster.Lease("zonemover", "contract", "b", 15, t, t, 0, null)))
                .isInstanceOfSatisfying(PortError.class, e -> assertThat(e.kind()).isEqualTo(PortError.Kind.CONFLICT));
        Cluster.Lease renewed = cluster().updateLease(new Cluster.Lease("zonemover", "contract", "a", 15, t,
                t.plusSeconds(5), 0, created.resourceVersion()));
        assertThat(renewed.resourceVersion()).isNotEqualTo(created.resourceVersion());
        // A write carrying the version read before the renewal is refused: the compare-and-set of the election.
        assertThatThrownBy(() -> cluster().updateLease(new Cluster.Lease("zonemover", "contract", "b", 15, t, t, 1,
                created.resourceVersion())))
                .isInstanceOfSatisfying(PortError.class, e -> assertThat(e.kind()).isEqualTo(PortError.Kind.CONFLICT));
        Cluster.Lease read = cluster().lease("zonemover", "contract").orElseThrow();
        assertThat(read.holderIdentity()).isEqualTo("a");
        assertThat(read.renewTime()).isEqualTo(t.plusSeconds(5));
        assertThat(read.leaseDurationSeconds()).isEqualTo(15);
    }

    @Test
    void anEventIsCreatedAndItsRepeatsCountedOnIt() {
        ClaimRef ref = freeClaim();
        Cluster.ObjectEvent event = new Cluster.ObjectEvent(ref.namespace(), "PersistentVolumeClaim", "v1", ref.name(),
                claim().uid(), "Normal", "MoveStep", "preflight", "contract", "test");
        java.time.Instant t = java.time.Instant.parse("2026-01-01T12:00:00Z");
        String name = cluster().createEvent(event, t);
        assertThat(name).startsWith(ref.name() + ".");
        assertThat(cluster().repeatEvent(ref.namespace(), name, 2, t.plusSeconds(1))).isTrue();
        assertThat(cluster().repeatEvent(ref.namespace(), ref.name() + ".gone", 2, t)).isFalse();
    }
}
