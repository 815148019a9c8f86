package io.zonemover.cli.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code downtimeRatio} and {@code preSnapshotGain}: moves of a running pod (shop/orders-0 of the {@code unbalanced}
 * world, us-east-1b to us-east-1c) through `migrate`, measured by {@link MoveDowntime} in world seconds.
 *
 * <p>{@code downtimeRatio}: one move of the 10 GiB volume (zonemover's default, with its pre-snapshot), its
 * measured downtime divided by the model's lower bound ({@link MoveDowntime}).
 *
 * <p>{@code preSnapshotGain}: two identical worlds with 100 GiB volumes ({@code --set sizeGiB=100}); in each a
 * protective snapshot (`zonemover snapshot -n shop`) is taken and the world then advanced 2048 s, so the pod has
 * written 2048 MiB, 2% of the volume, since that snapshot (completed by then: a full 100 GiB snapshot takes
 * ~1054 s). One world is moved with zonemover's default (an incremental pre-snapshot while the pod runs, then a
 * final one of what changed meanwhile), the other with {@code --no-pre-snapshot}: stop the pod, snapshot, restore,
 * start, the procedure pv-zone-migrator and Velero follow, done by the same tool on the same world so only the
 * procedure differs. The gain is the first downtime divided by the second.
 *
 * <p>The worlds run at {@link #TIME_SCALE} world seconds per wall second and the tool polls every
 * {@link #POLL_INTERVAL}, half a world second: what the tool cannot see between two polls is at most that.
 */
public final class DowntimeBench {

    static final double TIME_SCALE = 10;
    static final String POLL_INTERVAL = "50ms";
    private static final String NS = "shop";
    private static final String CLAIM = "data-orders-0";
    private static final String POD = "orders-0";
    private static final String TO = "us-east-1c";

    private DowntimeBench() {
    }

    /** Measures in worlds made under {@code base}; the map's keys are the bench's field names. */
    public static Map<String, Object> run(Zonemover zm, Path base) {
        Map<String, Object> out = new LinkedHashMap<>();
        String small = world(zm, base.resolve("downtime"), 10);
        MoveDowntime move = MoveDowntime.move(zm, small, NS, CLAIM, POD, TO, POLL_INTERVAL);
        out.put("downtimeSeconds", move.downtimeSeconds());
        out.put("downtimeBoundSeconds", move.boundSeconds());
        out.put("downtimeRatio", move.ratio());

        String pre = world100(zm, base.resolve("pre-snapshot"));
        String peers = world100(zm, base.resolve("stop-and-snapshot"));
        MoveDowntime withPre = MoveDowntime.move(zm, pre, NS, CLAIM, POD, TO, POLL_INTERVAL);
        MoveDowntime stopFirst = MoveDowntime.move(zm, peers, NS, CLAIM, POD, TO, POLL_INTERVAL, "--no-pre-snapshot");
        out.put("downtime100GiBSeconds", withPre.downtimeSeconds());
        out.put("downtime100GiBBoundSeconds", withPre.boundSeconds());
        out.put("downtime100GiBRatio", withPre.ratio());
        out.put("stopAndSnapshotSeconds", stopFirst.downtimeSeconds());
        out.put("stopAndSnapshotFinalMiB", stopFirst.finalSnapshotChangedMiB());
        out.put("preSnapshotFinalMiB", withPre.finalSnapshotChangedMiB());
        out.put("preSnapshotGain", withPre.downtimeSeconds() / stopFirst.downtimeSeconds());
        return out;
    }

    private static String world(Zonemover zm, Path dir, int sizeGiB) {
        zm.run("sim", "init", dir.toString(), "--scenario", "unbalanced", "--set", "sizeGiB=" + sizeGiB,
                "--time-scale", String.valueOf(TIME_SCALE));
        return dir.toString();
    }

    /** 100 GiB volumes, a completed protective snapshot, and 2 GiB (2%) written since it. */
    private static String world100(Zonemover zm, Path dir) {
        String w = world(zm, dir, 100);
        zm.run("--sim", w, "snapshot", "-n", NS, "--yes");
        zm.run("sim", "advance", w, "2048s");
        return w;
    }
}
