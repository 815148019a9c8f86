package io.zonemover.cli.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The downtime figures: moves of a running pod (shop/orders-0 of the {@code unbalanced} world, us-east-1b to
 * us-east-1c) through `migrate`, measured by {@link MoveDowntime} in world seconds.
 *
 * <p>{@code downtimeRatio}: one move of the 10 GiB volume (zonemover's defaults: pre-copy rounds), its measured
 * downtime divided by the model's lower bound ({@link MoveDowntime}).
 *
 * <p>{@code preSnapshotGain}: two identical worlds with 100 GiB volumes ({@code --set sizeGiB=100}); in each a
 * protective snapshot (`zonemover snapshot -n shop`) is taken and the world then advanced 2048 s, so the pod has
 * written 2048 MiB, 2% of the volume, since that snapshot (completed by then: a full 100 GiB snapshot takes
 * ~1054 s). One world is moved with zonemover's default (pre-copy while the pod runs, then a final snapshot of what
 * changed meanwhile), the other with {@code --no-pre-snapshot}: stop the pod, snapshot, restore, start, the
 * procedure pv-zone-migrator and Velero follow, done by the same tool on the same world so only the procedure
 * differs. The gain is the first downtime divided by the second.
 *
 * <p>Not with {@code --quick}: <b>rounds</b>, a pod writing steadily ({@code --set writeMiBps=}{@link #WRITE_MIBPS})
 * moved with the default rounds and with {@code --pre-snapshot-rounds 1} in identical worlds ({@code roundsGain} is
 * the first downtime over the second); and <b>full speed</b>, a pod that reads {@link #START_READ_MIB} MiB of its
 * volume before it is Ready ({@code --set startReadMiB=}), moved three times: with EC2's default initialization,
 * with {@code --volume-initialization-rate 300}, and with {@code --fast-snapshot-restore}; each one's downtime and
 * its new volume's time to full speed.
 *
 * <p>The worlds run at {@link #TIME_SCALE} world seconds per wall second unless the bench's {@code --time-scale}
 * says otherwise, and the tool polls every half world second: what the tool cannot see between two polls is at
 * most that. The tool's own time (its calls, its checkpoints) counts scaled: a tenth of a second of it on this
 * machine is a world second at 10x; a lower scale is truer, and slower.
 */
public final class DowntimeBench {

    static final double TIME_SCALE = 10;
    static final int WRITE_MIBPS = 30;
    static final int START_READ_MIB = 1024;
    private static final String NS = "shop";
    private static final String CLAIM = "data-orders-0";
    private static final String POD = "orders-0";
    private static final String TO = "us-east-1c";

    private final Zonemover zm;
    private final double scale;
    private final String poll;

    private DowntimeBench(Zonemover zm, Double timeScale) {
        this.zm = zm;
        this.scale = timeScale == null ? TIME_SCALE : timeScale;
        // Half a world second.
        this.poll = Math.max(1, Math.round(500 / scale)) + "ms";
    }

    /**
     * Measures in worlds made under {@code base} at {@code timeScale} (null: {@link #TIME_SCALE}); the map's keys
     * are the bench's field names. {@code quick} leaves out the rounds and full-speed parts.
     */
    public static Map<String, Object> run(Zonemover zm, Path base, Double timeScale, boolean quick) {
        return new DowntimeBench(zm, timeScale).run(base, quick);
    }

    private Map<String, Object> run(Path base, boolean quick) {
        Map<String, Object> out = new LinkedHashMap<>();
        MoveDowntime move = move(world(base.resolve("downtime"), 10));
        out.put("downtimeSeconds", move.downtimeSeconds());
        out.put("downtimeBoundSeconds", move.boundSeconds());
        out.put("downtimeRatio", move.ratio());
        out.put("downtimePreSnapshotRounds", move.preSnapshotRounds());

        MoveDowntime withPre = move(world100(base.resolve("pre-snapshot")));
        MoveDowntime stopFirst = move(world100(base.resolve("stop-and-snapshot")), "--no-pre-snapshot");
        out.put("downtime100GiBSeconds", withPre.downtimeSeconds());
        out.put("downtime100GiBBoundSeconds", withPre.boundSeconds());
        out.put("downtime100GiBRatio", withPre.ratio());
        out.put("stopAndSnapshotSeconds", stopFirst.downtimeSeconds());
        out.put("stopAndSnapshotFinalMiB", stopFirst.finalSnapshotChangedMiB());
        out.put("preSnapshotFinalMiB", withPre.finalSnapshotChangedMiB());
        out.put("preSnapshotGain", withPre.downtimeSeconds() / stopFirst.downtimeSeconds());
        if (quick) {
            out.put("downtimeTimeScale", scale);
            return out;
        }

        MoveDowntime rounds = move(world(base.resolve("rounds"), 10, "writeMiBps=" + WRITE_MIBPS));
        MoveDowntime oneRound = move(world(base.resolve("one-round"), 10, "writeMiBps=" + WRITE_MIBPS),
                "--pre-snapshot-rounds", "1");
        out.put("writingPodWriteMiBps", WRITE_MIBPS);
        out.put("writingPodRounds", rounds.preSnapshotRounds());
        out.put("writingPodDowntimeSeconds", rounds.downtimeSeconds());
        out.put("writingPodFinalMiB", rounds.finalSnapshotChangedMiB());
        out.put("writingPodRatio", rounds.ratio());
        out.put("writingPodOneRoundDowntimeSeconds", oneRound.downtimeSeconds());
        out.put("writingPodOneRoundFinalMiB", oneRound.finalSnapshotChangedMiB());
        out.put("roundsGain", rounds.downtimeSeconds() / oneRound.downtimeSeconds());

        String read = "startReadMiB=" + START_READ_MIB;
        MoveDowntime lazy = move(world(base.resolve("init-default"), 10, read));
        MoveDowntime rate = move(world(base.resolve("init-rate"), 10, read), "--volume-initialization-rate", "300");
        MoveDowntime fsr = move(world(base.resolve("init-fsr"), 10, read), "--fast-snapshot-restore");
        out.put("startReadMiB", START_READ_MIB);
        out.put("defaultInitDowntimeSeconds", lazy.downtimeSeconds());
        out.put("defaultInitTimeToFullSpeedSeconds", lazy.timeToFullSpeedSeconds());
        out.put("rate300DowntimeSeconds", rate.downtimeSeconds());
        out.put("rate300TimeToFullSpeedSeconds", rate.timeToFullSpeedSeconds());
        out.put("fastRestoreDowntimeSeconds", fsr.downtimeSeconds());
        out.put("fastRestoreTimeToFullSpeedSeconds", fsr.timeToFullSpeedSeconds());
        out.put("downtimeTimeScale", scale);
        return out;
    }

    private MoveDowntime move(String world, String... extra) {
        return MoveDowntime.move(zm, world, NS, CLAIM, POD, TO, poll, extra);
    }

    private String world(Path dir, int sizeGiB, String... options) {
        String[] base = {"sim", "init", dir.toString(), "--scenario", "unbalanced", "--set", "sizeGiB=" + sizeGiB,
                "--time-scale", String.valueOf(scale)};
        String[] args = new String[base.length + 2 * options.length];
        System.arraycopy(base, 0, args, 0, base.length);
        for (int i = 0; i < options.length; i++) {
            args[base.length + 2 * i] = "--set";
            args[base.length + 2 * i + 1] = options[i];
        }
        zm.run(args);
        return dir.toString();
    }

    /** 100 GiB volumes, a completed protective snapshot, and 2 GiB (2%) written since it. */
    private String world100(Path dir) {
        String w = world(dir, 100);
        zm.run("--sim", w, "snapshot", "-n", NS, "--yes");
        zm.run("sim", "advance", w, "2048s");
        return w;
    }
}
