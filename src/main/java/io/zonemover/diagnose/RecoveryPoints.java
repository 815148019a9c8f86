package io.zonemover.diagnose;

import io.zonemover.aws.BlockStore;
import io.zonemover.domain.EbsSnapshot;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Each volume's recovery point: its newest completed snapshot, whoever took it, and that snapshot's age on
 * the cloud's clock. Read from EC2 only when a finding needs it (a zone outage, or {@code --rpo}), in one
 * DescribeSnapshots for all the volumes concerned and one read of the clock; a diagnosis that needs none
 * builds no EC2 client at all.
 *
 * <p>Three states: not read (nothing asked for it), known (read; a volume without a completed snapshot has
 * none), and unknown (EC2 could not be reached: {@link #problem()} says why).
 */
public final class RecoveryPoints {

    /**
     * A volume's newest completed snapshot.
     *
     * @param ageSeconds the cloud's clock minus the snapshot's start time, never negative; null when EC2
     *                   gave no start time
     */
    public record Point(String volumeId, String snapshotId, Instant startTime, Long ageSeconds) {
    }

    /** Volume ids per DescribeSnapshots filter: EC2 takes at most 200 values in one filter. */
    static final int FILTER_VALUES = 200;

    static final RecoveryPoints NOT_READ = new RecoveryPoints(false, Map.of(), null);

    private final boolean read;
    private final Map<String, Point> newest;
    private final String problem;

    private RecoveryPoints(boolean read, Map<String, Point> newest, String problem) {
        this.read = read;
        this.newest = Map.copyOf(newest);
        this.problem = problem;
    }

    /** Nothing needed them, so they were not read. */
    public static RecoveryPoints notRead() {
        return NOT_READ;
    }

    /** EC2 could not be reached; {@code problem} says why, in one line. */
    public static RecoveryPoints unknown(String problem) {
        return new RecoveryPoints(true, Map.of(), problem == null ? "unknown error" : problem);
    }

    /** From every snapshot of the volumes (any state, any order) and the cloud's clock. Pure. */
    public static RecoveryPoints of(Instant now, Collection<EbsSnapshot> snapshots) {
        Map<String, Point> newest = new HashMap<>();
        for (EbsSnapshot s : snapshots) {
            if (!s.completed() || s.volumeId() == null) {
                continue;
            }
            Point known = newest.get(s.volumeId());
            if (known == null || newer(s.startTime(), known.startTime())) {
                Long age = s.startTime() == null || now == null ? null
                        : Math.max(0, Duration.between(s.startTime(), now).getSeconds());
                newest.put(s.volumeId(), new Point(s.volumeId(), s.id(), s.startTime(), age));
            }
        }
        return new RecoveryPoints(true, newest, null);
    }

    /**
     * Reads them: {@link BlockStore#snapshotsOfVolumes} for all the volumes (one call; one per 200 volumes
     * beyond that), then {@link BlockStore#now}. Never throws: an EC2 that cannot be reached (credentials,
     * network, no region) gives {@link #unknown}.
     */
    public static RecoveryPoints read(java.util.function.Supplier<BlockStore> store, Collection<String> volumeIds) {
        if (volumeIds.isEmpty()) {
            return NOT_READ;
        }
        try {
            BlockStore ec2 = store.get();
            List<String> ids = List.copyOf(volumeIds);
            List<EbsSnapshot> snapshots = new ArrayList<>();
            for (int i = 0; i < ids.size(); i += FILTER_VALUES) {
                snapshots.addAll(ec2.snapshotsOfVolumes(ids.subList(i, Math.min(ids.size(), i + FILTER_VALUES))));
            }
            return of(ec2.now(), snapshots);
        } catch (RuntimeException e) {
            return unknown(firstLine(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
    }

    /** Read, successfully or not. */
    public boolean read() {
        return read;
    }

    /** Read successfully: a volume without a point has no completed snapshot. */
    public boolean known() {
        return read && problem == null;
    }

    /** Why they are unknown; null when known or not read. */
    public String problem() {
        return problem;
    }

    /** The volume's newest completed snapshot; empty when it has none, or when that is not known. */
    public Optional<Point> newest(String volumeId) {
        return volumeId == null ? Optional.empty() : Optional.ofNullable(newest.get(volumeId));
    }

    /** "3h 05m", "42m 10s", "17s": an age as people read it. */
    public static String age(long seconds) {
        long d = seconds / 86_400;
        long h = seconds % 86_400 / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        if (d > 0) {
            return d + "d " + h + "h";
        }
        if (h > 0) {
            return h + "h " + String.format("%02dm", m);
        }
        if (m > 0) {
            return m + "m " + String.format("%02ds", s);
        }
        return s + "s";
    }

    private static boolean newer(Instant a, Instant b) {
        return a != null && (b == null || a.isAfter(b));
    }

    private static String firstLine(String s) {
        String t = s.strip();
        int nl = t.indexOf('\n');
        return nl < 0 ? t : t.substring(0, nl).strip();
    }
}
