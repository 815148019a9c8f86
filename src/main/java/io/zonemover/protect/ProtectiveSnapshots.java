package io.zonemover.protect;

import io.zonemover.aws.BlockStore;
import io.zonemover.cluster.Cluster;
import io.zonemover.domain.ClaimRef;
import io.zonemover.domain.EbsSnapshot;
import io.zonemover.domain.EbsVolume;
import io.zonemover.domain.LabelSelector;
import io.zonemover.domain.PortError;
import io.zonemover.domain.Tags;
import io.zonemover.domain.ZonemoverException;

import java.time.Clock;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;

/**
 * Takes a protective snapshot of the volume of every EBS claim of the selected StatefulSets' pods, and keeps
 * the newest N completed ones per volume. Two halves, so the command line can show what it will do and ask:
 * {@link #plan} only reads; {@link #run} acts on a plan.
 *
 * <p>EC2's per-volume limits (REFERENCE B.6: one CreateSnapshot per volume about every 15 s, at most 5
 * pending per volume, 1 for st1/sc1) are respected, not fought: a volume whose last protective snapshot is
 * still pending, or for which EC2 answers {@code SnapshotCreationPerVolumeRateExceeded} or
 * {@code ConcurrentSnapshotLimitExceeded}, is skipped this run (the next run takes it), which is not a failure.
 * Other transient errors are retried a few times; before retrying a create, the volume's snapshots are read
 * for one carrying this run's time tag, since a create whose answer was lost may have started one.
 *
 * <p>Retention: the snapshot a run takes counts toward N, so a volume never holds more than N protective
 * snapshots (for N of 2 or more); the newest completed one is never deleted, so a new snapshot that later
 * fails never leaves the volume without a recovery point. Failed ({@code error}) protective snapshots are
 * deleted, being worth nothing; pending ones never are.
 */
public final class ProtectiveSnapshots {

    public static final int DEFAULT_KEEP = 7;
    /** EC2's per-volume snapshot limits: a reason to skip the volume this run, not to fail or to retry now. */
    public static final Set<String> LIMIT_CODES = Set.of("SnapshotCreationPerVolumeRateExceeded",
            "ConcurrentSnapshotLimitExceeded");
    /** Pending snapshots EC2 allows per volume (REFERENCE B.6). */
    private static final int MAX_PENDING = 5;
    private static final int MAX_PENDING_THROUGHPUT_HDD = 1;
    /** Volume ids per DescribeVolumes / DescribeSnapshots filter. */
    private static final int BATCH = 100;

    /** Waits between attempts; tests pass one that returns at once. */
    @FunctionalInterface
    public interface Pause {
        void sleep(Duration duration) throws InterruptedException;
    }

    /** What the plan says to do with one claim's volume. */
    public enum Decision {
        /** Take a snapshot. */
        TAKE,
        /** Skip for EC2's per-volume limits (a protective snapshot still pending, or too many pending). */
        SKIP_LIMIT,
        /** Nothing to snapshot (claim not bound, not EBS, being moved): said, not a failure. */
        SKIP,
        /** Something is wrong (the volume is unknown to EC2, a read failed): a failure. */
        FAIL
    }

    /**
     * One claim's part of the plan.
     *
     * @param toDelete protective snapshots of the volume past retention (completed beyond the newest
     *                 {@code keep}, or failed), oldest last
     * @param kept     completed protective snapshots of the volume that stay
     */
    public record Item(ClaimRef claim, String statefulSet, String pod, String volumeId, String zone,
                       Decision decision, String reason, List<String> toDelete, int kept) {
    }

    /** What a run will do; {@code namespace} null means all namespaces. */
    public record Plan(String namespace, LabelSelector selector, int keep, List<String> statefulSets,
                       List<Item> items) {

        public long toTake() {
            return items.stream().filter(i -> i.decision() == Decision.TAKE).count();
        }

        public long toDelete() {
            return items.stream().mapToLong(i -> i.toDelete().size()).sum();
        }
    }

    public enum Status { TAKEN, SKIPPED_LIMIT, SKIPPED, FAILED }

    /**
     * What happened to one claim's volume.
     *
     * @param deleted     the snapshots deleted (or already gone)
     * @param deleteError why a deletion failed, or null
     */
    public record Outcome(Item item, Status status, String snapshotId, String reason, List<String> deleted,
                          String deleteError) {

        public boolean failed() {
            return status == Status.FAILED || deleteError != null;
        }
    }

    public record Report(Plan plan, String takenAt, List<Outcome> outcomes) {

        /** True when some volume failed: neither snapshotted nor skipped for a reason, or a deletion failed. */
        public boolean failed() {
            return outcomes.stream().anyMatch(Outcome::failed);
        }

        public long count(Status status) {
            return outcomes.stream().filter(o -> o.status() == status).count();
        }

        public long deleted() {
            return outcomes.stream().mapToLong(o -> o.deleted().size()).sum();
        }
    }

    private final Cluster cluster;
    private final BlockStore blockStore;
    private final Clock clock;
    private final int attempts;
    private final Duration firstBackoff;
    private final Pause pause;

    public ProtectiveSnapshots(Cluster cluster, BlockStore blockStore) {
        this(cluster, blockStore, Clock.systemUTC(), 4, Duration.ofSeconds(1), d -> Thread.sleep(d.toMillis()));
    }

    /**
     * @param attempts     tries of each call that fails with a transient error (at least 1)
     * @param firstBackoff the wait after the first failure, doubled after each further one
     */
    public ProtectiveSnapshots(Cluster cluster, BlockStore blockStore, Clock clock, int attempts,
                               Duration firstBackoff, Pause pause) {
        this.cluster = cluster;
        this.blockStore = blockStore;
        this.clock = clock;
        this.attempts = Math.max(1, attempts);
        this.firstBackoff = firstBackoff;
        this.pause = pause;
    }

    // ---- plan: reads only ----

    /** What a run would do; reads the cluster and EC2 and changes nothing. */
    public Plan plan(String namespace, LabelSelector selector, int keep) {
        if (keep < 1) {
            throw ZonemoverException.badInput("--keep must be at least 1, got " + keep);
        }
        LabelSelector sel = selector == null ? LabelSelector.everything() : selector;
        List<Cluster.StatefulSet> sets = new ArrayList<>(retry(() -> cluster.statefulSets(namespace, sel.toString())));
        sets.sort(Comparator.comparing(Cluster.StatefulSet::namespace).thenComparing(Cluster.StatefulSet::name));

        List<Target> targets = new ArrayList<>();
        Map<ClaimRef, Boolean> seen = new HashMap<>();
        for (Cluster.StatefulSet sts : sets) {
            for (Target t : targetsOf(sts)) {
                if (seen.putIfAbsent(t.claim, Boolean.TRUE) == null) {
                    targets.add(t);
                }
            }
        }
        targets.forEach(this::resolve);
        targets.removeIf(t -> t.optional && t.decision == Decision.SKIP && t.reason == null);

        List<String> volumeIds = targets.stream().filter(t -> t.volumeId != null && t.decision == null)
                .map(t -> t.volumeId).distinct().toList();
        Map<String, EbsVolume> volumes = new HashMap<>();
        Map<String, List<EbsSnapshot>> snapshots = new HashMap<>();
        for (int from = 0; from < volumeIds.size(); from += BATCH) {
            List<String> batch = volumeIds.subList(from, Math.min(volumeIds.size(), from + BATCH));
            retry(() -> blockStore.volumes(batch)).forEach(v -> volumes.put(v.id(), v));
            retry(() -> blockStore.snapshotsOfVolumes(batch))
                    .forEach(s -> snapshots.computeIfAbsent(s.volumeId(), k -> new ArrayList<>()).add(s));
        }

        List<Item> items = new ArrayList<>();
        Map<String, ClaimRef> volumeOwner = new HashMap<>();
        for (Target t : targets) {
            if (t.decision != null) {
                items.add(t.item(List.of(), 0));
                continue;
            }
            ClaimRef other = volumeOwner.putIfAbsent(t.volumeId, t.claim);
            if (other != null) {
                t.decide(Decision.SKIP, "same volume as " + other);
                items.add(t.item(List.of(), 0));
                continue;
            }
            items.add(decide(t, keep, volumes.get(t.volumeId), snapshots.getOrDefault(t.volumeId, List.of())));
        }
        return new Plan(namespace, sel, keep, sets.stream().map(s -> s.namespace() + "/" + s.name()).toList(),
                List.copyOf(items));
    }

    /** The claims of a StatefulSet's pods, and its template claims of ordinals that have no pod right now. */
    private List<Target> targetsOf(Cluster.StatefulSet sts) {
        List<Target> out = new ArrayList<>();
        String where = sts.namespace() + "/" + sts.name();
        List<Cluster.Pod> pods;
        try {
            pods = new ArrayList<>(retry(() -> cluster.podsOf(sts.namespace(), sts.name())));
        } catch (PortError e) {
            Target t = new Target(new ClaimRef(sts.namespace(), "*"), where, null);
            t.decide(Decision.FAIL, "cannot list its pods: " + e.getMessage());
            return List.of(t);
        }
        pods.sort(Comparator.comparingInt(p -> ordinal(sts.name(), p.name())));
        for (Cluster.Pod pod : pods) {
            for (String claim : pod.claims()) {
                out.add(new Target(new ClaimRef(sts.namespace(), claim), where, pod.name()));
            }
        }
        for (int ordinal = 0; ordinal < sts.replicas(); ordinal++) {
            String podName = sts.name() + "-" + ordinal;
            if (pods.stream().noneMatch(p -> p.name().equals(podName))) {
                for (String template : sts.claimTemplates()) {
                    Target t = new Target(new ClaimRef(sts.namespace(), sts.claimName(template, ordinal)), where,
                            podName);
                    t.optional = true; // no pod, so maybe no claim either (not created yet, or scaled down)
                    out.add(t);
                }
            }
        }
        return out;
    }

    /** Claim -> PV -> EBS volume id, or a decision to skip (nothing to snapshot) or fail. */
    private void resolve(Target t) {
        if (t.decision != null) {
            return;
        }
        try {
            Optional<Cluster.Claim> claim = retry(() -> cluster.claim(t.claim));
            if (claim.isEmpty()) {
                t.decide(Decision.SKIP, t.optional ? null : "claim not found");
                return;
            }
            String mover = claim.get().annotations().get(Tags.MIGRATION_ANNOTATION);
            if (mover != null) {
                t.decide(Decision.SKIP, "being moved by job " + mover + " (its own snapshots cover it)");
                return;
            }
            if (claim.get().volumeName() == null || !"Bound".equals(claim.get().phase())) {
                t.decide(Decision.SKIP, "claim is " + claim.get().phase() + ", no volume yet");
                return;
            }
            String pvName = claim.get().volumeName();
            Optional<Cluster.Pv> pv = retry(() -> cluster.pv(pvName));
            if (pv.isEmpty()) {
                t.decide(Decision.SKIP, "PV " + pvName + " not found");
                return;
            }
            if (!pv.get().ebs()) {
                t.decide(Decision.SKIP, "not an EBS volume");
                return;
            }
            if (pv.get().volumeId() == null) {
                t.decide(Decision.FAIL, "PV " + pvName + " names no EBS volume id");
                return;
            }
            t.volumeId = pv.get().volumeId();
        } catch (PortError e) {
            t.decide(Decision.FAIL, e.getMessage());
        }
    }

    private static Item decide(Target t, int keep, EbsVolume volume, List<EbsSnapshot> all) {
        if (volume == null) {
            t.decide(Decision.FAIL, "EC2 does not know volume " + t.volumeId);
            return t.item(List.of(), 0);
        }
        t.zone = volume.zone();
        List<EbsSnapshot> ours = all.stream().filter(s -> t.volumeId.equals(s.volumeId()))
                .filter(s -> Tags.isProtective(s.tags()))
                .sorted(Comparator.comparing(EbsSnapshot::startTime, Comparator.nullsLast(Comparator.reverseOrder())))
                .toList();
        List<EbsSnapshot> completed = ours.stream().filter(EbsSnapshot::completed).toList();

        Optional<EbsSnapshot> pendingOurs = ours.stream().filter(ProtectiveSnapshots::pending).findFirst();
        long pendingAll = all.stream().filter(s -> t.volumeId.equals(s.volumeId()))
                .filter(ProtectiveSnapshots::pending).count();
        int maxPending = List.of("st1", "sc1").contains(volume.type()) ? MAX_PENDING_THROUGHPUT_HDD : MAX_PENDING;
        if (!volume.usable()) {
            t.decide(Decision.FAIL, "volume is " + volume.state());
        } else if (pendingOurs.isPresent()) {
            EbsSnapshot p = pendingOurs.get();
            t.decide(Decision.SKIP_LIMIT, "protective snapshot " + p.id() + " still pending"
                    + (p.progress() == null || p.progress().isEmpty() ? "" : " (" + p.progress() + ")"));
        } else if (pendingAll >= maxPending) {
            t.decide(Decision.SKIP_LIMIT, pendingAll + " snapshots of it pending, EC2's limit for "
                    + volume.type() + " is " + maxPending);
        } else {
            t.decide(Decision.TAKE, null);
        }
        // The snapshot about to be taken counts toward N, so a volume never holds more than N of ours; the
        // newest completed one is always kept, so a new one that fails never leaves the volume without any.
        int retain = t.decision == Decision.TAKE ? Math.max(1, keep - 1) : keep;
        List<String> toDelete = new ArrayList<>();
        completed.stream().skip(retain).forEach(s -> toDelete.add(s.id()));
        ours.stream().filter(EbsSnapshot::failed).forEach(s -> toDelete.add(s.id()));
        return t.item(List.copyOf(toDelete), Math.min(retain, completed.size()));
    }

    private static boolean pending(EbsSnapshot s) {
        return "pending".equals(s.state());
    }

    // ---- run: acts on a plan ----

    /** Takes the planned snapshots and deletes the ones past retention; one volume's failure stops no other. */
    public Report run(Plan plan) {
        String takenAt = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
        List<Outcome> outcomes = new ArrayList<>();
        for (Item item : plan.items()) {
            Status status;
            String snapshotId = null;
            String reason = item.reason();
            switch (item.decision()) {
                case TAKE -> {
                    try {
                        snapshotId = take(item, takenAt);
                        status = Status.TAKEN;
                    } catch (PortError e) {
                        if (LIMIT_CODES.contains(e.code())) {
                            status = Status.SKIPPED_LIMIT;
                            reason = "EC2 " + e.code() + ", next run takes it";
                        } else {
                            status = Status.FAILED;
                            reason = e.getMessage();
                        }
                    }
                }
                case SKIP_LIMIT -> status = Status.SKIPPED_LIMIT;
                case SKIP -> status = Status.SKIPPED;
                default -> status = Status.FAILED;
            }
            List<String> deleted = new ArrayList<>();
            String deleteError = null;
            for (String id : item.toDelete()) {
                try {
                    retry(() -> {
                        blockStore.deleteSnapshot(id);
                        return null;
                    });
                    deleted.add(id);
                } catch (PortError e) {
                    deleteError = "deleting " + id + ": " + e.getMessage();
                    break;
                }
            }
            outcomes.add(new Outcome(item, status, snapshotId, reason, List.copyOf(deleted), deleteError));
        }
        return new Report(plan, takenAt, List.copyOf(outcomes));
    }

    private String take(Item item, String takenAt) {
        Map<String, String> tags = Tags.forProtectiveSnapshot(item.volumeId(), item.claim(), takenAt);
        String description = "zonemover protective snapshot of " + item.claim() + " (" + takenAt + ")";
        for (int attempt = 1; ; attempt++) {
            try {
                return blockStore.createSnapshot(item.volumeId(), description, tags);
            } catch (PortError e) {
                if (!retryable(e) || attempt >= attempts) {
                    throw e;
                }
                backoff(attempt);
                // The answer may have been lost after EC2 started the snapshot: look before creating another.
                Optional<String> started = retry(() -> blockStore.snapshotsOfVolumes(List.of(item.volumeId())))
                        .stream().filter(s -> item.volumeId().equals(s.volumeId()) && Tags.isProtective(s.tags())
                                && takenAt.equals(s.tags().get(Tags.TAKEN_AT)))
                        .map(EbsSnapshot::id).findFirst();
                if (started.isPresent()) {
                    return started.get();
                }
            }
        }
    }

    private <T> T retry(Supplier<T> call) {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.get();
            } catch (PortError e) {
                if (!retryable(e) || attempt >= attempts) {
                    throw e;
                }
                backoff(attempt);
            }
        }
    }

    private static boolean retryable(PortError e) {
        return e.kind() == PortError.Kind.TRANSIENT && !LIMIT_CODES.contains(e.code());
    }

    private void backoff(int attempt) {
        try {
            pause.sleep(firstBackoff.multipliedBy(1L << Math.min(attempt - 1, 10)));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ZonemoverException.failed("interrupted while waiting to retry", e);
        }
    }

    private static int ordinal(String sts, String pod) {
        String suffix = pod.startsWith(sts + "-") ? pod.substring(sts.length() + 1) : "";
        return suffix.matches("\\d{1,9}") ? Integer.parseInt(suffix) : Integer.MAX_VALUE;
    }

    /** A claim on its way to becoming an {@link Item}. */
    private static final class Target {
        final ClaimRef claim;
        final String statefulSet;
        final String pod;
        boolean optional;
        String volumeId;
        String zone;
        Decision decision;
        String reason;

        Target(ClaimRef claim, String statefulSet, String pod) {
            this.claim = claim;
            this.statefulSet = statefulSet;
            this.pod = pod;
        }

        void decide(Decision decision, String reason) {
            this.decision = decision;
            this.reason = reason;
        }

        Item item(List<String> toDelete, int kept) {
            return new Item(claim, statefulSet, pod, volumeId, zone, decision, reason, toDelete, kept);
        }
    }
}
