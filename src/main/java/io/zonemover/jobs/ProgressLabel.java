package io.zonemover.jobs;

import java.util.concurrent.Callable;

/**
 * The move a progress line belongs to when a plan runs several moves at once: set per thread by the plan's
 * runner around each move, read by whoever prints the lines. Null outside a plan.
 */
public final class ProgressLabel {

    private static final ThreadLocal<String> CURRENT = new ThreadLocal<>();

    private ProgressLabel() {
    }

    public static String current() {
        return CURRENT.get();
    }

    static <T> T with(String label, Callable<T> work) throws Exception {
        String before = CURRENT.get();
        CURRENT.set(label);
        try {
            return work.call();
        } finally {
            CURRENT.set(before);
        }
    }
}
