package io.zonemover.state;

import java.net.InetAddress;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Who this process is when it holds a job's lease: a host name (env {@code ZONEMOVER_INSTANCE} names it instead,
 * e.g. one name per runner sharing a database), the process id, and a random id that no other process has, so
 * that a recycled pid on the same host is never taken for the process that died.
 */
public record Instance(String host, long pid, String id, String processStart) {

    public static final String ENV = "ZONEMOVER_INSTANCE";
    /** The same as a system property, which wins: lets one test JVM play several machines in turn. */
    public static final String PROPERTY = "zonemover.instance";

    private static final String HOST_NAME = hostName();

    /** One identity per name this process goes by (normally exactly one). */
    private static final Map<String, Instance> BY_NAME = new ConcurrentHashMap<>();

    /** This process, under the name it goes by now. */
    public static Instance current() {
        String named = System.getProperty(PROPERTY, System.getenv(ENV));
        String host = named != null && !named.isBlank() ? named.strip() : HOST_NAME;
        return BY_NAME.computeIfAbsent(host, Instance::create);
    }

    private static Instance create(String host) {
        ProcessHandle self = ProcessHandle.current();
        return new Instance(host, self.pid(),
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
