package io.zonemover.rescue;

import java.time.Duration;

/** Durations as people read them in a log line: 45s, 5m, 5m30s, 2h. */
public final class Durations {

    private Durations() {
    }

    public static String text(Duration d) {
        long s = Math.max(0, d.toSeconds());
        if (s < 60) {
            return s + "s";
        }
        if (s < 3600) {
            return s / 60 + "m" + (s % 60 == 0 ? "" : s % 60 + "s");
        }
        return s / 3600 + "h" + (s % 3600 / 60 == 0 ? "" : s % 3600 / 60 + "m");
    }
}
