package io.zonemover.state;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;

/**
 * Who this process is when it holds a job's lease: a host name (env {@code ZONEMOVER_INSTANCE} names it instead,
 * e.g. one name per runner sharing a database), the process id, and a random id that no other process has, so
 * that a recycled pid on the same host is never taken for the process that died.
 */
public record Instance(String host, long pid, String id, String processStart) {

    public static final String ENV = "ZONEMOVER_INSTANCE";

    private static final Instance CURRENT = current(System.getenv(ENV));

    /** This process. */
    public static Instance current() {
        return CURRENT;
    }

    static Instance current(String named) {
        ProcessHandle self = ProcessHandle.current();
        return new Instance(named != null && !named.isBlank() ? named.strip() : hostName(), self.pid(),
                HexFormat.of().formatHex(new SecureRandom().generateSeed(6)), processStart(self));
    }

    /** Whether an owner recorded on this host (same name) is a process that no longer exists. */
    boolean sameHostAndGone(String ownerHost, long ownerPid, String ownerStart) {
        if (!host.equals(ownerHost)) {
            return false;
        }
        return ProcessHandle.of(ownerPid)
                .filter(ProcessHandle::isAlive)
                .map(p -> ownerStart != null && !ownerStart.equals(processStart(p)))
                .orElse(true);
    }

    static String processStart(ProcessHandle process) {
        return process.info().startInstant().map(Instant::toString).orElse(null);
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "localhost";
        }
    }
}
